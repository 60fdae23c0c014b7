#pragma once
// Who may use the inspector. The page and its API answer only requests addressed to the listener
// itself (Host is one of its own names: no DNS rebinding) from its own origin (no CSRF); actions
// that send or change anything also need the per-process token the page got in its HTML; and
// when the listener is bound beyond loopback, everything needs the access token printed at start.
#include <optional>
#include <string>
#include <string_view>

namespace blandhook::inspector {

/// What a request asks for, from least to most guarded.
enum class Need {
    page,   ///< the HTML page and its assets (top-level navigation allowed)
    read,   ///< the JSON API and the event stream
    action, ///< anything that sends or changes: needs the page token too
};

/// The parts of a request the checks look at ("" when absent).
struct RequestFacts {
    std::string host;           ///< Host header
    std::string origin;         ///< Origin header
    std::string sec_fetch_site; ///< Sec-Fetch-Site header
    std::string page_token;     ///< X-Blandhook-Token header
    std::string access_token;   ///< from ?token=, the cookie, X-Blandhook-Access or Bearer
};

/// Where the listener is bound and the secrets it holds.
struct ServerFacts {
    std::string bound_host; ///< as given to --host ("127.0.0.1", "0.0.0.0", "::1", a name)
    int port = 0;
    bool tls = false;
    bool loopback = true;     ///< the bind is loopback-only
    std::string page_token;   ///< per process, embedded in the page
    std::string access_token; ///< required when !loopback
};

struct Refusal {
    int status = 403;
    std::string reason;
};

/// Nothing when the request may go on, else the status (403, 401) and why.
std::optional<Refusal> check_request(const RequestFacts& request, const ServerFacts& server,
                                     Need need);

/// True when `host_header` ("name:port", "[v6]:port", "name") names this server.
bool host_is_ours(std::string_view host_header, const ServerFacts& server);

/// Constant-time comparison of two tokens (false when either is empty).
bool tokens_equal(std::string_view a, std::string_view b);

/// 32 random hex characters from OpenSSL's CSPRNG.
std::string random_token();

/// The value of cookie `name` in a Cookie header, if present.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

} // namespace blandhook::inspector
