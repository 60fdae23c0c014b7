#include "http/wire_server.hpp"

#include "error.hpp"
#include "http/pool.hpp"
#include "http/request_parser.hpp"
#include "util/text.hpp"

#include <arpa/inet.h>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <unordered_set>

namespace blandhook::http {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
        .count();
}

const char* reason_phrase(int status) {
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Payload Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

std::string peer_of(const sockaddr_storage& address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET6) {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
        ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
        return "[" + std::string(text) + "]:" + std::to_string(ntohs(v6.sin6_port));
    }
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(v4.sin_port));
}

// Where a request stands in the bytes received so far.
enum class Progress { incomplete, complete, failed };

// How long a connection that got its last answer is read (and its bytes dropped) before it is
// closed anyway.
constexpr std::int64_t k_linger_ms = 2'000;

// A 500 that closes the connection, naming nothing: what a handler that failed answers.
WireAnswer internal_error() {
    return {500, {{"Content-Type", "application/json"}}, R"({"error":"internal error"})", true};
}

} // namespace

struct Connection {
    int fd = -1;
    SSL* ssl = nullptr;                ///< with TLS: the session (owned)
    bool tls_wants_write = false;      ///< a TLS read must wait for the socket to take bytes
    bool tls_write_wants_read = false; ///< a TLS write must wait for bytes from the peer
    std::string peer;
    std::string in;  ///< received bytes from the start of the current request
    std::string out; ///< answer bytes not yet sent
    std::size_t out_sent = 0;
    bool peer_closed = false;
    bool closing = false;   ///< close once `out` is sent
    bool lingering = false; ///< answered and shut for writing; reading what is left until EOF

    // The request being received.
    RequestParser parser;
    std::int64_t started_ms = 0; ///< when its first byte came

    std::atomic<std::int64_t> deadline_ms{0}; ///< the sweeper closes it after; 0 = never
};

struct WireServer::Impl {
    WireServerOptions options;
    Hooks hooks;
    // Every address the host names ("localhost" is 127.0.0.1 and ::1), on one port.
    std::vector<int> listen_fds;
    std::array<char, 8> listen_markers{}; ///< epoll tags: listen_markers[i] is listen_fds[i]
    int epoll_fd = -1;
    int wake_fd = -1;
    int port = 0;
    char wake_marker = 0;
    std::vector<std::thread> loops;
    std::thread sweeper;
    std::unique_ptr<DynamicPool> workers;
    std::atomic<bool> stopping{false};
    std::atomic<bool> exiting{false};
    bool started = false;
    bool stopped = false;

    mutable std::mutex registry_mutex;
    std::condition_variable registry_cv; ///< registry changed, a handler finished
    std::unordered_set<Connection*> registry;
    std::atomic<int> handling{0}; ///< requests whose answer is not queued yet

    std::mutex sweep_mutex;
    std::condition_variable sweep_cv;

    // ---- connection life ----

    void arm(Connection* c, std::uint32_t events) {
        epoll_event event{};
        // Once the peer has shut its side, RDHUP would fire on every arm: only wait to write.
        event.events = events | EPOLLONESHOT | (c->peer_closed ? 0u : EPOLLRDHUP);
        event.data.ptr = c;
        ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
    }

