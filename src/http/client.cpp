#include "http/client.hpp"

#include "error.hpp"
#include "util/text.hpp"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <list>
#include <mutex>
#include <netdb.h>
#include <random>
#include <sys/socket.h>
#include <thread>

namespace blandhook::http {
namespace {

using Clock = std::chrono::steady_clock;

int default_port(std::string_view scheme) {
    return scheme == "https" ? 443 : 80;
}

// "X s" or "X ms" for messages: timeouts are configured in milliseconds but usually whole seconds.
std::string duration_text(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0) {
        return std::to_string(duration.count() / 1000) + " s";
    }
    return std::to_string(duration.count()) + " ms";
}

bool resolves(const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* result = nullptr;
    int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
    if (result != nullptr) {
        freeaddrinfo(result);
    }
    return rc == 0;
}

std::string openssl_error_text() {
    unsigned long code = ERR_get_error();
    if (code == 0) {
        return "the server did not complete the handshake";
    }
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    ERR_clear_error();
    return buffer;
}

// Ends attempts that outlive their deadline or are cancelled. httplib's own timeouts apply to
// each read and write, so a server trickling its answer one byte at a time never trips them; one
// process-wide thread watches every attempt in flight and shuts its socket down instead
// (ClientImpl::stop() is the one httplib call that is safe from another thread).
class Watchdog {
public:
    enum class Fired { no, deadline, cancel };
    struct Watch {
        httplib::ClientImpl* client = nullptr;
        Clock::time_point deadline;
        const std::atomic<bool>* cancel = nullptr;
        Fired fired = Fired::no;
    };
    using Handle = std::list<Watch>::iterator;

    static Watchdog& instance() {
        static Watchdog watchdog;
        return watchdog;
    }

    Handle arm(httplib::ClientImpl* client, Clock::time_point deadline,
               const std::atomic<bool>* cancel) {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable()) {
            m_thread = std::thread([this] { run(); });
        }
        m_watches.push_back({client, deadline, cancel, Fired::no});
        // Woken only when it would sleep past this watch's first check: a wake-up per request
        // would cost the loaded replay runs a context switch each.
        const auto check = cancel != nullptr
                               ? std::min(deadline, Clock::now() + std::chrono::milliseconds(50))
                               : deadline;
        if (check < m_next_wake) {
            m_wake.notify_one();
        }
        return std::prev(m_watches.end());
    }

    /// Stops watching; says whether the watch fired, and why.
    Fired disarm(Handle handle) {
        std::lock_guard lock(m_mutex);
        const Fired fired = handle->fired;
        m_watches.erase(handle);
        return fired;
    }

    ~Watchdog() {
        {
            std::lock_guard lock(m_mutex);
            m_exit = true;
        }
        m_wake.notify_one();
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }

private:
    void run() {
        std::unique_lock lock(m_mutex);
        while (!m_exit) {
            const auto now = Clock::now();
            // Cancellation is a flag set by a signal handler: polled while anything watches it.
            auto wake = now + std::chrono::hours(1);
            for (Watch& watch : m_watches) {
                if (watch.fired == Fired::no) {
                    if (watch.cancel != nullptr && watch.cancel->load()) {
                        watch.fired = Fired::cancel;
                    } else if (now >= watch.deadline) {
                        watch.fired = Fired::deadline;
                    }
                }
                if (watch.fired != Fired::no) {
                    // Repeated until disarmed: a stop() that came before the connection was
                    // registered as in flight would otherwise be lost.
                    watch.client->stop();
                    wake = std::min(wake, now + std::chrono::milliseconds(20));
                } else {
                    wake = std::min(wake, watch.deadline);
                    if (watch.cancel != nullptr) {
                        wake = std::min(wake, now + std::chrono::milliseconds(50));
                    }
                }
            }
            m_next_wake = wake;
            m_wake.wait_until(lock, wake);
            m_next_wake = Clock::time_point::min(); // awake: arm() need not notify
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::list<Watch> m_watches;
    std::thread m_thread;
    Clock::time_point m_next_wake = Clock::time_point::min();
    bool m_exit = false;
};

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The URL a Location header points to, resolved against the URL that answered (RFC 3986 5.2,
// without dot-segment removal: servers send absolute paths or URLs in practice).
std::optional<Url> resolve_location(const Url& base, std::string_view location) {
    try {
        if (location.find("://") != std::string_view::npos) {
            return parse_url(location);
        }
        if (location.starts_with("//")) {
            return parse_url(base.scheme + ":" + std::string(location));
        }
        Url next = base;
        if (location.empty() || location.front() == '?') {
            next.target = base.target.substr(0, base.target.find('?')) + std::string(location);
        } else if (location.front() == '/') {
            next.target = std::string(location);
        } else {
            const std::string path = base.target.substr(0, base.target.find('?'));
            next.target = path.substr(0, path.rfind('/') + 1) + std::string(location);
        }
        if (auto hash = next.target.find('#'); hash != std::string::npos) {
            next.target.resize(hash);
        }
        return next;
    } catch (const Error&) {
        return std::nullopt;
    }
}

// Why `request` cannot be sent as given, "" when it can: a target with a space or a control
// character, or a header with a header_problem().
std::string not_sendable(const Request& request) {
    for (const char ch : request.target) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte <= 0x20 || byte == 0x7f) {
            return "the request target holds a space or control character";
        }
    }
    for (const Header& header : request.headers) {
        if (std::string problem = header_problem(header); !problem.empty()) {
            return problem;
        }
    }
    return {};
}

// Credentials are for the host they were given for (as curl does since 7.58): these headers are
// not sent on to another origin.
void drop_origin_bound(Request& request) {
    std::erase_if(request.headers, [&request](const Header& header) {
        if (util::iequals_ascii(header.name, "Authorization") ||
            util::iequals_ascii(header.name, "Proxy-Authorization") ||
            util::iequals_ascii(header.name, "Cookie")) {
            return true;
        }
        return std::ranges::any_of(request.origin_bound_headers, [&](const std::string& name) {
            return util::iequals_ascii(header.name, name);
        });
    });
}

} // namespace

