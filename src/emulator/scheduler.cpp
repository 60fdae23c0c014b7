#include "emulator/scheduler.hpp"

#include "payload/signature.hpp"

#include <algorithm>
#include <cstdio>

namespace blandhook::emulator {

Scheduler::Scheduler(DeliveryOptions options) : m_options(std::move(options)) {
    m_options.workers = std::max(1, m_options.workers);
    m_options.per_receiver = std::clamp(m_options.per_receiver, 1, m_options.workers);
    m_timer = std::thread([this] { timer_loop(); });
    for (int i = 0; i < m_options.workers; ++i) {
        m_workers.emplace_back([this] { worker_loop(); });
    }
}

Scheduler::~Scheduler() {
    stop();
}

void Scheduler::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping && !m_timer.joinable()) {
            return;
        }
        m_stopping = true;
    }
    m_timer_wake.notify_all();
    m_worker_wake.notify_all();
    if (m_timer.joinable()) {
        m_timer.join();
    }
    for (auto& worker : m_workers) {
        if (worker.joinable()) {
            worker.join();
        }
    }
}

void Scheduler::at(Clock::time_point when, std::function<void()> job) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            return;
        }
        m_timed.push(Timed{when, m_sequence++, std::move(job)});
    }
    m_timer_wake.notify_one();
}

void Scheduler::deliver(Delivery delivery, Clock::time_point when) {
    Pending pending;
    pending.url = http::parse_url(delivery.url, "webhook");
    pending.delivery = std::make_shared<Delivery>(std::move(delivery));
    auto shared = std::make_shared<Pending>(std::move(pending));
    at(when, [this, shared] {
        std::lock_guard lock(m_mutex);
        make_ready(std::move(*shared));
    });
}

void Scheduler::make_ready(Pending pending) {
    Receiver& receiver = m_receivers[pending.url.origin()];
    if (receiver.in_flight >= m_options.per_receiver) {
        receiver.waiting.push_back(std::move(pending));
        return;
    }
    ++receiver.in_flight;
    m_ready.push_back(std::move(pending));
    m_worker_wake.notify_one();
}

void Scheduler::finish(const Pending& pending) {
    auto it = m_receivers.find(pending.url.origin());
    if (it == m_receivers.end()) {
        return;
    }
    Receiver& receiver = it->second;
    --receiver.in_flight;
    if (!receiver.waiting.empty()) {
        Pending next = std::move(receiver.waiting.front());
        receiver.waiting.pop_front();
        make_ready(std::move(next));
    } else if (receiver.in_flight == 0) {
        m_receivers.erase(it);
    }
}

void Scheduler::timer_loop() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        if (m_timed.empty()) {
            m_timer_wake.wait(lock);
            continue;
        }
        auto when = m_timed.top().when;
        if (Clock::now() < when) {
            m_timer_wake.wait_until(lock, when);
            continue;
        }
        auto job = std::move(const_cast<Timed&>(m_timed.top()).job);
        m_timed.pop();
        lock.unlock();
        try {
            job();
        } catch (const std::exception& error) {
            // A job that fails (a fixture missing from a broken build) must not end the process:
            // the call stays as it was and the failure is reported.
            std::fprintf(stderr, "blandhook: warning: emulate: %s\n", error.what());
        }
        lock.lock();
    }
}

http::Attempt Scheduler::send(const Pending& pending) {
    const std::string origin = pending.url.origin();
    std::unique_ptr<http::Client> client;
    {
        std::lock_guard lock(m_mutex);
        auto& idle = m_idle[origin];
        if (!idle.empty()) {
            client = std::move(idle.back());
            idle.pop_back();
        }
    }
    if (!client) {
        http::ClientOptions options;
        options.timeout = m_options.attempt_timeout;
        options.connect_timeout =
            std::min(m_options.attempt_timeout, std::chrono::milliseconds(5'000));
        client = std::make_unique<http::Client>(pending.url, options);
    }
    http::Request request;
    request.method = "POST";
    request.target = pending.url.target;
    request.headers.push_back({"Content-Type", "application/json"});
    if (!m_options.user_agent.empty()) {
        request.headers.push_back({"User-Agent", m_options.user_agent});
    }
    if (!m_options.secret.empty()) {
        request.headers.push_back({std::string(payload::k_signature_header),
                                   payload::sign(m_options.secret, pending.delivery->body)});
    }
    request.body = pending.delivery->body;
    http::Attempt attempt = client->send(request);
    // A connection that failed is dropped: it must not poison the next delivery to this origin.
    if (attempt.response) {
        std::lock_guard lock(m_mutex);
        m_idle[origin].push_back(std::move(client));
    }
    attempt.number = pending.attempt;
    attempt.waited = pending.waited;
    return attempt;
}

void Scheduler::worker_loop() {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_worker_wake.wait(lock, [this] { return m_stopping || !m_ready.empty(); });
        if (m_stopping) {
            return;
        }
        Pending pending = std::move(m_ready.front());
        m_ready.pop_front();
        lock.unlock();

        http::Attempt attempt = send(pending);
        const auto& retry = m_options.retry;
        bool again = pending.delivery->retry && http::is_retryable(attempt) &&
                     pending.attempt <= retry.retries;
        std::chrono::milliseconds wait{0};
        if (again) {
            double factor = 1.0;
            for (int i = 1; i < pending.attempt; ++i) {
                factor *= retry.multiplier;
            }
            wait = std::chrono::milliseconds(
                static_cast<long long>(static_cast<double>(retry.backoff.count()) * factor));
            if (attempt.response) {
                if (auto asked = http::retry_after(*attempt.response)) {
                    wait = *asked;
                }
            }
            wait = std::min(wait, retry.max_backoff);
        }
        if (pending.delivery->on_attempt) {
            pending.delivery->on_attempt(attempt, !again);
        }

        lock.lock();
        finish(pending);
        if (again && !m_stopping) {
            pending.attempt += 1;
            pending.waited = wait;
            auto shared = std::make_shared<Pending>(std::move(pending));
            m_timed.push(Timed{Clock::now() + wait, m_sequence++, [this, shared] {
                                   std::lock_guard relock(m_mutex);
                                   make_ready(std::move(*shared));
                               }});
            m_timer_wake.notify_one();
        }
    }
}

} // namespace blandhook::emulator
