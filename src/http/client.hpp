#pragma once
// The HTTP client every sender in blandhook uses (replay, listen --forward-to, the emulator's
// webhook delivery, call): URL parsing, keep-alive connections, verified TLS, Bland-like retries.
// httplib's error values are translated here and never leak to callers.
#include "http/header.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::http {

struct Url {
    std::string scheme; ///< "http" or "https"
    std::string host;   ///< without brackets for IPv6
    int port = 0;       ///< explicit or the scheme's default
    std::string target; ///< path and query, "/" at least
    /// scheme://host:port
    std::string origin() const;
};

/// Parses an absolute http(s) URL. Throws blandhook::Error (usage) naming `what` on anything else.
Url parse_url(std::string_view text, std::string_view what = "url");

/// True for 127.0.0.0/8, ::1 and "localhost": hosts that nobody else can reach.
bool is_loopback_host(const std::string& host);

/// Why a header cannot go on the wire as given, "" when it can: a name that is not an HTTP token,
/// or a value holding CR, LF or NUL (which would end the header early: header injection).
std::string header_problem(const Header& header);

/// Parses "Name: value" (blanks after the colon dropped). Throws blandhook::Error (usage) naming
/// `what` when there is no name or no colon, or the header has a header_problem().
Header parse_header_line(std::string_view text, std::string_view what);

struct Request {
    std::string method = "POST";
    std::string target = "/"; ///< path and query; the Url's target when sending to a Url
    Headers headers;          ///< Content-Type among them when needed (httplib sorts them by name)
    std::string body;
    /// Headers not sent on when a redirect leads to another origin (the user's -H values, which
    /// may be credentials); Authorization, Proxy-Authorization and Cookie never are.
    std::vector<std::string> origin_bound_headers;
};

struct Response {
    int status = 0;
    Headers headers;
    std::string body;
};

/// One try at sending a request: the answer, or the network failure that replaced it.
struct Attempt {
    int number = 1;                       ///< 1 for the first try
    std::optional<Response> response;     ///< absent when the request failed on the network
    std::string error;                    ///< "connection refused", "timed out", … when absent
    std::chrono::microseconds latency{0}; ///< request written to answer read
    std::chrono::milliseconds waited{0};  ///< backoff slept before this attempt
    std::string note; ///< about an answer, e.g. a redirect not followed and why ("" if none)
};

struct ClientOptions {
    std::chrono::milliseconds connect_timeout{5'000};
    /// One deadline per attempt for all of it: connecting, sending, every redirect, the answer.
    std::chrono::milliseconds timeout{10'000};
    bool insecure = false; ///< skip TLS verification (--insecure)
    std::string ca_file;   ///< extra CA bundle (--cacert)
    /// Follow 3xx answers (at most 10), never from https to http; Authorization, Cookie and
    /// Request::origin_bound_headers are dropped when the origin changes.
    bool follow_redirects = false;
    bool keep_alive = true;
    /// When it becomes true, an attempt in flight ends at once ("interrupted") and deliver()
    /// makes no more: the stop token of SIGINT/SIGTERM. May be null.
    const std::atomic<bool>* cancel = nullptr;
};

/// A connection to one origin, reused between requests. Not thread-safe: one per worker.
class Client {
public:
    Client(Url origin, ClientOptions options = {});
    ~Client();
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;

    /// Sends one request; never throws for network failures (they are in Attempt::error).
    /// A header with a header_problem(), or a target with a control character or space, is
    /// refused the same way, before anything is sent.
    /// Adds `User-Agent: blandhook/VERSION` unless the request names one. A request that fails on
    /// a reused keep-alive connection before any answer is sent once more on a fresh one.
    Attempt send(const Request& request);
    const Url& origin() const;
    /// True once ClientOptions::cancel is set.
    bool cancelled() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// How deliveries are retried. Bland documents that failures are retried but not how: this is
/// blandhook's own policy, documented in the README.
struct RetryPolicy {
    int retries = 0;                          ///< extra attempts after the first
    std::chrono::milliseconds backoff{1'000}; ///< wait before the first retry
    double multiplier = 2.0;                  ///< growth per retry
    std::chrono::milliseconds max_backoff{60'000};
    bool jitter = true; ///< +-20 % so that retries do not synchronise
};

/// True when an attempt should be retried: network failure, 5xx or 429. Other answers are final.
bool is_retryable(const Attempt& attempt);

/// The wait a Retry-After header asks for (seconds or an HTTP date), if present and sane.
std::optional<std::chrono::milliseconds> retry_after(const Response& response);

/// The backoff before retry number `retry` (1 for the first retry) when no Retry-After applies:
/// backoff * multiplier^(retry-1), times 0.8 + 0.4 * `random01` with jitter, capped at max_backoff.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double random01);

/// The wait before retrying after `failed`: its Retry-After (capped at max_backoff) when present,
/// else backoff_delay(policy, failed.number, random01).
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, const Attempt& failed,
                                      double random01);

/// Sends with retries as `policy` says, honouring Retry-After; calls `on_attempt` after each try.
/// Returns every attempt, the last one being final.
std::vector<Attempt> deliver(Client& client, const Request& request, const RetryPolicy& policy,
                             const std::function<void(const Attempt&)>& on_attempt = {});

} // namespace blandhook::http
