#pragma once
// blandhook's own HTTP/1.1 server (the listener's captures port), over plain http or TLS.
// cpp-httplib serves each connection on a thread of its own, polls before every read, keeps request
// headers in a map sorted by name and decompresses gzip bodies: too slow for the listener's
// throughput target, and not the wire as it was. This server runs a few event loops over one epoll
// set, parses requests itself (headers in wire order with duplicates, bodies never decoded beyond
// chunked framing) and calls the listener's handler on the loop thread; a handler that would block
// (--delay,
// --forward-to) is moved to a worker thread. With a TlsContext every connection is TLS: OpenSSL
// runs on the same non-blocking sockets and event loops, and the decrypted bytes go through the
// same parser, so one parser judges every request whatever the port serves.
#include "http/request_parser.hpp"
#include "http/tls.hpp"
#include "util/non_copyable.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace blandhook::http {

struct WireAnswer {
    int status = 200; ///< 0: close the connection without answering
    std::vector<std::pair<std::string, std::string>> headers; ///< besides Content-Length
    std::string body;
    bool close = false; ///< close the connection after this answer
};

/// Where a handler is being run: on an event loop it must not block.
enum class HandlerThread { event_loop, worker };

struct WireServerOptions {
    std::string host = "127.0.0.1";
    int port = 0;                                  ///< 0 picks a free port
    std::size_t max_body_bytes = 10u << 20;        ///< 413 beyond
    std::size_t max_header_bytes = 64u << 10;      ///< request line and headers; 431 beyond
    std::size_t max_header_count = 1000;           ///< 431 beyond
    std::chrono::milliseconds read_timeout{5'000}; ///< a started request must progress this often
    /// A request must arrive whole within this of its first byte, however it trickles in.
    std::chrono::milliseconds request_timeout{30'000};
    std::chrono::milliseconds keep_alive_timeout{5'000}; ///< an idle connection is closed after
    std::size_t max_connections = 1024;    ///< open at once; beyond, new ones get 503 and a close
    std::size_t max_workers = 1024;        ///< threads for handlers that block
    std::shared_ptr<const TlsContext> tls; ///< serve HTTPS with it; nullptr = plain http
};

class WireServer : util::NonCopyable {
public:
    struct Hooks {
        /// Answers a request. On an event loop, a handler that would block returns nullopt and
        /// is called again on a worker thread.
        std::function<std::optional<WireAnswer>(WireRequest& request, HandlerThread thread)> handle;
    };

    WireServer(WireServerOptions options, Hooks hooks);
    ~WireServer(); ///< stops

    /// Binds and listens; returns the port. Throws blandhook::Error (network) when it cannot.
    int bind();
    /// Starts the event loops (after bind).
    void start();
    /// Stops accepting, lets requests being handled finish and their answers go out (bounded by
    /// `patience`), closes every connection and joins. Idempotent.
    void stop(std::chrono::milliseconds patience);

    /// Connections open now (for tests and the summary).
    std::size_t connections() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace blandhook::http