std::string Url::origin() const {
    bool ipv6 = host.find(':') != std::string::npos;
    return scheme + "://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

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

Url parse_url(std::string_view text, std::string_view what) {
    auto fail = [&](const std::string& detail) -> Error {
        return {ErrorKind::usage, std::string(what),
                "'" + std::string(text) + "' is not a valid URL: " + detail,
                "give an absolute URL such as http://127.0.0.1:3000/webhook"};
    };
    Url url;
    auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) {
        throw fail("it has no scheme (http:// or https://)");
    }
    url.scheme = util::to_lower_ascii(text.substr(0, scheme_end));
    if (url.scheme != "http" && url.scheme != "https") {
        throw fail("the scheme must be http or https, not " + url.scheme);
    }
    std::string_view rest = text.substr(scheme_end + 3);
    auto path_start = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_start);
    std::string_view target =
        path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
    // Fragments are never sent to a server.
    if (auto hash = target.find('#'); hash != std::string_view::npos) {
        target = target.substr(0, hash);
    }
    if (authority.find('@') != std::string_view::npos) {
        throw fail("user information in URLs is not supported");
    }
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            throw fail("unterminated IPv6 address");
        }
        url.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                throw fail("unexpected text after the IPv6 address");
            }
            port_text = after.substr(1);
        }
    } else {
        auto colon = authority.rfind(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
        }
    }
    if (url.host.empty()) {
        throw fail("it has no host");
    }
    if (!port_text.empty()) {
        int port = 0;
        auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 1 ||
            port > 65535) {
            throw fail("the port must be a number from 1 to 65535");
        }
        url.port = port;
    } else {
        url.port = default_port(url.scheme);
    }
    url.target = target.empty() ? "/" : std::string(target);
    if (url.target.front() == '?') {
        url.target.insert(0, "/");
    }
    return url;
}

std::string header_problem(const Header& header) {
    if (header.name.empty()) {
        return "an empty header name";
    }
    for (const char ch : header.name) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte <= 0x20 || byte >= 0x7f || std::strchr("\"(),/:;<=>?@[\\]{}", ch) != nullptr) {
            return "header name '" + header.name + "' is not an HTTP token";
        }
    }
    if (header.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        return "header " + header.name + " holds a CR, LF or NUL";
    }
    return {};
}

Header parse_header_line(std::string_view text, std::string_view what) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        throw Error(ErrorKind::usage, std::string(what),
                    "'" + std::string(text) + "' is not NAME: VALUE",
                    "e.g. " + std::string(what) + " 'Authorization: Bearer test'");
    }
    std::string_view value = text.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    Header header{std::string(text.substr(0, colon)), std::string(value)};
    if (std::string problem = header_problem(header); !problem.empty()) {
        throw Error(ErrorKind::usage, std::string(what), problem,
                    "a header is one line: no CR or LF inside it");
    }
    return header;
}