    void close_connection(Connection* c) {
        {
            std::lock_guard lock(registry_mutex);
            registry.erase(c);
            registry_cv.notify_all();
        }
        ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, nullptr);
        tls_close(c->ssl);
        ::close(c->fd);
        delete c;
    }

    void accept_all(std::size_t index) {
        const int listen_fd = listen_fds[index];
        for (;;) {
            sockaddr_storage address{};
            socklen_t length = sizeof address;
            const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&address), &length,
                                     SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) {
                    continue;
                }
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    // Out of descriptors: back off instead of spinning on the ready socket.
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
                break;
            }
            int yes = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
            bool full = false;
            {
                std::lock_guard lock(registry_mutex);
                full = registry.size() >= options.max_connections;
            }
            if (full && options.tls) {
                ::close(fd); // a plain-text 503 would mean nothing to a TLS client
                continue;
            }
            if (full) {
                static constexpr std::string_view k_busy =
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                    "Content-Length: 37\r\nConnection: close\r\n\r\n"
                    "{\"error\":\"too many open connections\"}";
                [[maybe_unused]] const ssize_t sent =
                    ::send(fd, k_busy.data(), k_busy.size(), MSG_NOSIGNAL);
                ::close(fd);
                continue;
            }
            auto* c = new Connection;
            c->fd = fd;
            if (options.tls) {
                c->ssl = options.tls->accept(fd);
                if (c->ssl == nullptr) {
                    ::close(fd);
                    delete c;
                    continue;
                }
            }
            c->parser = RequestParser(ParseLimits{options.max_body_bytes, options.max_header_bytes,
                                                  options.max_header_count});
            c->peer = peer_of(address);
            c->deadline_ms = now_ms() + options.keep_alive_timeout.count();
            {
                std::lock_guard lock(registry_mutex);
                registry.insert(c);
            }
            epoll_event event{};
            event.events = EPOLLIN | EPOLLONESHOT | EPOLLRDHUP;
            event.data.ptr = c;
            if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
                close_connection(c);
            }
        }
        if (!stopping) {
            epoll_event event{};
            event.events = EPOLLIN | EPOLLONESHOT;
            event.data.ptr = &listen_markers[index];
            ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, listen_fd, &event);
        }
    }

    // Sends what it can of c->out; false when the connection is broken.
    bool flush(Connection* c) {
        c->tls_write_wants_read = false;
        while (c->ssl != nullptr && c->out_sent < c->out.size()) {
            const TlsIo io =
                tls_write(c->ssl, c->out.data() + c->out_sent, c->out.size() - c->out_sent);
            if (io.bytes > 0) {
                c->out_sent += io.bytes;
                continue;
            }
            if (io.want_write) {
                return true;
            }
            if (io.want_read) {
                c->tls_write_wants_read = true; // TLS 1.3 may read (a key update) first
                return true;
            }
            return false;
        }
        while (c->out_sent < c->out.size()) {
            const ssize_t n = ::send(c->fd, c->out.data() + c->out_sent,
                                     c->out.size() - c->out_sent, MSG_NOSIGNAL);
            if (n > 0) {
                c->out_sent += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                return true;
            }
            return false;
        }
        c->out.clear();
        c->out_sent = 0;
        if (c->out.capacity() > (1u << 20)) {
            std::string().swap(c->out);
        }
        return true;
    }

    // The most a connection buffers: one request's worth; the parser fails what is too large.
    std::size_t receive_limit(const Connection* c, std::size_t buffer_size) const {
        return (c->parser.head_done() ? c->parser.body_at() + options.max_body_bytes : 0) +
               options.max_header_bytes + buffer_size;
    }

    // Reads and decrypts everything available; false when the connection is broken.
    bool receive_tls(Connection* c) {
        thread_local char buffer[64 * 1024];
        c->tls_wants_write = false;
        for (;;) {
            const TlsIo io = tls_read(c->ssl, buffer, sizeof buffer);
            if (io.bytes > 0) {
                c->in.append(buffer, io.bytes);
                if (c->in.size() >= receive_limit(c, sizeof buffer)) {
                    return true;
                }
                continue;
            }
            if (io.want_read) {
                return true;
            }
            if (io.want_write) {
                c->tls_wants_write = true; // the handshake waits for the socket to drain
                return true;
            }
            if (io.closed) {
                c->peer_closed = true;
                return true;
            }
            return false;
        }
    }

    // Reads everything available; false when the connection is broken.
    bool receive(Connection* c) {
        if (c->ssl != nullptr && !c->lingering) {
            return receive_tls(c);
        }
        thread_local char buffer[64 * 1024];
        for (;;) {
            const ssize_t n = ::recv(c->fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                c->in.append(buffer, static_cast<std::size_t>(n));
                if (static_cast<std::size_t>(n) < sizeof buffer) {
                    return true; // drained for now; re-arming re-checks readiness
                }
                if (c->in.size() >= receive_limit(c, sizeof buffer)) {
                    return true;
                }
                continue;
            }
            if (n == 0) {
                c->peer_closed = true;
                return true;
            }
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return true;
            }
            return false;
        }
    }

    // What the answer to a request depends on besides the handler's WireAnswer.
    struct Asked {
        bool keep_alive = false;
        bool http10 = false;
        bool head_only = false;
    };

    void queue_answer(Connection* c, const WireAnswer& answer, const Asked& asked) {
        std::string& out = c->out;
        const bool close = !asked.keep_alive || answer.close || stopping;
        out.append("HTTP/1.1 ");
        out.append(std::to_string(answer.status));
        out.push_back(' ');
        out.append(reason_phrase(answer.status));
        out.append("\r\n");
        for (const auto& [name, value] : answer.headers) {
            if (util::iequals_ascii(name, "content-length") ||
                util::iequals_ascii(name, "connection") ||
                util::iequals_ascii(name, "transfer-encoding")) {
                continue;
            }
            out.append(name);
            out.append(": ");
            for (char ch : value) {
                out.push_back(ch == '\r' || ch == '\n' ? ' ' : ch);
            }
            out.append("\r\n");
        }
        const bool bodyless = answer.status == 204 || answer.status == 304;
        if (!bodyless) {
            out.append("Content-Length: ");
            out.append(std::to_string(answer.body.size()));
            out.append("\r\n");
        }
        if (close) {
            out.append("Connection: close\r\n");
            c->closing = true;
        } else if (asked.http10) {
            out.append("Connection: keep-alive\r\n");
        }
        out.append("\r\n");
        if (!asked.head_only && !bodyless) {
            out.append(answer.body);
        }
    }

    void fail(Connection* c, const ParseFailure& failure) {
        WireAnswer answer;
        answer.status = failure.status;
        answer.headers.emplace_back("Content-Type", "application/json");
        std::string message;
        for (char ch : failure.message) {
            if (ch == '"' || ch == '\\') {
                message.push_back('\\');
            }
            message.push_back(ch);
        }
        answer.body = R"({"error":")" + message + R"("})";
        queue_answer(c, answer, Asked{});
        c->in.clear();
    }

    // ---- parsing ----

    // Advances the request at the front of c->in; a head that waits for "100 Continue" gets it.
    Progress advance(Connection* c, ParseFailure& failure) {
        RequestParser& parser = c->parser;
        RequestParser::Step step = parser.advance(c->in);
        if (c->started_ms == 0 && (parser.head_done() || !c->in.empty())) {
            c->started_ms = now_ms(); // the request's first bytes are here
        }
        if (step == RequestParser::Step::head) {
            if (parser.wants_continue(c->in)) {
                c->out.append("HTTP/1.1 100 Continue\r\n\r\n");
            }
            step = parser.advance(c->in);
        }
        switch (step) {
        case RequestParser::Step::complete:
            return Progress::complete;
        case RequestParser::Step::failed:
            failure = parser.failure();
            return Progress::failed;
        default:
            return Progress::incomplete;
        }
    }

    enum class Next { rearm, handed_off, close };

    // Works through the buffered requests of a connection this thread owns.
    Next drive(Connection* c) {
        for (;;) {
            if (!c->out.empty() && !flush(c)) {
                return Next::close;
            }
            if (!c->out.empty()) {
                return Next::rearm; // the peer reads slowly: wait for it before reading more
            }
            if (c->lingering) {
                c->in.clear(); // what a refused sender still sends is read and dropped
                return c->peer_closed ? Next::close : Next::rearm;
            }
            if (c->closing) {
                // Closing at once with the sender's bytes unread would make the kernel send a
                // reset, which can destroy the answer before the sender reads it (a 413 during
                // an upload). Shut writing, then read until the sender closes (RFC 9112 9.6).
                if (c->ssl != nullptr) {
                    tls_notify_close(c->ssl);
                }
                if (c->peer_closed || ::shutdown(c->fd, SHUT_WR) != 0) {
                    return Next::close;
                }
                c->lingering = true;
                c->in.clear();
                return Next::rearm;
            }
            ParseFailure failure;
            const Progress progress = advance(c, failure);
            if (progress == Progress::failed) {
                fail(c, failure);
                continue; // sends it, then closes
            }
            if (progress == Progress::incomplete) {
                if (c->peer_closed) {
                    return Next::close;
                }
                if (!c->out.empty() && !flush(c)) { // a 100 Continue
                    return Next::close;
                }
                return Next::rearm;
            }
            // A whole request: take it off the buffer and answer it.
            WireRequest request = std::move(c->parser.request());
            request.peer = c->peer;
            const Asked asked{c->parser.keep_alive(), request.version == "HTTP/1.0",
                              c->parser.head_only()};
            c->in.erase(0, c->parser.end());
            if (c->in.capacity() > (1u << 20) && c->in.size() < (64u << 10)) {
                c->in.shrink_to_fit(); // an idle keep-alive connection must not pin a big body
            }
            c->parser.reset();
            c->started_ms = 0;
            handling.fetch_add(1);
            std::optional<WireAnswer> answer = call_handler(request, HandlerThread::event_loop);
            if (!answer) {
                c->deadline_ms = 0;
                workers->enqueue([this, c, request = std::move(request), asked]() mutable {
                    std::optional<WireAnswer> late = call_handler(request, HandlerThread::worker);
                    if (!late) {
                        late = internal_error();
                    }
                    answered(c, *late, asked);
                    finish(c, drive(c));
                });
                return Next::handed_off;
            }
            answered(c, *answer, asked);
        }
    }

    // The handler's answer; an exception becomes a 500 that closes the connection. Its message
    // stays here: it may name local files (the capture log's path), and the sender may be anyone
    // on the internet behind a tunnel.
    std::optional<WireAnswer> call_handler(WireRequest& request, HandlerThread thread) {
        try {
            return hooks.handle(request, thread);
        } catch (const std::exception&) {
            return internal_error();
        }
    }

    void answered(Connection* c, const WireAnswer& answer, const Asked& asked) {
        if (answer.status == 0) {
            ::shutdown(c->fd, SHUT_RDWR); // --drop: no answer at all
            c->closing = true;
        } else {
            queue_answer(c, answer, asked);
        }
        if (handling.fetch_sub(1) == 1 && stopping) {
            std::lock_guard lock(registry_mutex);
            registry_cv.notify_all();
        }
    }

    void finish(Connection* c, Next next) {
        if (next == Next::handed_off) {
            return;
        }
        if (next == Next::close || (c->peer_closed && c->out.empty())) {
            close_connection(c);
            return;
        }
        const std::int64_t now = now_ms();
        if (!c->out.empty()) {
            c->deadline_ms = now + options.read_timeout.count();
            arm(c, c->tls_write_wants_read ? EPOLLIN : EPOLLOUT);
            return;
        }
        if (c->peer_closed) {
            close_connection(c);
            return;
        }
        if (c->lingering) {
            c->deadline_ms = now + k_linger_ms;
            arm(c, EPOLLIN);
            return;
        }
        if (c->in.empty() && !c->parser.head_done()) {
            c->deadline_ms = now + options.keep_alive_timeout.count();
        } else if (!c->parser.head_done()) {
            // The head must arrive within one read timeout of its first byte.
            c->deadline_ms = c->started_ms + std::min(options.read_timeout.count(),
                                                      options.request_timeout.count());
        } else {
            // The body must keep moving, and the whole request arrive within request_timeout
            // (a byte every few seconds would otherwise hold the connection for ever).
            c->deadline_ms = std::min(now + options.read_timeout.count(),
                                      c->started_ms + options.request_timeout.count());
        }
        // Decrypted bytes OpenSSL holds already, or a handshake that waits to write, are not
        // socket readiness epoll would report: ask for writability, which comes at once.
        arm(c, tls_has_more(c) ? EPOLLIN | EPOLLOUT : EPOLLIN);
    }

    static bool tls_has_more(Connection* c) {
        return c->ssl != nullptr && !c->lingering &&
               (c->tls_wants_write || tls_pending(c->ssl) > 0);
    }

    void on_event(Connection* c, std::uint32_t events) {
        c->deadline_ms = 0; // owned by this thread now: the sweeper leaves it alone
        if (((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0 || tls_has_more(c)) &&
            (!c->closing || c->lingering)) {
            if (!receive(c)) {
                close_connection(c);
                return;
            }
        }
        if ((events & EPOLLERR) != 0 && (events & EPOLLIN) == 0) {
            close_connection(c);
            return;
        }
        finish(c, drive(c));
    }

    // ---- threads ----

    void loop() {
        constexpr int k_batch = 64;
        epoll_event events[k_batch];
        while (!exiting) {
            const int n = ::epoll_wait(epoll_fd, events, k_batch, -1);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                break;
            }
            for (int i = 0; i < n; ++i) {
                void* tag = events[i].data.ptr;
                if (tag == &wake_marker) {
                    continue;
                }
                if (tag >= listen_markers.data() &&
                    tag < listen_markers.data() + listen_fds.size()) {
                    accept_all(
                        static_cast<std::size_t>(static_cast<char*>(tag) - listen_markers.data()));
                    continue;
                }
                on_event(static_cast<Connection*>(tag), events[i].events);
            }
        }
    }

    void sweep() {
        std::unique_lock lock(sweep_mutex);
        while (!exiting) {
            sweep_cv.wait_for(lock, std::chrono::milliseconds(100));
            const std::int64_t now = now_ms();
            std::lock_guard registry_lock(registry_mutex);
            for (Connection* c : registry) {
                const std::int64_t deadline = c->deadline_ms.load();
                if (deadline > 0 && now > deadline) {
                    c->deadline_ms = 0;
                    ::shutdown(c->fd, SHUT_RDWR); // its owner sees the hang-up and closes it
                }
            }
        }
    }
};

