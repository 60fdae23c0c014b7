#pragma once
// Routes for the servers whose requests are API calls and pages rather than captures (the
// inspector's port, the emulator): handlers see a RouteRequest and fill a RouteResponse, and
// register on a Router by method and path pattern. RouteServer serves them over cpp-httplib, whose
// types stay inside src/http/ (the listener's captures go through WireServer instead, which
// keeps the wire as it was).
#include "http/header.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::http {

/// A request as a route sees it, its body read whole.
struct RouteRequest {
    std::string method;
    std::string path;                               ///< without the query, percent-decoded
    Headers headers;                                ///< as received
    std::string body;                               ///< read whole before the handler runs
    std::vector<std::string> matches;               ///< [0] the path, then the pattern's groups
    std::multimap<std::string, std::string> params; ///< the query, decoded

    /// The first header named `name` (case-insensitive), "" when there is none.
    std::string header(std::string_view name) const;
    bool has_header(std::string_view name) const;
    /// The first query parameter named `name`, "" when there is none.
    std::string param(const std::string& name) const;
    bool has_param(const std::string& name) const;
};

/// Sends one piece of a streamed body; false once the peer is gone.
using StreamWriter = std::function<bool(std::string_view piece)>;

/// What a route answers.
struct RouteResponse {
    int status = 200;
    Headers headers; ///< besides Content-Type and Content-Length
    std::string body;
    std::string content_type; ///< "" with no body: no Content-Type
    /// When set, the body is streamed (chunked) instead: called again and again, writing what it
    /// has (or nothing), until it returns false (the body is complete) or a write fails (the
    /// connection is dropped).
    std::function<bool(const StreamWriter& write)> stream;
    /// Called once when a streamed body ends, however it ends.
    std::function<void()> stream_ended;

    void set_header(std::string name, std::string value);
    void set_content(std::string content, std::string type);
    /// A redirect to `location` (301, 302, 303, 307 or 308).
    void redirect(std::string location, int code);
};

using RouteHandler = std::function<void(const RouteRequest&, RouteResponse&)>;

enum class Method { get, post, put, patch, del };

/// Where handlers are registered. A pattern is an ECMAScript regular expression the whole path
/// must match; its groups are the request's matches. GET routes answer HEAD too.
class Router {
public:
    virtual ~Router() = default;
    virtual void add(Method method, const std::string& pattern, RouteHandler handler) = 0;

    void get(const std::string& pattern, RouteHandler handler) {
        add(Method::get, pattern, std::move(handler));
    }
    void post(const std::string& pattern, RouteHandler handler) {
        add(Method::post, pattern, std::move(handler));
    }
};

/// Why a request's body was not read.
enum class BodyProblem {
    too_large,  ///< over max_body_bytes
    unreadable, ///< the sender stopped, or its framing is broken
    multipart,  ///< multipart/form-data, which no route reads
};

struct RouteServerOptions {
    std::size_t threads = 4;        ///< started at once
    std::size_t max_threads = 128;  ///< at most (a keep-alive connection holds one)
    std::size_t max_body_bytes = 0; ///< 0: no limit beyond cpp-httplib's
    std::chrono::seconds read_timeout{5};
    std::chrono::seconds write_timeout{5};
    std::chrono::seconds keep_alive_timeout{5};
    /// Runs before routing, the body not read yet; true when it answered (the route is skipped).
    std::function<bool(const RouteRequest&, RouteResponse&)> before;
    /// Answers a request no route matches (default: 404, no body).
    RouteHandler not_found;
    /// Answers a request whose body could not be read (default: 413/400/415 with a short text).
    /// The connection is closed after it: what is left of the body cannot be framed.
    std::function<void(BodyProblem, const RouteRequest&, RouteResponse&)> bad_body;
    /// Answers when a handler throws; `what` is the exception's message, for logs only (default:
    /// 500 with no detail, which may name local files).
    std::function<void(const RouteRequest&, RouteResponse&, const std::string& what)> failed;
};

/// An HTTP/1.1 server for routes (cpp-httplib underneath): register, bind, start, stop.
class RouteServer : public Router {
public:
    explicit RouteServer(RouteServerOptions options);
    ~RouteServer() override; ///< stops
    RouteServer(const RouteServer&) = delete;
    RouteServer& operator=(const RouteServer&) = delete;

    void add(Method method, const std::string& pattern, RouteHandler handler) override;

    /// Binds `host`:`port` (0: any free port); returns the port, or 0 when it cannot (errno says
    /// why).
    int bind(const std::string& host, int port);
    /// Serves on a thread of its own (after bind); returns once it is accepting.
    void start();
    /// Stops accepting, closes connections and joins. Idempotent.
    void stop();
    /// False once stopped, or when serving ended on its own.
    bool running() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace blandhook::http
