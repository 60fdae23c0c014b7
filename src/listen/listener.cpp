#include "listen/listener.hpp"

#include "capture/json_text.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "http/router.hpp"
#include "http/tls.hpp"
#include "http/wire_server.hpp"
#include "util/text.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <openssl/rand.h>
#include <random>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace blandhook::listen {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view k_reserved_prefix = "/_blandhook/";

// Hop-by-hop headers (RFC 9110 section 7.6.1) are not relayed by --forward-to; neither is
// Content-Length (the client sets it for the exact body) nor Host (the app's own).
bool is_hop_by_hop(const std::string& name) {
    static const char* const k_names[] = {"connection",
                                          "keep-alive",
                                          "proxy-connection",
                                          "proxy-authenticate",
                                          "proxy-authorization",
                                          "te",
                                          "trailer",
                                          "transfer-encoding",
                                          "upgrade",
                                          "content-length",
                                          "host"};
    for (const char* hop : k_names) {
        if (util::iequals_ascii(name, hop)) {
            return true;
        }
    }
    return false;
}

// The path of a request target as origin-form: "/x" as it is, "http://host/x" as "/x", and
// "/" for "*", an authority or anything else that names no path on this server.
std::string origin_path(std::string_view path) {
    if (path.starts_with('/')) {
        return std::string(path);
    }
    if (const auto scheme = path.find("://"); scheme != std::string_view::npos) {
        const std::string_view rest = path.substr(scheme + 3);
        if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
            return std::string(rest.substr(slash));
        }
    }
    return "/";
}

// Relays requests to --forward-to. One http::Client per thread (the client is not thread-safe);
// for "localhost" it tries 127.0.0.1 first, then ::1, and remembers which one answered.
class Forwarder {
public:
    Forwarder(std::string url, ForwardPath path_mode, std::chrono::milliseconds timeout)
        : m_url(std::move(url)), m_parsed(http::parse_url(m_url, "--forward-to")),
          m_path_mode(path_mode) {
        m_options.timeout = timeout;
        m_options.connect_timeout = std::min(timeout, std::chrono::milliseconds(2'000));
        if (m_parsed.host == "localhost") {
            m_hosts = {"127.0.0.1", "::1"};
        } else {
            m_hosts = {m_parsed.host};
        }
    }

    const std::string& url() const { return m_url; }

    capture::ForwardResult relay(const capture::Capture& capture, http::Response* answer) {
        http::Request request;
        request.method = capture.method;
        std::string base_path = m_parsed.target;
        std::string base_query;
        if (auto q = base_path.find('?'); q != std::string::npos) {
            base_query = base_path.substr(q + 1);
            base_path.resize(q);
        }
        // The forward URL is the handler's URL (…/webhook gets every request); with
        // --forward-path keep it prefixes the captured path (…/app + /x). Only an origin-form
        // path is pasted on: an absolute-form target gives its path (RFC 9112 3.2.2), "*" and
        // the rest give none. The URL's query, if any, comes first, then the captured one.
        const std::string captured_path = origin_path(capture.path);
        std::string path = base_path.empty() ? "/" : base_path;
        if (m_path_mode == ForwardPath::keep && (captured_path != "/" || base_path.empty())) {
            path = base_path;
            if (!path.empty() && path.back() == '/') {
                path.pop_back();
            }
            path += captured_path;
        }
        std::string query = base_query;
        if (!capture.query.empty()) {
            query += (query.empty() ? "" : "&") + capture.query;
        }
        request.target = query.empty() ? path : path + "?" + query;
        for (const capture::Header& header : capture.headers) {
            if (!is_hop_by_hop(header.name)) {
                request.headers.push_back({header.name, header.value});
            }
        }
        request.body = capture.body;

        capture::ForwardResult result;
        result.url = m_parsed.origin() + request.target;
        const std::size_t preferred = m_preferred.load();
        for (std::size_t n = 0; n < m_hosts.size(); ++n) {
            const std::size_t index = (preferred + n) % m_hosts.size();
            http::Client& client = client_for(index);
            const http::Attempt attempt = client.send(request);
            result.latency_us = attempt.latency.count();
            if (attempt.response) {
                m_preferred.store(index);
                result.status = attempt.response->status;
                result.error.clear();
                for (const auto& header : attempt.response->headers) {
                    result.headers.push_back({header.name, header.value});
                }
                result.keep_body(attempt.response->body);
                if (answer != nullptr) {
                    *answer = *attempt.response;
                }
                return result;
            }
            result.error = attempt.error;
            // Only a failure to connect says "try the other address"; once the app has the
            // request (a reset, a timeout on the answer) trying again would deliver it twice.
            if (!attempt.error.starts_with("connection refused") &&
                !attempt.error.starts_with("connection timed out")) {
                break;
            }
        }
        return result;
    }

private:
    http::Client& client_for(std::size_t index) {
        thread_local std::map<std::pair<const Forwarder*, std::size_t>, http::Client> clients;
        auto key = std::make_pair(this, index);
        auto it = clients.find(key);
        if (it == clients.end()) {
            http::Url url = m_parsed;
            url.host = m_hosts[index];
            it = clients.emplace(key, http::Client(url, m_options)).first;
        }
        return it->second;
    }

    std::string m_url;
    http::Url m_parsed;
    ForwardPath m_path_mode;
    http::ClientOptions m_options;
    std::vector<std::string> m_hosts;
    std::atomic<std::size_t> m_preferred{0};
};

} // namespace

struct Listener::Impl {
    ListenerOptions options;
    // Captures, plain http or TLS, are served by the wire server: one parser for every request.
    std::shared_ptr<const http::TlsContext> tls_context;
    std::unique_ptr<http::WireServer> wire;
    // The inspector's pages and API, on a loopback port of their own.
    std::unique_ptr<http::RouteServer> inspector_server;
    std::atomic<bool> inspector_serving{false}; ///< started and not stopped
    int inspector_port = 0;
    std::unique_ptr<capture::Store> store;
    std::unique_ptr<Forwarder> forwarder;
    int port = 0;
    bool tls = false;
    std::atomic<bool> running{false};
    bool serving = false; ///< start() succeeded and stop() has not ended it yet