struct Client::Impl {
    Url origin;
    ClientOptions options;
    std::unique_ptr<httplib::ClientImpl> client;
    // The same object as `client` when the origin is https. Kept rather than found again with
    // dynamic_cast: httplib's type_info lives in its shared library, which the release binary
    // loads only on the first HTTP call (src/release/lazy_loader.cpp), so it cannot be named.
    httplib::SSLClient* tls_client = nullptr;

    Impl(Url url, ClientOptions opts) : origin(std::move(url)), options(std::move(opts)) {
        connect();
    }

    void connect() { client = make_client(origin, tls_client); }

    // A connection to `url`'s origin with every setting of `options`; redirects are followed by
    // send(), never by httplib (it would downgrade https and carry credentials to any host).
    // `tls_out` gets the same object as an SSLClient for https, else nullptr.
    std::unique_ptr<httplib::ClientImpl> make_client(const Url& url,
                                                     httplib::SSLClient*& tls_out) const {
        std::unique_ptr<httplib::ClientImpl> made;
        if (url.scheme == "https") {
            auto tls = std::make_unique<httplib::SSLClient>(url.host, url.port);
            // Verified against the system CA store unless told otherwise, as Bland's own
            // deliveries (and every browser) would be.
            tls->enable_server_certificate_verification(!options.insecure);
            if (!options.ca_file.empty()) {
                tls->set_ca_cert_path(options.ca_file);
            }
            tls_out = tls.get();
            made = std::move(tls);
        } else {
            tls_out = nullptr;
            made = std::make_unique<httplib::ClientImpl>(url.host, url.port);
        }
        // Without TCP_NODELAY a small request written in two segments waits ~40 ms for the
        // peer's delayed ACK: a 20x slowdown on loopback.
        made->set_tcp_nodelay(true);
        made->set_keep_alive(options.keep_alive);
        made->set_follow_location(false);
        made->set_connection_timeout(options.connect_timeout);
        made->set_read_timeout(options.timeout);
        made->set_write_timeout(options.timeout);
        // Bodies are compared and reported byte for byte: ask for them uncompressed.
        made->set_compress(false);
        made->set_decompress(false);
        return made;
    }

    // The plain words a user reads in a report for what httplib calls `error`.
    // `tls` is the connection used when it is https (else nullptr).
    std::string describe(httplib::SSLClient* tls, httplib::Error error, Clock::duration elapsed,
                         int saved_errno) {
        switch (error) {
        case httplib::Error::Connection:
            if (!resolves(origin.host)) {
                return "could not resolve host " + origin.host;
            }
            if (saved_errno == ETIMEDOUT || saved_errno == EHOSTUNREACH ||
                saved_errno == ENETUNREACH) {
                return "host unreachable";
            }
            return "connection refused";
        case httplib::Error::ConnectionTimeout:
            return "connection timed out after " + duration_text(options.connect_timeout);
        case httplib::Error::Read:
            // httplib reports a read timeout and a reset alike; the clock tells them apart.
            if (elapsed >= options.timeout - std::chrono::milliseconds(50)) {
                return "timed out after " + duration_text(options.timeout);
            }
            return "connection reset before a complete answer";
        case httplib::Error::Write:
            if (elapsed >= options.timeout - std::chrono::milliseconds(50)) {
                return "timed out after " + duration_text(options.timeout) + " sending the request";
            }
            return "connection reset while sending the request";
        case httplib::Error::Canceled:
            return "timed out after " + duration_text(options.timeout);
        case httplib::Error::ExceedRedirectCount:
            return "too many redirects";
        case httplib::Error::SSLConnection:
            return "TLS handshake failed: " + openssl_error_text();
        case httplib::Error::SSLServerVerification: {
            long result = tls != nullptr ? tls->get_openssl_verify_result() : 0;
            std::string reason = result != 0 ? X509_verify_cert_error_string(result)
                                             : "the certificate does not match " + origin.host;
            return "TLS handshake failed: certificate verification failed: " + reason;
        }
        case httplib::Error::SSLLoadingCerts:
            return "TLS setup failed: could not load CA certificates" +
                   (options.ca_file.empty() ? std::string{} : " from " + options.ca_file);
        default:
            return "request failed: " + httplib::to_string(error);
        }
    }

    // One request and its answer on `connection`, ended by the watchdog at `deadline`.
    struct Exchange {
        bool ok = false;
        httplib::Response response;
        std::string body;
        httplib::Error error = httplib::Error::Success;
        int saved_errno = 0;
        Watchdog::Fired fired = Watchdog::Fired::no;
    };

