#pragma once
// The emulator's clock and delivery engine. One timer thread runs short timed jobs (a call moving
// from queued to started, a webhook falling due); webhook attempts run on a worker pool. Each
// receiver (URL origin) may hold at most `per_receiver` workers, so a receiver that is down, slow
// or failing never stalls deliveries to the others, and a retry waits on the timer, not in a
// worker.
#include "http/client.hpp"
#include "util/non_copyable.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

namespace blandhook::emulator {

using Clock = std::chrono::steady_clock;

struct DeliveryOptions {
    int workers = 32;     ///< threads sending webhooks
    int per_receiver = 8; ///< most workers one origin may hold at once
    http::RetryPolicy retry{.retries = 4,
                            .backoff = std::chrono::milliseconds(1'000),
                            .multiplier = 2.0,
                            .max_backoff = std::chrono::milliseconds(30'000),
                            .jitter = false};
    std::chrono::milliseconds attempt_timeout{10'000}; ///< one attempt, connect to answer
    std::string secret;     ///< signs each body with X-Webhook-Signature when not empty
    std::string user_agent; ///< User-Agent of each delivery
};

/// One body to POST to one URL, possibly several times.
struct Delivery {
    std::string url;
    std::string body;  ///< sent and signed exactly as given
    bool retry = true; ///< false: one attempt only (live events)
    /// Called on a worker after each attempt; `final` is true when no more will follow.
    std::function<void(const http::Attempt& attempt, bool final)> on_attempt;
};

class Scheduler : util::NonCopyable {
public:
    explicit Scheduler(DeliveryOptions options);
    ~Scheduler();

    /// Runs `job` on the timer thread at `when`. Jobs must be short: they move call states and
    /// submit deliveries.
    void at(Clock::time_point when, std::function<void()> job);
    /// Sends `delivery` at `when` (now when in the past), retrying as the options say.
    void deliver(Delivery delivery, Clock::time_point when);
    /// Stops the threads; pending jobs and deliveries are dropped. Idempotent.
    void stop();

    const DeliveryOptions& options() const { return m_options; }

private:
    struct Timed {
        Clock::time_point when;
        std::uint64_t sequence;
        std::function<void()> job;
        bool operator>(const Timed& other) const {
            return when != other.when ? when > other.when : sequence > other.sequence;
        }
    };
    struct Pending {
        std::shared_ptr<Delivery> delivery;
        http::Url url;
        int attempt = 1;
        std::chrono::milliseconds waited{0};
    };
    struct Receiver {
        int in_flight = 0;
        std::deque<Pending> waiting;
    };

    void timer_loop();
    void worker_loop();
    void make_ready(Pending pending);    // m_mutex held
    void finish(const Pending& pending); // m_mutex held
    http::Attempt send(const Pending& pending);

    DeliveryOptions m_options;
    std::mutex m_mutex;
    std::condition_variable m_timer_wake;
    std::condition_variable m_worker_wake;
    std::priority_queue<Timed, std::vector<Timed>, std::greater<>> m_timed;
    std::uint64_t m_sequence = 0;
    std::map<std::string, Receiver> m_receivers; // by origin
    // Idle keep-alive connections by origin, shared by the workers. At most per_receiver per
    // origin exist, so a receiver with a small thread pool is never starved by idle connections.
    std::map<std::string, std::vector<std::unique_ptr<http::Client>>> m_idle;
    std::deque<Pending> m_ready;
    bool m_stopping = false;
    std::thread m_timer;
    std::vector<std::thread> m_workers;
};

} // namespace blandhook::emulator