    mutable std::mutex answer_mutex; ///< guards sequence_positions and random
    std::atomic<std::shared_ptr<const AnswerConfig>> answer;
    std::map<std::string, std::size_t> sequence_positions; ///< per call_id
    // Seeded from --seed: --fail-rate runs are repeatable on purpose.
    std::mt19937_64 random{options.answer.seed};

    std::atomic<bool> stopping{false};

    // Decides the answer for one capture: signature requirement, then the per-call_id sequence,
    // then the fail rate, then the fixed status.
    Decision decide(const capture::Capture& capture, const AnswerConfig& config) {
        Decision decision;
        decision.delay = config.delay;
        decision.status = config.status;
        const std::string& verdict = capture.payload.signature;
        if (config.require_signature && verdict != "valid-raw" && verdict != "valid-canonical") {
            decision.status = 401;
            decision.note = "signature " + verdict;
            return decision;
        }
        if (config.drop) {
            decision.status = 0;
            decision.note = "drop";
            return decision;
        }
        if (!config.sequence.empty()) {
            std::lock_guard lock(answer_mutex);
            if (sequence_positions.size() > 100'000) {
                sequence_positions.clear(); // bounded memory under a flood of distinct call_ids
            }
            std::size_t& position = sequence_positions[capture.payload.call_id];
            const std::size_t index = std::min(position, config.sequence.size() - 1);
            decision.status = config.sequence[index];
            decision.note = "sequence " + std::to_string(index + 1) + "/" +
                            std::to_string(config.sequence.size());
            ++position;
            return decision;
        }
        if (config.fail_rate > 0) {
            std::lock_guard lock(answer_mutex);
            const double draw = std::uniform_real_distribution<double>(0.0, 1.0)(random);
            if (draw < config.fail_rate) {
                decision.status = config.fail_status;
                decision.note = "fail-rate";
                return decision;
            }
        }
        return decision;
    }