    Exchange exchange(httplib::ClientImpl& connection, const Request& request,
                      Clock::time_point deadline, bool may_retry) {
        httplib::Request req;
        req.method = request.method;
        req.path = request.target;
        bool has_user_agent = false;
        for (const Header& header : request.headers) {
            req.headers.emplace(header.name, header.value);
            has_user_agent = has_user_agent || util::iequals_ascii(header.name, "User-Agent");
        }
        if (!has_user_agent) {
            req.headers.emplace("User-Agent", std::string("blandhook/") + BLANDHOOK_VERSION);
        }
        req.body = request.body;
        Exchange out;
        req.content_receiver = [&out](const char* data, size_t length, uint64_t, uint64_t) {
            out.body.append(data, length);
            return true;
        };

        Watchdog& watchdog = Watchdog::instance();
        const auto start = Clock::now();
        // A keep-alive connection the server closed while idle fails the next request before any
        // answer arrives; like curl, try once more on a fresh connection when nothing came back.
        const bool reused = connection.is_socket_open() != 0;
        auto watch = watchdog.arm(&connection, deadline, options.cancel);
        errno = 0;
        out.ok = connection.send(req, out.response, out.error);
        out.saved_errno = errno;
        out.fired = watchdog.disarm(watch);
        if (!out.ok && may_retry && reused && out.fired == Watchdog::Fired::no &&
            (out.error == httplib::Error::Write || out.error == httplib::Error::Read) &&
            Clock::now() - start < options.timeout / 2) {
            connection.stop();
            out = Exchange{};
            watch = watchdog.arm(&connection, deadline, options.cancel);
            errno = 0;
            out.ok = connection.send(req, out.response, out.error);
            out.saved_errno = errno;
            out.fired = watchdog.disarm(watch);
        }
        if (!out.ok || out.fired != Watchdog::Fired::no) {
            out.ok = false;
            // Whatever state the connection is in, the next request starts on a new one.
            connection.stop();
        }
        return out;
    }

    // The answer an exchange brought, in blandhook's types.
    static Response response_of(Exchange& result) {
        Response response;
        response.status = result.response.status;
        response.headers.reserve(result.response.headers.size());
        for (const auto& [name, value] : result.response.headers) {
            response.headers.push_back({name, value});
        }
        response.body = std::move(result.body);
        return response;
    }

    // What a failed exchange's attempt says: interrupted, timed out, or httplib's error in words.
    std::string failure_text(const Exchange& failed, httplib::SSLClient* tls,
                             Clock::duration elapsed) {
        switch (failed.fired) {
        case Watchdog::Fired::cancel:
            return "interrupted";
        case Watchdog::Fired::deadline:
            return "timed out after " + duration_text(options.timeout);
        case Watchdog::Fired::no:
            break;
        }
        return describe(tls, failed.error, elapsed, failed.saved_errno);
    }

    // Where the next request of a send goes: redirects change the URL, and may change the
    // connection and what is sent.
    struct Hop {
        Request request;
        Url at;
        httplib::ClientImpl* connection = nullptr;
        httplib::SSLClient* tls = nullptr;              // `connection` when it is https
        std::unique_ptr<httplib::ClientImpl> elsewhere; // a redirect's other origin
    };

    // Moves `hop` to where a redirect (`status`, the `hops`th) leads. False, with `attempt`'s
    // note or error saying why, when it is not followed.
    bool follow(Hop& hop, int status, const std::string& location, int hops,
                Attempt& attempt) const {
        const std::optional<Url> next = resolve_location(hop.at, location);
        if (!next) {
            attempt.note = "redirect to '" + location + "' not followed: not an http(s) URL";
            return false;
        }
        if (hop.at.scheme == "https" && next->scheme == "http") {
            attempt.note =
                "redirect to " + location + " not followed: it would downgrade https to http";
            return false;
        }
        if (hops == 10) {
            attempt.response.reset();
            attempt.error = "too many redirects (more than 10)";
            return false;
        }
        if (next->origin() != hop.at.origin()) {
            drop_origin_bound(hop.request);
            hop.elsewhere = make_client(*next, hop.tls);
            hop.connection = hop.elsewhere.get();
        }
        if (status == 303 && hop.request.method != "GET" && hop.request.method != "HEAD") {
            hop.request.method = "GET"; // RFC 9110 15.4.4: see other, fetched with GET
            hop.request.body.clear();
        }
        hop.at = *next;
        hop.request.target = hop.at.target;
        return true;
    }

