#include "listen/listener.hpp"

#include "error.hpp"
#include "http/client.hpp"
#include "listen/pool.hpp"
#include "listen/wire_server.hpp"

#include <httplib.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <random>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace blandhook::listen {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view k_reserved_prefix = "/_blandhook/";

// httplib adds the socket's addresses to the request headers as pseudo headers; they were never
// on the wire.
bool is_pseudo_header(const std::string& name) {
    return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
           name == "LOCAL_PORT";
}

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
        if (strcasecmp(name.c_str(), hop) == 0) {
            return true;
        }
    }
    return false;
}

std::string json_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out.append(" ");
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// Finds the connected socket of the request being handled on this thread by its addresses, so
// that --drop can close it without an answer: httplib gives handlers no access to the socket.
int find_connection_socket(const httplib::Request& request) {
    thread_local int cached = -1;
    auto matches = [&](int fd) {
        sockaddr_storage local{};
        sockaddr_storage remote{};
        socklen_t local_length = sizeof local;
        socklen_t remote_length = sizeof remote;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0 ||
            ::getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remote_length) != 0) {
            return false;
        }
        auto port_of = [](const sockaddr_storage& address) {
            if (address.ss_family == AF_INET) {
                return static_cast<int>(
                    ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port));
            }
            if (address.ss_family == AF_INET6) {
                return static_cast<int>(
                    ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port));
            }
            return -1;
        };
        return port_of(local) == request.local_port && port_of(remote) == request.remote_port;
    };
    if (cached >= 0 && matches(cached)) {
        return cached;
    }
    const int limit = static_cast<int>(std::min<long>(::sysconf(_SC_OPEN_MAX), 65536));
    for (int fd = 3; fd < limit; ++fd) {
        if (matches(fd)) {
            cached = fd;
            return fd;
        }
    }
    return -1;
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
        // --forward-path keep it prefixes the captured path (…/app + /x). The URL's query, if
        // any, comes first, then the captured one.
        std::string path = base_path.empty() ? "/" : base_path;
        if (m_path_mode == ForwardPath::keep && (capture.path != "/" || base_path.empty())) {
            path = base_path;
            if (!path.empty() && path.back() == '/') {
                path.pop_back();
            }
            path += capture.path;
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
                if (answer != nullptr) {
                    *answer = *attempt.response;
                }
                return result;
            }
            result.error = attempt.error;
            // Only a failure to connect says "try the other address"; once the app has the
            // request (a reset, a timeout on the answer) trying again would deliver it twice.
            if (attempt.error.rfind("connection refused", 0) != 0 &&
                attempt.error.rfind("connection timed out", 0) != 0) {
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

bool is_loopback_host(const std::string& host) {
    if (host == "localhost" || host == "::1" || host == "[::1]") {
        return true;
    }
    in_addr address{};
    if (::inet_pton(AF_INET, host.c_str(), &address) == 1) {
        return (ntohl(address.s_addr) >> 24) == 127;
    }
    return false;
}

struct Listener::Impl {
    ListenerOptions options;
    // With --tls-cert captures are served by httplib's SSLServer; plain http by the wire server.
    std::unique_ptr<httplib::Server> server;
    std::unique_ptr<WireServer> wire;
    // The inspector's pages and API, on a loopback port of their own.
    httplib::Server inspector_server;
    std::thread inspector_thread;
    int inspector_port = 0;
    std::unique_ptr<capture::Store> store;
    std::unique_ptr<Forwarder> forwarder;
    int port = 0;
    int listen_fd = -1;
    bool tls = false;
    bool routes_added = false;
    std::thread thread;
    std::atomic<bool> running{false};
    bool serving = false; ///< start() succeeded and stop() has not ended it yet
    std::atomic<bool> inspector_ended{false};

    mutable std::mutex answer_mutex; ///< guards sequence_positions and random
    std::atomic<std::shared_ptr<const AnswerConfig>> answer;
    std::map<std::string, std::size_t> sequence_positions; ///< per call_id
    std::mt19937_64 random;

    // Captured requests whose answer is not written yet: stop() lets them finish before it ends
    // the idle connections (httplib will not write to a connection shut for reading).
    // Counted without a lock on the hot path; only once `stopping` is set do the request threads
    // take the mutex to wake stop().
    std::atomic<int> in_flight{0};
    std::atomic<bool> stopping{false};
    std::mutex in_flight_mutex;
    std::condition_variable in_flight_cv;

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
    WireAnswer serve(capture::Capture&& capture, const AnswerConfig& config,
                     Clock::time_point started);
    std::optional<WireAnswer> serve_wire(WireRequest& request, HandlerThread on);
    void capture_request(const httplib::Request& request, httplib::Response& response);
    std::string health_json() const {
        return "{\"status\":\"ok\",\"version\":\"" BLANDHOOK_VERSION "\",\"captures\":" +
               std::to_string(store->appended()) + "}";
    }
    void add_routes();
};

// Set by capture_request and cleared by the logger, which httplib calls on the same thread once
// the answer is written.
thread_local bool t_answer_pending = false;

namespace {

constexpr std::string_view k_health_path = "/_blandhook/health";

// Removes every Content-Type from `headers` and returns the last one's value (JSON when none).
std::string take_content_type(std::vector<std::pair<std::string, std::string>>& headers) {
    std::string content_type = "application/json";
    std::erase_if(headers, [&](const auto& header) {
        if (strcasecmp(header.first.c_str(), "content-type") != 0) {
            return false;
        }
        content_type = header.second;
        return true;
    });
    return content_type;
}

bool is_reserved(std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    return path.compare(0, k_reserved_prefix.size(), k_reserved_prefix) == 0 ||
           path == "/_blandhook";
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

WireAnswer Listener::Impl::serve(capture::Capture&& capture, const AnswerConfig& config,
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

    // The line is written before the answer leaves.
    const std::shared_ptr<const capture::Capture> stored = store->append(std::move(capture));
    const std::uint64_t id = stored->id;
    const capture::PayloadSummary& payload = stored->payload;

    WireAnswer reply;
    reply.status = decision.status;
    if (decision.status == 0) {
        return reply;
    }
    if (decision.note == "forwarded" && app_answer) {
        for (const auto& header : app_answer->headers) {
            if (!is_hop_by_hop(header.name) &&
                strcasecmp(header.name.c_str(), "content-type") != 0) {
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
    receipt = "{\"received\":true,\"id\":" + std::to_string(id);
    if (!payload.call_id.empty()) {
        receipt += ",\"call_id\":\"" + json_escape(payload.call_id) + "\"";
    }
    receipt += ",\"kind\":\"" + payload.kind + "\"";
    if (decision.status == 401) {
        receipt += ",\"error\":\"signature " + json_escape(payload.signature) + "\"";
    }
    receipt += "}";
    return reply;
}

std::optional<WireAnswer> Listener::Impl::serve_wire(WireRequest& request, HandlerThread on) {
    const Clock::time_point started = Clock::now();
    const std::string_view target = request.target;
    if (is_reserved(target)) {
        // Only the health check is served here: the inspector has a port of its own, which a
        // tunnel to this one never reaches.
        WireAnswer reply;
        if ((request.method == "GET" || request.method == "HEAD") &&
            target.substr(0, target.find('?')) == k_health_path) {
            reply.body = health_json();
        } else {
            reply.status = 404;
            reply.body = "{\"error\":\"no such blandhook endpoint\"}";
        }
        reply.headers.emplace_back("Content-Type", "application/json");
        return reply;
    }
    const std::shared_ptr<const AnswerConfig> config = answer.load();
    if (on == HandlerThread::event_loop && (config->delay.count() > 0 || forwarder)) {
        return std::nullopt; // it would block an event loop
    }
    capture::Capture capture = new_capture(std::move(request.method), target);
    capture.headers = std::move(request.headers);
    capture.body = std::move(request.body);
    capture.peer = std::move(request.peer);
    return serve(std::move(capture), *config, started);
}

void Listener::Impl::capture_request(const httplib::Request& request, httplib::Response& response) {
    const Clock::time_point started = Clock::now();
    if (!t_answer_pending) {
        t_answer_pending = true;
        in_flight.fetch_add(1);
    }
    // The raw request target, not httplib's percent-decoded path.
    const std::string& target = request.target.empty() ? request.path : request.target;
    capture::Capture capture = new_capture(request.method, target);
    capture.headers.reserve(request.headers.size());
    for (const auto& [name, value] : request.headers) {
        if (!is_pseudo_header(name)) {
            capture.headers.push_back({name, value});
        }
    }
    // httplib's Request is a local of its connection loop and is not read after the handler
    // returns: taking its body saves a copy of every payload.
    capture.body = std::move(const_cast<httplib::Request&>(request).body);
    capture.peer = request.remote_addr.find(':') != std::string::npos
                       ? "[" + request.remote_addr + "]:" + std::to_string(request.remote_port)
                       : request.remote_addr + ":" + std::to_string(request.remote_port);
    const std::shared_ptr<const AnswerConfig> config = answer.load();
    const WireAnswer reply = serve(std::move(capture), *config, started);
    if (reply.status == 0) {
        if (int fd = find_connection_socket(request); fd >= 0) {
            ::shutdown(fd, SHUT_RDWR);
        }
        response.status = 500;
        response.set_header("Connection", "close");
        return;
    }
    response.status = reply.status;
    std::vector<std::pair<std::string, std::string>> headers = reply.headers;
    const std::string content_type = take_content_type(headers);
    for (const auto& [name, value] : headers) {
        response.headers.emplace(name, value);
    }
    response.set_content(reply.body, content_type.c_str());
}

void Listener::Impl::add_routes() {
    if (routes_added) {
        return;
    }
    routes_added = true;
    auto handler = [this](const httplib::Request& request, httplib::Response& response) {
        if (request.path.compare(0, k_reserved_prefix.size(), k_reserved_prefix) == 0 ||
            request.path == "/_blandhook") {
            response.status = 404;
            response.set_content("{\"error\":\"no such blandhook endpoint\"}", "application/json");
            return;
        }
        capture_request(request, response);
    };
    const std::string all = ".*";
    server->Get(all, handler);
    server->Post(all, handler);
    server->Put(all, handler);
    server->Patch(all, handler);
    server->Delete(all, handler);
    server->Options(all, handler);
}

namespace {

// httplib settings shared by the TLS capture server and the inspector's server.
void configure_httplib(httplib::Server& server, std::size_t max_threads,
                       std::chrono::seconds read_timeout) {
    // httplib's default pool has 8 threads, and each keep-alive connection holds one while idle:
    // 8 idle connections would starve every new sender. This pool grows on demand instead.
    server.new_task_queue = [max_threads] { return new DynamicPool(8, max_threads); };
    // Without TCP_NODELAY small answers wait for the peer's delayed ACK (~40 ms).
    server.set_tcp_nodelay(true);
    server.set_read_timeout(read_timeout);
    server.set_write_timeout(read_timeout);
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
            std::string detail = "internal error";
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& exception) {
                detail = exception.what();
            }
            response.status = 500;
            response.set_content("{\"error\":\"" + json_escape(detail) + "\"}", "application/json");
        });
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
        for (const std::string* file : {&impl.options.tls_cert, &impl.options.tls_key}) {
            if (!std::ifstream(*file)) {
                throw Error(ErrorKind::usage, "TLS", "cannot read " + *file);
            }
        }
        auto server = std::make_unique<httplib::SSLServer>(impl.options.tls_cert.c_str(),
                                                           impl.options.tls_key.c_str());
        if (!server->is_valid()) {
            throw Error(ErrorKind::usage, "TLS",
                        "cannot load the certificate or key (" + impl.options.tls_cert + ", " +
                            impl.options.tls_key + ")",
                        "both must be PEM files and the key must match the certificate");
        }
        impl.server = std::move(server);
        impl.tls = true;
    }
    if (!impl.options.forward_to.empty()) {
        impl.forwarder = std::make_unique<Forwarder>(
            impl.options.forward_to, impl.options.forward_path, impl.options.forward_timeout);
    }
    impl.store = std::make_unique<capture::Store>(impl.options.store);

    // The inspector serves one developer's browser: a few threads, and idle keep-alive
    // connections that end within a second, so that stopping never waits long for them.
    configure_httplib(impl.inspector_server, 128, impl.options.read_timeout);
    impl.inspector_server.set_keep_alive_timeout(1);
    impl.inspector_server.Get(std::string(k_health_path),
                              [this](const httplib::Request&, httplib::Response& response) {
                                  response.set_content(m_impl->health_json(), "application/json");
                              });

    if (!impl.server) {
        return;
    }
    httplib::Server& server = *impl.server;
    configure_httplib(server, impl.options.max_threads, impl.options.read_timeout);
    server.set_socket_options([this](socket_t fd) {
        int yes = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        m_impl->listen_fd = fd;
    });
    server.set_payload_max_length(impl.options.max_body_bytes);
    server.set_keep_alive_timeout(impl.options.keep_alive_timeout.count());
    server.set_keep_alive_max_count(10'000);
    server.Get(std::string(k_health_path),
               [this](const httplib::Request&, httplib::Response& response) {
                   response.set_content(m_impl->health_json(), "application/json");
               });
    // Methods httplib does not route (TRACE, CONNECT …) reach the error handler with their body
    // read: capture them too. Answers the listener chose itself pass through untouched.
    server.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& request, httplib::Response& response) {
            static const char* const k_unrouted[] = {"TRACE", "CONNECT", "PRI"};
            if (response.status == 400 && response.body.empty()) {
                for (const char* method : k_unrouted) {
                    if (request.method == method) {
                        m_impl->capture_request(request, response);
                        return httplib::Server::HandlerResponse::Handled;
                    }
                }
            }
            if (response.status == 413 && response.body.empty()) {
                response.set_content("{\"error\":\"body larger than " +
                                         std::to_string(m_impl->options.max_body_bytes) +
                                         " bytes\"}",
                                     "application/json");
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;
        }));
    server.set_logger([this](const httplib::Request&, const httplib::Response&) {
        if (t_answer_pending) {
            t_answer_pending = false;
            m_impl->in_flight.fetch_sub(1);
            if (m_impl->stopping.load()) {
                std::lock_guard lock(m_impl->in_flight_mutex);
                m_impl->in_flight_cv.notify_all();
            }
        }
    });
}

Listener::~Listener() {
    stop();
}

httplib::Server& Listener::inspector_server() {
    return m_impl->inspector_server;
}

void Listener::start() {
    Impl& impl = *m_impl;
    if (impl.serving) {
        return;
    }
    if (impl.server) {
        impl.add_routes();
    }
    const std::string& host = impl.options.host;
    std::string bind_host = host;
    if (bind_host.size() > 2 && bind_host.front() == '[' && bind_host.back() == ']') {
        bind_host = bind_host.substr(1, bind_host.size() - 2);
    }
    if (!impl.tls) {
        WireServerOptions wire_options;
        wire_options.host = host;
        wire_options.port = impl.options.port;
        wire_options.max_body_bytes = impl.options.max_body_bytes;
        wire_options.read_timeout = impl.options.read_timeout;
        wire_options.keep_alive_timeout = impl.options.keep_alive_timeout;
        wire_options.max_connections = impl.options.max_threads;
        wire_options.max_workers = impl.options.max_threads;
        WireServer::Hooks hooks;
        hooks.handle = [&impl](WireRequest& request, HandlerThread on) {
            return impl.serve_wire(request, on);
        };
        impl.wire = std::make_unique<WireServer>(std::move(wire_options), std::move(hooks));
        impl.port = impl.wire->bind();
    } else if (impl.options.port == 0) {
        impl.port = impl.server->bind_to_any_port(bind_host);
    } else {
        impl.port =
            impl.server->bind_to_port(bind_host, impl.options.port) ? impl.options.port : -1;
    }
    if (impl.port <= 0) {
        const std::string reason = std::strerror(errno);
        throw Error(ErrorKind::network, "listen",
                    "cannot listen on " + host + ":" + std::to_string(impl.options.port) + " (" +
                        reason + ")",
                    "is another program using that port? pick another with --port, or --port 0");
    }
    if (const std::optional<InspectorBind>& bind = impl.options.inspector) {
        httplib::Server& inspector = impl.inspector_server;
        int port = bind->port == 0
                       ? inspector.bind_to_any_port("127.0.0.1")
                       : (inspector.bind_to_port("127.0.0.1", bind->port) ? bind->port : -1);
        if (port <= 0 && bind->any_if_taken) {
            port = inspector.bind_to_any_port("127.0.0.1");
        }
        if (port <= 0) {
            const std::string reason = std::strerror(errno);
            if (impl.wire) {
                impl.wire->stop(std::chrono::milliseconds(0));
                impl.wire.reset();
            }
            throw Error(ErrorKind::network, "listen",
                        "cannot listen on 127.0.0.1:" + std::to_string(bind->port) +
                            " for the inspector (" + reason + ")",
                        "pick another with --inspector-port (0 = any free port), or "
                        "--no-inspector");
        }
        impl.inspector_port = port;
        impl.inspector_ended = false;
        impl.inspector_thread = std::thread([&impl] {
            impl.inspector_server.listen_after_bind();
            impl.inspector_ended = true;
            if (!impl.stopping) {
                impl.running = false; // it ended on its own
            }
        });
        // listen_after_bind sets is_running a moment after it starts; wait so that stop() works.
        while (!impl.inspector_server.is_running() && !impl.inspector_ended) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    // httplib listens with a backlog of 5: a burst of new senders would see dropped SYNs and
    // one-second retransmits. A second listen() raises it.
    if (impl.listen_fd >= 0) {
        ::listen(impl.listen_fd, 4096);
    }
    impl.stopping.store(false);
    impl.running = true;
    impl.serving = true;
    if (impl.wire) {
        impl.wire->start();
        return;
    }
    impl.thread = std::thread([&impl] {
        impl.server->listen_after_bind();
        if (!impl.stopping) {
            impl.running = false; // it ended on its own
        }
    });
    while (!impl.server->is_running() && impl.running) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void Listener::stop() {
    Impl& impl = *m_impl;
    if (!impl.serving) {
        return;
    }
    impl.serving = false;
    impl.stopping.store(true);
    // Requests being handled get their answer first (bounded: a stuck app or a long --delay must
    // not hold the stop forever).
    const auto patience = answer().delay + impl.options.forward_timeout + std::chrono::seconds(2);
    if (impl.wire) {
        impl.wire->stop(std::chrono::duration_cast<std::chrono::milliseconds>(patience));
    }
    if (impl.inspector_thread.joinable()) {
        // Open event streams notice within a tick; idle keep-alive connections within a second.
        impl.inspector_server.stop();
        impl.inspector_thread.join();
    }
    if (impl.thread.joinable()) {
        impl.server->stop();
        {
            std::unique_lock lock(impl.in_flight_mutex);
            impl.in_flight_cv.wait_for(lock, patience, [&] { return impl.in_flight == 0; });
        }
        // Idle keep-alive connections would hold the stop for up to the keep-alive timeout: end
        // reading on every connection to our port.
        const int limit = static_cast<int>(std::min<long>(::sysconf(_SC_OPEN_MAX), 65536));
        for (int fd = 3; fd < limit; ++fd) {
            sockaddr_storage local{};
            socklen_t length = sizeof local;
            if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
                continue;
            }
            int port = -1;
            if (local.ss_family == AF_INET) {
                port = ntohs(reinterpret_cast<const sockaddr_in&>(local).sin_port);
            } else if (local.ss_family == AF_INET6) {
                port = ntohs(reinterpret_cast<const sockaddr_in6&>(local).sin6_port);
            }
            sockaddr_storage remote{};
            socklen_t remote_length = sizeof remote;
            if (port == impl.port &&
                ::getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remote_length) == 0) {
                ::shutdown(fd, SHUT_RD);
            }
        }
        impl.thread.join();
    }
    impl.running = false;
}

bool Listener::running() const {
    return m_impl->running;
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