    capture::Capture new_capture(std::string method, std::string_view target) const;
    /// Analyses, decides, forwards, logs: the answer for one captured request (status 0: drop).
    http::WireAnswer serve(capture::Capture&& capture, const AnswerConfig& config,
                           Clock::time_point started);
    std::optional<http::WireAnswer> serve_wire(http::WireRequest& request, http::HandlerThread on);
    /// The health check: 200 and "ok", or 503 and "not saving: …" while the log cannot be
    /// written.
    http::WireAnswer health() const {
        http::WireAnswer reply;
        const std::string error = store->save_error();
        reply.status = error.empty() ? 200 : 503;
        reply.headers.emplace_back("Content-Type", "application/json");
        reply.body =
            "{\"status\":" + capture::json_string(error.empty() ? "ok" : "not saving: " + error) +
            ",\"version\":\"" BLANDHOOK_VERSION "\",\"captures\":" +
            std::to_string(store->appended()) +
            ",\"not_saved\":" + std::to_string(store->unsaved()) + "}";
        return reply;
    }
};

namespace {

constexpr std::string_view k_health_path = "/_blandhook/health";

// Removes every Content-Type from `headers` and returns the last one's value (JSON when none).
std::string take_content_type(std::vector<std::pair<std::string, std::string>>& headers) {
    std::string content_type = "application/json";
    std::erase_if(headers, [&](const auto& header) {
        if (!util::iequals_ascii(header.first, "content-type")) {
            return false;
        }
        content_type = header.second;
        return true;
    });
    return content_type;
}

bool is_reserved(std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    return path.starts_with(k_reserved_prefix) || path == "/_blandhook";
}

} // namespace

capture::Capture Listener::Impl::new_capture(std::string method, std::string_view target) const {
    capture::Capture capture;
    capture.received_at = capture::now_iso8601();
    capture.method = std::move(method);
    if (auto q = target.find('?'); q != std::string_view::npos) {
        capture.path = target.substr(0, q);
        capture.query = target.substr(q + 1);
    } else {
        capture.path = target;
    }
    if (tls) {
        capture.tls = "https";
    }
    return capture;
}

http::WireAnswer Listener::Impl::serve(capture::Capture&& capture, const AnswerConfig& config,
                                       Clock::time_point started) {
    capture::analyze_into(capture, options.secret);
    Decision decision = decide(capture, config);

    std::optional<http::Response> app_answer;
    if (forwarder) {
        http::Response relayed;
        capture.forward = forwarder->relay(capture, &relayed);
        if (capture.forward->status != 0) {
            app_answer = std::move(relayed);
        }
        if (config.forward_status && decision.note.empty()) {
            if (app_answer) {
                decision.status = app_answer->status;
                decision.note = "forwarded";
            } else {
                decision.status = 502;
                decision.note = "app unreachable";
            }
        }
    }
    if (decision.delay.count() > 0) {
        std::this_thread::sleep_for(decision.delay);
    }
    capture.response_status = decision.status;
    capture.response_note = decision.note;
    capture.latency_us =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();

    // The line is written before the answer leaves; a capture that could not be saved is
    // never answered 2xx (the sender would not deliver it again).
    std::shared_ptr<const capture::Capture> stored;
    try {
        stored = store->append(std::move(capture));
    } catch (const Error&) {
        http::WireAnswer refused;
        refused.status = 503;
        refused.headers = {{"Content-Type", "application/json"}, {"Retry-After", "10"}};
        refused.body =
            "{\"error\":" + capture::json_string("not saved: " + store->save_error()) + "}";
        return refused;
    }
    const std::uint64_t id = stored->id;
    const capture::PayloadSummary& payload = stored->payload;

    http::WireAnswer reply;
    reply.status = decision.status;
    if (decision.status == 0) {
        return reply;
    }
    if (decision.note == "forwarded" && app_answer) {
        for (const auto& header : app_answer->headers) {
            if (!is_hop_by_hop(header.name) && !util::iequals_ascii(header.name, "content-type")) {
                reply.headers.emplace_back(header.name, header.value);
            }
        }
        reply.headers.emplace_back(
            "Content-Type",
            http::find_header(app_answer->headers, "content-type").value_or("text/plain"));
        reply.body = std::move(app_answer->body);
        return reply;
    }
    reply.headers = config.headers;
    const std::string content_type = take_content_type(reply.headers);
    reply.headers.emplace_back("Content-Type", content_type);
    if (config.body) {
        reply.body = *config.body;
        return reply;
    }
    std::string& receipt = reply.body;
    receipt = R"({"received":true,"id":)" + std::to_string(id);
    if (!payload.call_id.empty()) {
        receipt += ",\"call_id\":" + capture::json_string(payload.call_id);
    }
    receipt += R"(,"kind":")" + payload.kind + "\"";
    if (decision.status == 401) {
        receipt += ",\"error\":" + capture::json_string("signature " + payload.signature);
    }
    receipt += "}";
    return reply;
}