WireServer::WireServer(WireServerOptions options, Hooks hooks) : m_impl(std::make_unique<Impl>()) {
    m_impl->options = std::move(options);
    m_impl->hooks = std::move(hooks);
}

WireServer::~WireServer() {
    stop(std::chrono::milliseconds(0));
}

int WireServer::bind() {
    Impl& impl = *m_impl;
    std::string host = impl.options.host;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    const std::string port_text = std::to_string(impl.options.port);
    if (const int status = ::getaddrinfo(host.c_str(), port_text.c_str(), &hints, &found);
        status != 0) {
        throw Error(ErrorKind::network, "listen",
                    "cannot listen on " + impl.options.host + ": " + ::gai_strerror(status),
                    "give --host an IP address or a name of this machine");
    }
    // Every address the name resolves to is bound, on the port the first one got: a sender that
    // resolves "localhost" to ::1 and one that uses 127.0.0.1 both reach the listener. Only the
    // first address must succeed.
    int error = 0;
    for (addrinfo* at = found; at != nullptr && impl.listen_fds.size() < impl.listen_markers.size();
         at = at->ai_next) {
        sockaddr_storage address{};
        std::memcpy(&address, at->ai_addr, std::min<std::size_t>(at->ai_addrlen, sizeof address));
        if (!impl.listen_fds.empty()) {
            const auto port = htons(static_cast<std::uint16_t>(impl.port));
            if (address.ss_family == AF_INET6) {
                reinterpret_cast<sockaddr_in6&>(address).sin6_port = port;
            } else {
                reinterpret_cast<sockaddr_in&>(address).sin_port = port;
            }
        }
        const int fd = ::socket(at->ai_family, at->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                at->ai_protocol);
        if (fd < 0) {
            error = errno;
            continue;
        }
        int yes = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        if (at->ai_family == AF_INET6 && !impl.listen_fds.empty()) {
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof yes); // v4 is bound already
        }
        if (::bind(fd, reinterpret_cast<sockaddr*>(&address), at->ai_addrlen) != 0 ||
            ::listen(fd, 4096) != 0) {
            error = errno;
            ::close(fd);
            continue;
        }
        if (impl.listen_fds.empty()) {
            sockaddr_storage bound{};
            socklen_t length = sizeof bound;
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
            impl.port = bound.ss_family == AF_INET6
                            ? ntohs(reinterpret_cast<const sockaddr_in6&>(bound).sin6_port)
                            : ntohs(reinterpret_cast<const sockaddr_in&>(bound).sin_port);
        }
        impl.listen_fds.push_back(fd);
    }
    ::freeaddrinfo(found);
    if (impl.listen_fds.empty()) {
        throw Error(ErrorKind::network, "listen",
                    "cannot listen on " + impl.options.host + ":" + port_text + " (" +
                        std::strerror(error) + ")",
                    "is another program using that port? pick another with --port, or --port 0");
    }
    return impl.port;
}

