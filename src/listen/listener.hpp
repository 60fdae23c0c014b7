#pragma once
// The webhook listener behind `blandhook listen` (and embedded by `blandhook call --listen`):
// an HTTP(S) server that captures every request on any path and method into a capture::Store,
// analyses and signature-checks it, answers as the AnswerConfig says (fault injection), optionally
// relays it to the developer's app, and reserves /_blandhook/ for its own endpoints: only
// GET /_blandhook/health is answered on the capture port. The inspector's pages and API are served
// on a second port of their own, always bound to 127.0.0.1, so that a tunnel to the capture port
// (which delivers connections from 127.0.0.1 with any Host the remote sender writes) never
// reaches them.
#include "capture/store.hpp"
#include "listen/answer.hpp"
#include "util/non_copyable.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace blandhook::http {
class Router;
}

namespace blandhook::listen {

/// Where the inspector's own listening socket goes (its address is always 127.0.0.1).
struct InspectorBind {
    int port = 0;              ///< 0 picks a free port
    bool any_if_taken = false; ///< a default port: pick a free one when it is taken
};

/// What --forward-to does with the captured path. `exact` (the default, as stripe listen
/// --forward-to): the URL as given; `keep`: the captured path appended to the URL's path.
enum class ForwardPath { exact, keep };

struct ListenerOptions {
    std::string host = "127.0.0.1";
    int port = 4000;      ///< 0 picks a free port
    std::string tls_cert; ///< PEM; with tls_key serves HTTPS directly
    std::string tls_key;
    std::string secret;     ///< webhook signing secret; "" = signatures not checked
    std::string forward_to; ///< relay every captured request to this URL
    ForwardPath forward_path = ForwardPath::exact;
    std::chrono::milliseconds forward_timeout{10'000};
    capture::StoreOptions store;            ///< the capture log (path "" = memory only)
    std::size_t max_body_bytes = 10u << 20; ///< 413 beyond
    std::chrono::seconds read_timeout{5};   ///< slow clients are cut off after this per read
    /// A request must arrive whole (head and body) within this of its first byte: a sender
    /// trickling its body cannot hold a connection for long.
    std::chrono::milliseconds request_timeout{30'000};
    std::chrono::seconds keep_alive_timeout{5};
    std::size_t max_threads = 1024; ///< connections served at once (idle keep-alive included)
    AnswerConfig answer;
    /// The inspector's port on 127.0.0.1; nullopt: none (`call --listen`, `--no-inspector`).
    std::optional<InspectorBind> inspector;
};

class Listener : util::NonCopyable {
public:
    /// Creates the servers and the store (opening the capture log). Does not bind yet, so that
    /// the inspector can register its routes on inspector_routes() first.
    explicit Listener(ListenerOptions options);
    ~Listener(); ///< stops if running

    /// The routes of the inspector's loopback port, for inspector::mount before start(). Only
    /// served when options().inspector is set.
    http::Router& inspector_routes();

    /// Binds (the capture port, then the inspector's) and serves on background threads. Throws
    /// blandhook::Error (usage for a bad TLS file, network when a port cannot be bound).
    void start();
    /// Stops accepting, finishes requests in flight (their lines are written), joins. Idempotent.
    void stop();
    bool running() const;

    /// Bound address after start(): host as given and the actual port.
    const std::string& host() const;
    int port() const;
    /// "http://127.0.0.1:4000" (or https://…; IPv6 hosts bracketed).
    std::string url() const;
    bool tls() const;
    /// The inspector's port and "http://127.0.0.1:PORT/_blandhook/" after start(); 0 and "" when
    /// there is none.
    int inspector_port() const;
    std::string inspector_url() const;

    capture::Store& store();
    const capture::Store& store() const;

    /// The answer configuration now in force; set_answer replaces it for the next requests and
    /// restarts the per-call_id sequences. Thread-safe.
    AnswerConfig answer() const;
    void set_answer(AnswerConfig config);

    bool has_secret() const;
    const std::string& secret() const;
    const ListenerOptions& options() const;

    /// Waits for a capture (already received since start, or arriving) that satisfies `predicate`.
    std::optional<capture::Capture>
    wait_for(const std::function<bool(const capture::Capture&)>& predicate,
             std::chrono::milliseconds timeout);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace blandhook::listen