    Attempt send(const Request& first) {
        if (std::string problem = not_sendable(first); !problem.empty()) {
            Attempt refused;
            refused.error = "not sent: " + problem;
            return refused;
        }
        const auto start = Clock::now();
        const auto deadline = start + options.timeout;
        Attempt attempt;
        Hop hop{first, origin, client.get(), tls_client, nullptr};
        for (int hops = 0;; ++hops) {
            Exchange result = exchange(*hop.connection, hop.request, deadline, hops == 0);
            const auto elapsed = Clock::now() - start;
            attempt.latency = std::chrono::duration_cast<std::chrono::microseconds>(elapsed);
            if (!result.ok) {
                attempt.error = failure_text(result, hop.tls, elapsed);
                return attempt;
            }
            attempt.response = response_of(result);
            const auto location = find_header(attempt.response->headers, "Location");
            if (!options.follow_redirects || !is_redirect(attempt.response->status) || !location ||
                !follow(hop, attempt.response->status, *location, hops, attempt)) {
                return attempt;
            }
            attempt.response.reset();
        }
    }
};

Client::Client(Url origin, ClientOptions options)
    : m_impl(std::make_unique<Impl>(std::move(origin), std::move(options))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Attempt Client::send(const Request& request) {
    return m_impl->send(request);
}

const Url& Client::origin() const {
    return m_impl->origin;
}

bool Client::cancelled() const {
    return m_impl->options.cancel != nullptr && m_impl->options.cancel->load();
}

bool is_retryable(const Attempt& attempt) {
    if (!attempt.response) {
        // A request refused before sending would be refused again.
        return !attempt.error.starts_with("not sent: ");
    }
    int status = attempt.response->status;
    return status == 429 || (status >= 500 && status <= 599);
}

std::optional<std::chrono::milliseconds> retry_after(const Response& response) {
    auto value = find_header(response.headers, "Retry-After");
    if (!value) {
        return std::nullopt;
    }
    std::string text = *value;
    auto first = text.find_first_not_of(" \t");
    auto last = text.find_last_not_of(" \t");
    if (first == std::string::npos) {
        return std::nullopt;
    }
    text = text.substr(first, last - first + 1);
    if (std::ranges::all_of(text, [](unsigned char c) { return std::isdigit(c) != 0; })) {
        // Anything beyond a day is not a retry hint we could honour in a test run.
        if (text.size() > 6) {
            return std::nullopt;
        }
        return std::chrono::seconds(std::stol(text));
    }
    // HTTP-date: IMF-fixdate, then the obsolete RFC 850 and asctime forms (RFC 9110 5.6.7).
    for (const char* format :
         {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
        std::tm tm{};
        const char* end = strptime(text.c_str(), format, &tm);
        if (end != nullptr && *end == '\0') {
            auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
            auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
                when - std::chrono::system_clock::now());
            return std::max(wait, std::chrono::milliseconds(0));
        }
    }
    return std::nullopt;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double random01) {
    auto wait = static_cast<double>(policy.backoff.count());
    for (int i = 1; i < retry; ++i) {
        wait *= policy.multiplier;
        if (wait > static_cast<double>(policy.max_backoff.count())) {
            break;
        }
    }
    if (policy.jitter) {
        wait *= 0.8 + 0.4 * std::clamp(random01, 0.0, 1.0);
    }
    wait = std::min(wait, static_cast<double>(policy.max_backoff.count()));
    return std::chrono::milliseconds(static_cast<long long>(wait));
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, const Attempt& failed,
                                      double random01) {
    if (failed.response) {
        if (auto asked = retry_after(*failed.response)) {
            return std::min(*asked, policy.max_backoff);
        }
    }
    return backoff_delay(policy, failed.number, random01);
}

std::vector<Attempt> deliver(Client& client, const Request& request, const RetryPolicy& policy,
                             const std::function<void(const Attempt&)>& on_attempt) {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<Attempt> attempts;
    std::chrono::milliseconds wait{0};
    for (int number = 1;; ++number) {
        // The backoff in slices, so that a stop request is not held up by a long wait.
        for (auto until = Clock::now() + wait; Clock::now() < until && !client.cancelled();) {
            std::this_thread::sleep_for(
                std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(50)));
        }
        if (client.cancelled() && !attempts.empty()) {
            return attempts;
        }
        Attempt attempt = client.send(request);
        attempt.number = number;
        attempt.waited = wait;
        if (on_attempt) {
            on_attempt(attempt);
        }
        bool again = number <= policy.retries && is_retryable(attempt) && !client.cancelled();
        if (again) {
            wait = retry_delay(policy, attempt, uniform(generator));
        }
        attempts.push_back(std::move(attempt));
        if (!again) {
            return attempts;
        }
    }
}

} // namespace blandhook::http
