#pragma once
// A local stand-in for Bland's calls API (docs/emulate.md): validates send-call requests as Bland
// documents, runs each call through queued -> started -> complete on a simulated clock, and
// delivers its post-call webhook (signed, retried, logged) like Bland does. Used by
// `blandhook emulate` and, in-process, by tests.
#include "emulator/scheduler.hpp"
#include "util/non_copyable.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace blandhook::emulator {

struct EmulatorOptions {
    std::string host = "127.0.0.1";
    int port = 0;        ///< 0 picks a free port
    std::string api_key; ///< when set, requests need `authorization: KEY` or `Bearer KEY`
    std::chrono::milliseconds call_duration{10'000}; ///< creation to hang-up, wall clock
    std::chrono::milliseconds webhook_delay{0};      ///< hang-up to post-call webhook
    std::chrono::milliseconds citations_delay{0}; ///< extra wait for citations (delayed or event)
    bool delay_webhook = false;   ///< with "citations": one delayed post-call webhook
    bool strict_webhooks = false; ///< only https:// webhook URLs, as Bland
    int server_threads = 256;     ///< connections served at once, idle keep-alive ones included
    DeliveryOptions delivery;
    /// Receives one human-readable line per event (call state, delivery attempt); may be empty.
    std::function<void(std::string_view line)> log;
};

/// Counters since start, for the summary line and the benchmark.
struct EmulatorStats {
    std::size_t calls = 0;     ///< accepted by POST /v1/calls
    std::size_t ended = 0;     ///< reached the end of their simulated duration (or were stopped)
    std::size_t delivered = 0; ///< post-call webhooks answered 2xx
    std::size_t failed = 0;    ///< post-call webhooks that exhausted their attempts
    std::size_t attempts = 0;  ///< post-call delivery attempts in all
};

class Emulator : util::NonCopyable {
public:
    explicit Emulator(EmulatorOptions options);
    ~Emulator();

    /// Binds and starts serving in the background; returns the bound port. Throws
    /// blandhook::Error (network) when the address cannot be bound.
    int start();
    /// Stops serving and drops pending calls and deliveries. Idempotent.
    void stop();
    /// http://HOST:PORT once started.
    std::string url() const;
    EmulatorStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace blandhook::emulator
