#pragma once
// Who may use the inspector. It listens on 127.0.0.1 only, on a port of its own (never the capture
// port a tunnel exposes). The page and its API answer only requests addressed to that port by a
// loopback name (Host: no DNS rebinding) from its own origin (no CSRF); actions that send or
// change anything also need the per-process token the page got in its HTML.
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
};

/// The inspector's port (on 127.0.0.1) and the token it holds.
struct ServerFacts {
    int port = 0;
    std::string page_token; ///< per process, embedded in the page
};

struct Refusal {
    int status = 403;
    std::string reason;
};

/// Nothing when the request may go on, else the status (403) and why.
std::optional<Refusal> check_request(const RequestFacts& request, const ServerFacts& server,
                                     Need need);

/// Whether check_browser_request looks at the Host header.
enum class HostCheck {
    loopback_names, ///< Host must be a loopback name with the server's port (no DNS rebinding)
    any,            ///< a server bound beyond loopback may be reached under any name
};

/// The Host, Origin and Sec-Fetch-Site checks of check_request, without the token: what keeps web
/// pages (cross-site requests, DNS rebinding) away from any local server, the emulator too.
std::optional<Refusal> check_browser_request(const RequestFacts& request, const ServerFacts& server,
                                             Need need, HostCheck host_check);

/// True when `host_header` ("name:port", "[v6]:port", "name") names this server.
bool host_is_ours(std::string_view host_header, const ServerFacts& server);

/// Constant-time comparison of two tokens (false when either is empty).
bool tokens_equal(std::string_view a, std::string_view b);

/// 32 random hex characters from OpenSSL's CSPRNG.
std::string random_token();

} // namespace blandhook::inspector