std::optional<http::WireAnswer> Listener::Impl::serve_wire(http::WireRequest& request,
                                                           http::HandlerThread on) {
    const Clock::time_point started = Clock::now();
    const std::string_view target = request.target;
    if (is_reserved(target)) {
        // Only the health check is served here: the inspector has a port of its own, which a
        // tunnel to this one never reaches.
        if ((request.method == "GET" || request.method == "HEAD") &&
            target.substr(0, target.find('?')) == k_health_path) {
            return health();
        }
        return http::WireAnswer{404,
                                {{"Content-Type", "application/json"}},
                                R"({"error":"no such blandhook endpoint"})",
                                false};
    }
    const std::shared_ptr<const AnswerConfig> config = answer.load();
    if (on == http::HandlerThread::event_loop && (config->delay.count() > 0 || forwarder)) {
        return std::nullopt; // it would block an event loop
    }
    capture::Capture capture = new_capture(std::move(request.method), target);
    capture.headers = std::move(request.headers);
    capture.body = std::move(request.body);
    capture.peer = std::move(request.peer);
    return serve(std::move(capture), *config, started);
}

namespace {

// The inspector's server: it serves one developer's browser.
http::RouteServerOptions inspector_server_options(std::chrono::seconds read_timeout) {
    http::RouteServerOptions options;
    // Each open event stream holds a thread (at most 64 are served, inspector::Feed): room for
    // them and the page's other requests, grown on demand.
    options.threads = 4;
    options.max_threads = 128;
    options.read_timeout = read_timeout;
    options.write_timeout = read_timeout;
    // Idle keep-alive connections end within a second, so that stopping never waits long.
    options.keep_alive_timeout = std::chrono::seconds(1);
    // The exception's message is not sent: it may name local files (the capture log's path), and
    // over TLS the sender may be anyone on the internet.
    options.failed = [](const http::RouteRequest&, http::RouteResponse& response,
                        const std::string&) {
        response.status = 500;
        response.set_content(R"({"error":"internal error"})", "application/json");
    };
    return options;
}

} // namespace

Listener::Listener(ListenerOptions options) : m_impl(std::make_unique<Impl>()) {
    Impl& impl = *m_impl;
    impl.options = std::move(options);
    impl.answer.store(std::make_shared<const AnswerConfig>(impl.options.answer));
    impl.random.seed(impl.options.answer.seed);
    if (!impl.options.tls_cert.empty() || !impl.options.tls_key.empty()) {
        if (impl.options.tls_cert.empty() || impl.options.tls_key.empty()) {
            throw Error(ErrorKind::usage, "--tls-cert", "--tls-cert and --tls-key go together",
                        "give both PEM files, or neither for plain http");
        }
        impl.tls_context =
            std::make_shared<const http::TlsContext>(impl.options.tls_cert, impl.options.tls_key);
        impl.tls = true;
    }
    if (!impl.options.forward_to.empty()) {
        impl.forwarder = std::make_unique<Forwarder>(
            impl.options.forward_to, impl.options.forward_path, impl.options.forward_timeout);
    }
    impl.store = std::make_unique<capture::Store>(impl.options.store);

    impl.inspector_server =
        std::make_unique<http::RouteServer>(inspector_server_options(impl.options.read_timeout));
    impl.inspector_server->get(std::string(k_health_path),
                               [this](const http::RouteRequest&, http::RouteResponse& response) {
                                   const http::WireAnswer reply = m_impl->health();
                                   response.status = reply.status;
                                   response.set_content(reply.body, "application/json");
                               });
}

Listener::~Listener() {
    stop();
}

http::Router& Listener::inspector_routes() {
    return *m_impl->inspector_server;
}

