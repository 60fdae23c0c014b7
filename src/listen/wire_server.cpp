#include "listen/wire_server.hpp"

#include "error.hpp"
#include "listen/pool.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <unordered_set>

namespace blandhook::listen {
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

bool is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i]);
        const auto y = static_cast<unsigned char>(b[i]);
        if (x != y && std::tolower(x) != std::tolower(y)) {
            return false;
        }
    }
    return true;
}

std::string_view trim_ows(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// True when the comma-separated list `value` holds `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        if (iequals(trim_ows(value.substr(0, comma)), token)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        value.remove_prefix(comma + 1);
    }
    return false;
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

struct Failure {
    int status;
    std::string message;
};

// Where a request stands in the bytes received so far.
enum class Progress { incomplete, complete, failed, relayed };

enum class ChunkStage { size_line, data, data_end, trailers };

// How long a connection that got its last answer is read (and its bytes dropped) before it is
// closed anyway.
constexpr std::int64_t k_linger_ms = 2'000;

} // namespace

struct Connection {
    int fd = -1;
    std::string peer;
    std::string in;  ///< received bytes from the start of the current request
    std::string out; ///< answer bytes not yet sent
    std::size_t out_sent = 0;
    bool peer_closed = false;
    bool closing = false;   ///< close once `out` is sent
    bool lingering = false; ///< answered and shut for writing; reading what is left until EOF

    // The request being received.
    bool head_done = false;
    std::size_t scanned = 0; ///< `in` searched for the end of the head up to here
    std::size_t body_at = 0; ///< offset of the body in `in`
    std::size_t end_at = 0;  ///< offset just past the request (when complete)
    std::int64_t started_ms = 0;
    WireRequest request;
    bool keep_alive = true;
    bool head_only = false; ///< HEAD: the answer has no body
    bool chunked = false;
    std::size_t content_length = 0;
    ChunkStage chunk_stage = ChunkStage::size_line;
    std::size_t chunk_at = 0;   ///< next unparsed byte of the chunked body
    std::size_t chunk_left = 0; ///< data bytes left in the current chunk

    std::atomic<std::int64_t> deadline_ms{0}; ///< the sweeper closes it after; 0 = never
    std::atomic<int> relay_fd{-1};

    void reset_request() {
        head_done = false;
        scanned = 0;
        body_at = 0;
        end_at = 0;
        started_ms = 0;
        request = WireRequest{};
        head_only = false;
        chunked = false;
        content_length = 0;
        chunk_stage = ChunkStage::size_line;
        chunk_at = 0;
        chunk_left = 0;
    }
};

struct WireServer::Impl {
    WireServerOptions options;
    Hooks hooks;
    int listen_fd = -1;
    int epoll_fd = -1;
    int wake_fd = -1;
    int port = 0;
    char listen_marker = 0;
    char wake_marker = 0;
    std::vector<std::thread> loops;
    std::thread sweeper;
    std::unique_ptr<DynamicPool> workers;
    std::atomic<bool> stopping{false};
    std::atomic<bool> exiting{false};
    bool started = false;
    bool stopped = false;

