#include "util/stop.hpp"

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <utility>
#include <vector>

namespace blandhook::util {
namespace detail {

struct StopState {
    std::atomic<bool> stopped{false};
    std::atomic<int> signal{0};
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::pair<std::uint64_t, std::function<void()>>> callbacks;
    std::uint64_t next_id = 1;
    // Callbacks run outside the lock (they may take locks of their own); removal waits for a run
    // under way, so that a callback never outlives what it captured.
    std::mutex running;
};

} // namespace detail

StopCallback::StopCallback(std::shared_ptr<detail::StopState> state, std::uint64_t id)
    : m_state(std::move(state)), m_id(id) {}

StopCallback::~StopCallback() {
    if (!m_state) {
        return;
    }
    std::lock_guard running(m_state->running);
    std::lock_guard lock(m_state->mutex);
    auto& callbacks = m_state->callbacks;
    std::erase_if(callbacks, [&](const auto& entry) { return entry.first == m_id; });
}

StopCallback::StopCallback(StopCallback&& other) noexcept
    : m_state(std::move(other.m_state)), m_id(other.m_id) {}

StopCallback& StopCallback::operator=(StopCallback&& other) noexcept {
    if (this != &other) {
        StopCallback gone(std::move(*this));
        m_state = std::move(other.m_state);
        m_id = other.m_id;
    }
    return *this;
}

bool StopToken::stop_requested() const {
    return m_state && m_state->stopped.load();
}

int StopToken::signal() const {
    return m_state ? m_state->signal.load() : 0;
}

bool StopToken::wait_for(std::chrono::steady_clock::duration duration) const {
    if (!m_state) {
        std::this_thread::sleep_for(duration);
        return false;
    }
    std::unique_lock lock(m_state->mutex);
    return m_state->changed.wait_for(lock, duration, [&] { return m_state->stopped.load(); });
}

void StopToken::wait() const {
    if (!m_state) {
        for (;;) {
            std::this_thread::sleep_for(std::chrono::hours(24));
        }
    }
    std::unique_lock lock(m_state->mutex);
    m_state->changed.wait(lock, [&] { return m_state->stopped.load(); });
}

StopCallback StopToken::on_stop(std::function<void()> callback) const {
    if (!m_state) {
        return {};
    }
    {
        std::lock_guard lock(m_state->mutex);
        if (!m_state->stopped) {
            const std::uint64_t id = m_state->next_id++;
            m_state->callbacks.emplace_back(id, std::move(callback));
            return {m_state, id};
        }
    }
    callback();
    return {};
}

const std::atomic<bool>* StopToken::flag() const {
    return m_state ? &m_state->stopped : nullptr;
}

StopSource::StopSource() : m_state(std::make_shared<detail::StopState>()) {}

void StopSource::request_stop(int signal) {
    std::lock_guard running(m_state->running);
    std::vector<std::pair<std::uint64_t, std::function<void()>>> callbacks;
    {
        std::lock_guard lock(m_state->mutex);
        if (m_state->stopped) {
            return;
        }
        m_state->signal = signal;
        m_state->stopped = true;
        callbacks.swap(m_state->callbacks);
    }
    m_state->changed.notify_all();
    for (auto& [id, callback] : callbacks) {
        callback();
    }
}

bool StopSource::stop_requested() const {
    return m_state->stopped.load();
}

StopToken StopSource::token() const {
    return StopToken(m_state);
}

struct SignalStop::Impl {
    sigset_t signals{};
    sigset_t previous{};
    std::thread thread;
};

SignalStop::SignalStop(StopSource& source, int second_exit_code)
    : m_impl(std::make_unique<Impl>()) {
    sigemptyset(&m_impl->signals);
    sigaddset(&m_impl->signals, SIGINT);
    sigaddset(&m_impl->signals, SIGTERM);
    // Blocked, then taken synchronously by one thread: no handler ever runs in the middle of a
    // write, and threads started later inherit the mask.
    pthread_sigmask(SIG_BLOCK, &m_impl->signals, &m_impl->previous);
    // SIGUSR1 (blocked too) ends the thread when this object goes.
    sigset_t waited = m_impl->signals;
    sigaddset(&waited, SIGUSR1);
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &wake, nullptr);
    m_impl->thread = std::thread([&source, waited, second_exit_code] {
        for (int taken = 0;;) {
            int received = 0;
            if (sigwait(&waited, &received) != 0 || received == SIGUSR1) {
                return;
            }
            if (++taken == 1) {
                source.request_stop(received);
                continue;
            }
            std::fputs("blandhook: stopping at once (second signal)\n", stderr);
            std::_Exit(second_exit_code);
        }
    });
}

SignalStop::~SignalStop() {
    pthread_kill(m_impl->thread.native_handle(), SIGUSR1);
    m_impl->thread.join();
    // A SIGUSR1 sent to the process (not the thread) may still be pending: taken here, so that
    // unblocking it does not end the process.
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, SIGUSR1);
    const timespec none{0, 0};
    while (sigtimedwait(&wake, nullptr, &none) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &m_impl->previous, nullptr);
}

} // namespace blandhook::util