void WireServer::start() {
    Impl& impl = *m_impl;
    if (impl.started || impl.listen_fds.empty()) {
        return;
    }
    impl.started = true;
    impl.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    impl.wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (impl.epoll_fd < 0 || impl.wake_fd < 0) {
        throw Error(ErrorKind::internal, "listen", std::string("epoll: ") + std::strerror(errno));
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLONESHOT;
    for (std::size_t i = 0; i < impl.listen_fds.size(); ++i) {
        event.data.ptr = &impl.listen_markers[i];
        ::epoll_ctl(impl.epoll_fd, EPOLL_CTL_ADD, impl.listen_fds[i], &event);
    }
    epoll_event wake{};
    wake.events = EPOLLIN; // level-triggered and never drained: wakes every loop at exit
    wake.data.ptr = &impl.wake_marker;
    ::epoll_ctl(impl.epoll_fd, EPOLL_CTL_ADD, impl.wake_fd, &wake);
    impl.workers = std::make_unique<DynamicPool>(0, impl.options.max_workers);
    const unsigned cores = std::max(2u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < cores; ++i) {
        impl.loops.emplace_back([&impl] { impl.loop(); });
    }
    impl.sweeper = std::thread([&impl] { impl.sweep(); });
}

void WireServer::stop(std::chrono::milliseconds patience) {
    Impl& impl = *m_impl;
    if (impl.stopped) {
        return;
    }
    impl.stopped = true;
    impl.stopping = true;
    if (!impl.started) {
        for (const int fd : impl.listen_fds) {
            ::close(fd);
        }
        return;
    }
    for (const int fd : impl.listen_fds) {
        ::epoll_ctl(impl.epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    }
    {
        // Requests being handled finish and their answers are queued; then a moment for the
        // answers to leave before every connection is shut.
        std::unique_lock lock(impl.registry_mutex);
        impl.registry_cv.wait_for(lock, patience, [&] { return impl.handling == 0; });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    {
        std::lock_guard lock(impl.registry_mutex);
        for (Connection* c : impl.registry) {
            ::shutdown(c->fd, SHUT_RDWR);
        }
    }
    {
        std::unique_lock lock(impl.registry_mutex);
        impl.registry_cv.wait_for(lock, std::chrono::seconds(2),
                                  [&] { return impl.registry.empty() && impl.handling == 0; });
    }
    impl.exiting = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(impl.wake_fd, &one, sizeof one);
    impl.sweep_cv.notify_all();
    for (std::thread& thread : impl.loops) {
        thread.join();
    }
    impl.sweeper.join();
    impl.workers->shutdown();
    {
        std::lock_guard lock(impl.registry_mutex);
        for (Connection* c : impl.registry) {
            tls_close(c->ssl);
            ::close(c->fd);
            delete c;
        }
        impl.registry.clear();
    }
    for (const int fd : impl.listen_fds) {
        ::close(fd);
    }
    ::close(impl.wake_fd);
    ::close(impl.epoll_fd);
}

std::size_t WireServer::connections() const {
    std::lock_guard lock(m_impl->registry_mutex);
    return m_impl->registry.size();
}

} // namespace blandhook::http
