#pragma once
// One way to stop: a StopSource asks, every StopToken handed down from it sees the request. The
// CLI layer makes one per run from SIGINT/SIGTERM (SignalStop) and hands its token to the
// command in cli::Context, as Stripe CLI hands down a context.Context; a command passes it on
// to what it runs (the listener's wait, replay's workers, the HTTP client's attempts).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace blandhook::util {

namespace detail {
struct StopState;
}

/// Removes its callback from the token when it goes (after any call of it under way ended).
class StopCallback {
public:
    StopCallback() = default;
    StopCallback(std::shared_ptr<detail::StopState> state, std::uint64_t id);
    ~StopCallback();
    StopCallback(StopCallback&& other) noexcept;
    StopCallback& operator=(StopCallback&& other) noexcept;
    StopCallback(const StopCallback&) = delete;
    StopCallback& operator=(const StopCallback&) = delete;

private:
    std::shared_ptr<detail::StopState> m_state;
    std::uint64_t m_id = 0;
};

/// Sees a stop request. Cheap to copy; a default-constructed token is never stopped.
class StopToken {
public:
    StopToken() = default;

    bool stop_requested() const;
    /// The signal that asked to stop (SIGINT, SIGTERM), 0 when none did (yet).
    int signal() const;
    /// Waits until a stop is requested or `duration` passed; true when stop was requested.
    bool wait_for(std::chrono::steady_clock::duration duration) const;
    /// Waits until a stop is requested (forever on a default-constructed token).
    void wait() const;
    /// Calls `callback` once when a stop is requested, from the thread that requests it (at once,
    /// here, when one already was). It must not block; it is removed when the result goes.
    [[nodiscard]] StopCallback on_stop(std::function<void()> callback) const;
    /// The flag itself, for code that polls an atomic (http::ClientOptions::cancel); null on a
    /// default-constructed token. Valid while any token or source of it lives.
    const std::atomic<bool>* flag() const;

private:
    friend class StopSource;
    explicit StopToken(std::shared_ptr<detail::StopState> state) : m_state(std::move(state)) {}
    std::shared_ptr<detail::StopState> m_state;
};

/// Asks to stop. The first request wins; later ones change nothing.
class StopSource {
public:
    StopSource();

    /// Requests a stop, naming the signal that asked for it (0: not a signal).
    void request_stop(int signal = 0);
    bool stop_requested() const;
    StopToken token() const;

private:
    std::shared_ptr<detail::StopState> m_state;
};

/// For as long as it lives: SIGINT and SIGTERM are blocked in the constructing thread (and so in
/// every thread started after it), and one thread of its own takes them. The first one requests
/// a stop from `source`; a second one ends the process at once with `second_exit_code`, so that
/// a stop that hangs (a tunnel starting, an API call) never needs a kill -9. Construct it before
/// any other thread starts.
class SignalStop {
public:
    SignalStop(StopSource& source, int second_exit_code);
    ~SignalStop();
    SignalStop(const SignalStop&) = delete;
    SignalStop& operator=(const SignalStop&) = delete;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace blandhook::util