    mutable std::mutex registry_mutex;
    std::condition_variable registry_cv; ///< registry changed, a relay ended, a handler finished
    std::unordered_set<Connection*> registry;
    int relays = 0;
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
        ::close(c->fd);
        delete c;
    }

    void accept_all() {
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
            event.data.ptr = &listen_marker;
            ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, listen_fd, &event);
        }
    }

    // Sends what it can of c->out; false when the connection is broken.
    bool flush(Connection* c) {
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

    // Reads everything available; false when the connection is broken.
    bool receive(Connection* c) {
        thread_local char buffer[64 * 1024];
        for (;;) {
            const ssize_t n = ::recv(c->fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                c->in.append(buffer, static_cast<std::size_t>(n));
                if (static_cast<std::size_t>(n) < sizeof buffer) {
                    return true; // drained for now; re-arming re-checks readiness
                }
                // Never hold more than one request's worth: the parser fails what is too large.
                const std::size_t limit = (c->head_done ? c->body_at + options.max_body_bytes : 0) +
                                          options.max_header_bytes + sizeof buffer;
                if (c->in.size() >= limit) {
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
            if (iequals(name, "content-length") || iequals(name, "connection") ||
                iequals(name, "transfer-encoding")) {
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

    void fail(Connection* c, const Failure& failure) {
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
        answer.body = "{\"error\":\"" + message + "\"}";
        queue_answer(c, answer, Asked{});
        c->in.clear();
    }

    // ---- parsing ----

    std::optional<Failure> parse_head(Connection* c, std::string_view head) {
        WireRequest& request = c->request;
        std::size_t line_end = head.find('\n');
        std::string_view line = head.substr(0, line_end);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        const std::size_t first_space = line.find(' ');
        const std::size_t second_space =
            first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
        if (first_space == std::string_view::npos || second_space == std::string_view::npos ||
            line.find(' ', second_space + 1) != std::string_view::npos) {
            return Failure{400, "malformed request line"};
        }
        const std::string_view method = line.substr(0, first_space);
        const std::string_view target =
            line.substr(first_space + 1, second_space - first_space - 1);
        const std::string_view version = line.substr(second_space + 1);
        if (method.empty()) {
            return Failure{400, "malformed request line"};
        }
        for (char ch : method) {
            if (!is_tchar(static_cast<unsigned char>(ch))) {
                return Failure{400, "malformed method"};
            }
        }
        if (target.empty()) {
            return Failure{400, "empty request target"};
        }
        for (char ch : target) {
            const auto byte = static_cast<unsigned char>(ch);
            if (byte <= 0x20 || byte == 0x7f) {
                return Failure{400, "control character in the request target"};
            }
        }
        if (version != "HTTP/1.1" && version != "HTTP/1.0") {
            if (version.substr(0, 5) == "HTTP/") {
                return Failure{505, "only HTTP/1.0 and HTTP/1.1 are served"};
            }
            return Failure{400, "malformed request line"};
        }
        request.method = method;
        request.target = target;
        request.version = version;
        request.peer = c->peer;
        c->head_only = method == "HEAD";

        std::size_t count = 0;
        while (line_end != std::string_view::npos && line_end + 1 < head.size()) {
            const std::size_t start = line_end + 1;
            line_end = head.find('\n', start);
            line = head.substr(start,
                               line_end == std::string_view::npos ? line_end : line_end - start);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            if (line.empty()) {
                break;
            }
            if (line.find('\0') != std::string_view::npos) {
                return Failure{400, "NUL in a header"};
            }
            if (line.front() == ' ' || line.front() == '\t') {
                // Obsolete line folding: joined to the previous value with a space (RFC 9112 5.2).
                if (request.headers.empty()) {
                    return Failure{400, "a folded line without a header before it"};
                }
                const std::string_view more = trim_ows(line);
                if (!more.empty()) {
                    request.headers.back().value += ' ';
                    request.headers.back().value.append(more);
                }
                continue;
            }
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos || colon == 0) {
                return Failure{400, "a header line without a name and a colon"};
            }
            const std::string_view name = line.substr(0, colon);
            for (char ch : name) {
                if (!is_tchar(static_cast<unsigned char>(ch))) {
                    return Failure{400, "malformed header name"};
                }
            }
            if (++count > options.max_header_count) {
                return Failure{431, "more than " + std::to_string(options.max_header_count) +
                                        " header fields"};
            }
            request.headers.push_back(
                {std::string(name), std::string(trim_ows(line.substr(colon + 1)))});
        }

        // Framing.
        bool has_length = false;
        std::string_view length_text;
        bool has_encoding = false;
        std::string encoding;
        bool connection_close = false;
        bool connection_keep_alive = false;
        for (const capture::Header& header : request.headers) {
            if (iequals(header.name, "content-length")) {
                if (has_length && header.value != length_text) {
                    return Failure{400, "conflicting Content-Length headers"};
                }
                has_length = true;
                length_text = header.value;
            } else if (iequals(header.name, "transfer-encoding")) {
                if (has_encoding) {
                    encoding += ",";
                }
                has_encoding = true;
                encoding += header.value;
            } else if (iequals(header.name, "connection")) {
                connection_close = connection_close || has_token(header.value, "close");
                connection_keep_alive =
                    connection_keep_alive || has_token(header.value, "keep-alive");
            }
        }
        c->keep_alive = version == "HTTP/1.1" ? !connection_close
                                              : (connection_keep_alive && !connection_close);
        if (has_encoding) {
            if (has_length) {
                return Failure{400, "both Content-Length and Transfer-Encoding"};
            }
            if (version == "HTTP/1.0" || !iequals(trim_ows(encoding), "chunked")) {
                return Failure{501, "only the chunked transfer coding is supported"};
            }
            c->chunked = true;
        } else if (has_length) {
            if (length_text.empty() || length_text.size() > 19) {
                return Failure{length_text.empty() ? 400 : 413, "bad Content-Length"};
            }
            std::size_t length = 0;
            for (char ch : length_text) {
                if (ch < '0' || ch > '9') {
                    return Failure{400, "Content-Length is not a number"};
                }
                length = length * 10 + static_cast<std::size_t>(ch - '0');
            }
            if (length > options.max_body_bytes) {
                return Failure{413, "body larger than " + std::to_string(options.max_body_bytes) +
                                        " bytes"};
            }
            c->content_length = length;
        }
        return std::nullopt;
    }

    // Moves the chunked body along; complete once the last chunk and its trailers are in.
    Progress decode_chunks(Connection* c, Failure& failure) {
        std::string& in = c->in;
        for (;;) {
            switch (c->chunk_stage) {
            case ChunkStage::size_line: {
                const std::size_t end = in.find('\n', c->chunk_at);
                if (end == std::string::npos) {
                    if (in.size() - c->chunk_at > 1024) {
                        failure = {400, "chunk size line too long"};
                        return Progress::failed;
                    }
                    return Progress::incomplete;
                }
                std::string_view line(in.data() + c->chunk_at, end - c->chunk_at);
                if (!line.empty() && line.back() == '\r') {
                    line.remove_suffix(1);
                }
                line = trim_ows(line.substr(0, line.find(';')));
                if (line.empty() || line.size() > 15) {
                    failure = {line.empty() ? 400 : 413, "bad chunk size"};
                    return Progress::failed;
                }
                std::size_t size = 0;
                for (char ch : line) {
                    const int digit = (ch >= '0' && ch <= '9')   ? ch - '0'
                                      : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                                      : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                                                 : -1;
                    if (digit < 0) {
                        failure = {400, "chunk size is not hexadecimal"};
                        return Progress::failed;
                    }
                    size = size * 16 + static_cast<std::size_t>(digit);
                }
                if (c->request.body.size() + size > options.max_body_bytes) {
                    failure = {413, "body larger than " + std::to_string(options.max_body_bytes) +
                                        " bytes"};
                    return Progress::failed;
                }
                c->chunk_at = end + 1;
                c->chunk_left = size;
                c->chunk_stage = size == 0 ? ChunkStage::trailers : ChunkStage::data;
                break;
            }
            case ChunkStage::data: {
                const std::size_t available = std::min(c->chunk_left, in.size() - c->chunk_at);
                c->request.body.append(in, c->chunk_at, available);
                c->chunk_at += available;
                c->chunk_left -= available;
                if (c->chunk_left > 0) {
                    // Keep `in` small: what is decoded is not needed again (unless relayed, which
                    // is decided before any body arrives).
                    in.erase(c->body_at, c->chunk_at - c->body_at);
                    c->chunk_at = c->body_at;
                    return Progress::incomplete;
                }
                c->chunk_stage = ChunkStage::data_end;
                break;
            }
            case ChunkStage::data_end: {
                if (in.size() - c->chunk_at < 1) {
                    return Progress::incomplete;
                }
                if (in[c->chunk_at] == '\r') {
                    if (in.size() - c->chunk_at < 2) {
                        return Progress::incomplete;
                    }
                    ++c->chunk_at;
                }
                if (in[c->chunk_at] != '\n') {
                    failure = {400, "chunk data longer than its size"};
                    return Progress::failed;
                }
                ++c->chunk_at;
                c->chunk_stage = ChunkStage::size_line;
                break;
            }
            case ChunkStage::trailers: {
                const std::size_t end = in.find('\n', c->chunk_at);
                if (end == std::string::npos) {
                    if (in.size() - c->body_at > options.max_header_bytes) {
                        failure = {431, "trailers too large"};
                        return Progress::failed;
                    }
                    return Progress::incomplete;
                }
                const bool blank =
                    end == c->chunk_at || (end == c->chunk_at + 1 && in[c->chunk_at] == '\r');
                c->chunk_at = end + 1;
                if (blank) {
                    c->end_at = c->chunk_at;
                    return Progress::complete;
                }
                break;
            }
            }
        }
    }

    // Advances the request at the front of c->in.
    Progress advance(Connection* c, Failure& failure) {
        std::string& in = c->in;
        if (!c->head_done) {
            // Blank lines before a request line are ignored (RFC 9112 2.2).
            std::size_t skip = 0;
            while (skip < in.size() && (in[skip] == '\r' || in[skip] == '\n')) {
                ++skip;
            }
            if (skip > 0) {
                in.erase(0, skip);
                c->scanned = 0;
            }
            if (in.empty()) {
                return Progress::incomplete;
            }
            if (c->started_ms == 0) {
                c->started_ms = now_ms();
            }
            const std::size_t from = c->scanned > 3 ? c->scanned - 3 : 0;
            std::size_t head_end = std::string::npos;
            for (std::size_t at = in.find('\n', from); at != std::string::npos;
                 at = in.find('\n', at + 1)) {
                if (at + 1 < in.size() && in[at + 1] == '\n') {
                    head_end = at + 2;
                    break;
                }
                if (at + 2 < in.size() && in[at + 1] == '\r' && in[at + 2] == '\n') {
                    head_end = at + 3;
                    break;
                }
            }
            if (head_end == std::string::npos) {
                c->scanned = in.size();
                if (in.size() > options.max_header_bytes) {
                    const bool line_done = in.find('\n') != std::string::npos;
                    failure = line_done ? Failure{431, "request headers too large"}
                                        : Failure{414, "request line too long"};
                    return Progress::failed;
                }
                return Progress::incomplete;
            }
            if (head_end > options.max_header_bytes) {
                failure = {431, "request headers too large"};
                return Progress::failed;
            }
            if (auto problem = parse_head(c, std::string_view(in.data(), head_end))) {
                failure = *problem;
                return Progress::failed;
            }
            c->head_done = true;
            c->body_at = head_end;
            c->chunk_at = head_end;
            if (hooks.relayed && hooks.relay_port > 0 && hooks.relayed(c->request.target)) {
                return Progress::relayed;
            }
            const bool body_waiting =
                c->chunked ? in.size() == head_end : in.size() - head_end < c->content_length;
            if (body_waiting && c->request.version == "HTTP/1.1") {
                for (const capture::Header& header : c->request.headers) {
                    if (iequals(header.name, "expect") && iequals(header.value, "100-continue")) {
                        c->out.append("HTTP/1.1 100 Continue\r\n\r\n");
                        break;
                    }
                }
            }
        }
        if (c->chunked) {
            return decode_chunks(c, failure);
        }
        if (in.size() - c->body_at < c->content_length) {
            if (in.capacity() < c->body_at + c->content_length) {
                in.reserve(c->body_at + c->content_length);
            }
            return Progress::incomplete;
        }
        c->request.body.assign(in, c->body_at, c->content_length);
        c->end_at = c->body_at + c->content_length;
        return Progress::complete;
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
                if (c->peer_closed || ::shutdown(c->fd, SHUT_WR) != 0) {
                    return Next::close;
                }
                c->lingering = true;
                c->in.clear();
                return Next::rearm;
            }
            Failure failure{400, ""};
            const Progress progress = advance(c, failure);
            if (progress == Progress::failed) {
                fail(c, failure);
                continue; // sends it, then closes
            }
            if (progress == Progress::relayed) {
                start_relay(c);
                return Next::handed_off;
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
            WireRequest request = std::move(c->request);
            const Asked asked{c->keep_alive, request.version == "HTTP/1.0", c->head_only};
            c->in.erase(0, c->end_at);
            c->reset_request();
            handling.fetch_add(1);
            std::optional<WireAnswer> answer = call_handler(request, HandlerThread::event_loop);
            if (!answer) {
                c->deadline_ms = 0;
                workers->enqueue([this, c, request = std::move(request), asked]() mutable {
                    std::optional<WireAnswer> late = call_handler(request, HandlerThread::worker);
                    if (!late) {
                        late = WireAnswer{500,
                                          {{"Content-Type", "application/json"}},
                                          "{\"error\":\"internal error\"}",
                                          true};
                    }
                    answered(c, *late, asked);
                    finish(c, drive(c));
                });
                return Next::handed_off;
            }
            answered(c, *answer, asked);
        }
    }

    // The handler's answer; an exception becomes a 500 that closes the connection.
    std::optional<WireAnswer> call_handler(WireRequest& request, HandlerThread thread) {
        try {
            return hooks.handle(request, thread);
        } catch (const std::exception& error) {
            std::string text;
            for (char ch : std::string_view(error.what())) {
                text +=
                    (ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) ? ' ' : ch;
            }
            return WireAnswer{
                500, {{"Content-Type", "application/json"}}, "{\"error\":\"" + text + "\"}", true};
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
            arm(c, EPOLLOUT);
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
        if (c->in.empty() && !c->head_done) {
            c->deadline_ms = now + options.keep_alive_timeout.count();
        } else if (!c->head_done) {
            // The head must arrive within one read timeout of its first byte.
            c->deadline_ms = c->started_ms + options.read_timeout.count();
        } else {
            c->deadline_ms = now + options.read_timeout.count();
        }
        arm(c, EPOLLIN);
    }

    void on_event(Connection* c, std::uint32_t events) {
        c->deadline_ms = 0; // owned by this thread now: the sweeper leaves it alone
        if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0 &&
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

    // ---- relay to the internal server ----

    void start_relay(Connection* c) {
        ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, nullptr);
        c->deadline_ms = 0;
        {
            std::lock_guard lock(registry_mutex);
            ++relays;
        }
        std::thread([this, c] {
            relay(c);
            {
                std::lock_guard lock(registry_mutex);
                registry.erase(c);
                --relays;
                registry_cv.notify_all();
            }
            ::close(c->fd);
            delete c;
        }).detach();
    }

    static bool send_all(int fd, const char* data, std::size_t size) {
        while (size > 0) {
            const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
            if (n > 0) {
                data += n;
                size -= static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                pollfd wait{fd, POLLOUT, 0};
                if (::poll(&wait, 1, 30'000) <= 0) {
                    return false;
                }
                continue;
            }
            return false;
        }
        return true;
    }

    void relay(Connection* c) {
        const int up = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (up < 0) {
            return;
        }
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(hooks.relay_port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(up, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            ::close(up);
            return;
        }
        int yes = 1;
        ::setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        sockaddr_in local{};
        socklen_t length = sizeof local;
        ::getsockname(up, reinterpret_cast<sockaddr*>(&local), &length);
        const int local_port = ntohs(local.sin_port);
        if (hooks.relay_started) {
            hooks.relay_started(local_port, c->peer);
        }
        c->relay_fd = up;
        if (stopping) {
            ::shutdown(up, SHUT_RDWR);
        }
        bool ok = send_all(up, c->in.data(), c->in.size());
        c->in.clear();
        bool client_open = ok;
        bool up_open = ok;
        char buffer[64 * 1024];
        while (up_open) {
            pollfd fds[2] = {{client_open ? c->fd : -1, POLLIN, 0}, {up, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) {
                    continue;
                }
                break;
            }
            if (client_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
                const ssize_t n = ::recv(c->fd, buffer, sizeof buffer, 0);
                if (n > 0) {
                    if (!send_all(up, buffer, static_cast<std::size_t>(n))) {
                        break;
                    }
                } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                    client_open = false;
                    ::shutdown(up, SHUT_WR);
                }
            }
            if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
                const ssize_t n = ::recv(up, buffer, sizeof buffer, 0);
                if (n > 0) {
                    if (!send_all(c->fd, buffer, static_cast<std::size_t>(n))) {
                        break;
                    }
                } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                    up_open = false;
                }
            }
        }
        c->relay_fd = -1;
        if (hooks.relay_ended) {
            hooks.relay_ended(local_port);
        }
        ::close(up);
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
                if (tag == &listen_marker) {
                    accept_all();
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
    int error = 0;
    for (addrinfo* at = found; at != nullptr; at = at->ai_next) {
        const int fd = ::socket(at->ai_family, at->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                at->ai_protocol);
        if (fd < 0) {
            error = errno;
            continue;
        }
        int yes = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        if (::bind(fd, at->ai_addr, at->ai_addrlen) != 0 || ::listen(fd, 4096) != 0) {
            error = errno;
            ::close(fd);
            continue;
        }
        impl.listen_fd = fd;
        break;
    }
    ::freeaddrinfo(found);
    if (impl.listen_fd < 0) {
        throw Error(ErrorKind::network, "listen",
                    "cannot listen on " + impl.options.host + ":" + port_text + " (" +
                        std::strerror(error) + ")",
                    "is another program using that port? pick another with --port, or --port 0");
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    ::getsockname(impl.listen_fd, reinterpret_cast<sockaddr*>(&bound), &length);
    impl.port = bound.ss_family == AF_INET6
                    ? ntohs(reinterpret_cast<const sockaddr_in6&>(bound).sin6_port)
                    : ntohs(reinterpret_cast<const sockaddr_in&>(bound).sin_port);
    return impl.port;
}

void WireServer::start() {
    Impl& impl = *m_impl;
    if (impl.started || impl.listen_fd < 0) {
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
    event.data.ptr = &impl.listen_marker;
    ::epoll_ctl(impl.epoll_fd, EPOLL_CTL_ADD, impl.listen_fd, &event);
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
        if (impl.listen_fd >= 0) {
            ::close(impl.listen_fd);
        }
        return;
    }
    ::epoll_ctl(impl.epoll_fd, EPOLL_CTL_DEL, impl.listen_fd, nullptr);
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
            if (const int up = c->relay_fd.load(); up >= 0) {
                ::shutdown(up, SHUT_RDWR);
            }
        }
    }
    {
        // Relay threads hold their connection until they return, which the shutdowns above make
        // immediate; they are waited for without a bound, the rest for two seconds.
        std::unique_lock lock(impl.registry_mutex);
        impl.registry_cv.wait_for(lock, std::chrono::seconds(2), [&] {
            return impl.registry.empty() && impl.relays == 0 && impl.handling == 0;
        });
        impl.registry_cv.wait(lock, [&] { return impl.relays == 0; });
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
            ::close(c->fd);
            delete c; // no relay is left (waited for above)
        }
        impl.registry.clear();
    }
    ::close(impl.listen_fd);
    ::close(impl.wake_fd);
    ::close(impl.epoll_fd);
}

std::size_t WireServer::connections() const {
    std::lock_guard lock(m_impl->registry_mutex);
    return m_impl->registry.size();
}

} // namespace blandhook::listen