void Listener::start() {
    Impl& impl = *m_impl;
    if (impl.serving) {
        return;
    }
    http::WireServerOptions wire_options;
    wire_options.host = impl.options.host;
    wire_options.port = impl.options.port;
    wire_options.max_body_bytes = impl.options.max_body_bytes;
    wire_options.read_timeout = impl.options.read_timeout;
    wire_options.request_timeout = impl.options.request_timeout;
    wire_options.keep_alive_timeout = impl.options.keep_alive_timeout;
    wire_options.max_connections = impl.options.max_threads;
    wire_options.max_workers = impl.options.max_threads;
    wire_options.tls = impl.tls_context;
    http::WireServer::Hooks hooks;
    hooks.handle = [&impl](http::WireRequest& request, http::HandlerThread on) {
        return impl.serve_wire(request, on);
    };
    impl.wire = std::make_unique<http::WireServer>(std::move(wire_options), std::move(hooks));
    impl.port = impl.wire->bind();
    impl.stopping = false;
    if (const std::optional<InspectorBind>& bind = impl.options.inspector) {
        http::RouteServer& inspector = *impl.inspector_server;
        int port = inspector.bind("127.0.0.1", bind->port);
        if (port <= 0 && bind->port != 0 && bind->any_if_taken) {
            port = inspector.bind("127.0.0.1", 0);
        }
        if (port <= 0) {
            const std::string reason = std::strerror(errno);
            impl.wire.reset(); // closes the capture port
            throw Error(ErrorKind::network, "listen",
                        "cannot listen on 127.0.0.1:" + std::to_string(bind->port) +
                            " for the inspector (" + reason + ")",
                        "pick another with --inspector-port (0 = any free port), or "
                        "--no-inspector");
        }
        impl.inspector_port = port;
        inspector.start();
        impl.inspector_serving = true;
    }
    impl.running = true;
    impl.serving = true;
    impl.wire->start();
}

void Listener::stop() {
    Impl& impl = *m_impl;
    if (!impl.serving) {
        return;
    }
    impl.serving = false;
    impl.stopping = true;
    // Requests being handled get their answer first (bounded: a stuck app or a long --delay must
    // not hold the stop forever).
    const auto patience = answer().delay + impl.options.forward_timeout + std::chrono::seconds(2);
    impl.wire->stop(std::chrono::duration_cast<std::chrono::milliseconds>(patience));
    if (impl.inspector_serving) {
        // Open event streams notice within a tick; idle keep-alive connections within a second.
        impl.inspector_server->stop();
        impl.inspector_serving = false;
    }
    impl.running = false;
}

bool Listener::running() const {
    // Serving ends when the inspector's server ends on its own, too.
    return m_impl->running && (!m_impl->inspector_serving || m_impl->inspector_server->running());
}

const std::string& Listener::host() const {
    return m_impl->options.host;
}

int Listener::port() const {
    return m_impl->port;
}

int Listener::inspector_port() const {
    return m_impl->inspector_port;
}

std::string Listener::inspector_url() const {
    if (m_impl->inspector_port == 0) {
        return "";
    }
    return "http://127.0.0.1:" + std::to_string(m_impl->inspector_port) + "/_blandhook/";
}

std::string Listener::url() const {
    std::string host = m_impl->options.host;
    if (host.find(':') != std::string::npos && host.front() != '[') {
        host = "[" + host + "]";
    }
    if (host == "0.0.0.0") {
        host = "127.0.0.1";
    } else if (host == "[::]") {
        host = "[::1]";
    }
    return std::string(m_impl->tls ? "https://" : "http://") + host + ":" +
           std::to_string(m_impl->port);
}

bool Listener::tls() const {
    return m_impl->tls;
}

capture::Store& Listener::store() {
    return *m_impl->store;
}

const capture::Store& Listener::store() const {
    return *m_impl->store;
}

AnswerConfig Listener::answer() const {
    return *m_impl->answer.load();
}

void Listener::set_answer(AnswerConfig config) {
    std::lock_guard lock(m_impl->answer_mutex);
    m_impl->random.seed(config.seed);
    m_impl->answer.store(std::make_shared<const AnswerConfig>(std::move(config)));
    m_impl->sequence_positions.clear();
}

bool Listener::has_secret() const {
    return !m_impl->options.secret.empty();
}

const std::string& Listener::secret() const {
    return m_impl->options.secret;
}

const ListenerOptions& Listener::options() const {
    return m_impl->options;
}

std::optional<capture::Capture>
Listener::wait_for(const std::function<bool(const capture::Capture&)>& predicate,
                   std::chrono::milliseconds timeout) {
    return m_impl->store->wait_for(predicate, timeout);
}

} // namespace blandhook::listen
