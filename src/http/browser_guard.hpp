#pragma once
// What keeps web pages away from a local HTTP server (the inspector's port, the emulator): a page
// open in the developer's browser may send requests to 127.0.0.1 (a form or a text/plain POST
// needs no CORS preflight) and, through DNS rebinding, read the answers under a name of its own.
// These checks refuse cross-origin and cross-site requests and, on a loopback server, a Host
// that is not a loopback name with the server's port.
#include "http/router.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace blandhook::http {

/// The headers the checks read ("" when absent).
struct BrowserFacts {
    std::string host;           ///< Host header
    std::string origin;         ///< Origin header
    std::string sec_fetch_site; ///< Sec-Fetch-Site header
};

/// The Host, Origin and Sec-Fetch-Site headers of `request`.
BrowserFacts browser_facts(const RouteRequest& request);

/// What a request is for, which decides whether a cross-site browser may send it.
enum class Fetch {
    navigation, ///< a page, which a link on any site may open (Sec-Fetch-Site is not checked)
    api,        ///< data or an action: same-origin pages and programs only
};

/// Whether check_browser_request looks at the Host header.
enum class HostCheck {
    loopback_names, ///< Host must be a loopback name with the server's port (no DNS rebinding)
    any,            ///< a server bound beyond loopback may be reached under any name
};

/// Why a request was refused: the status to answer (403) and a short reason.
struct Refusal {
    int status = 403;
    std::string reason;
};

/// Nothing when a server on `port` may serve `request` for `fetch`, else the refusal: a Host
/// that does not name it (with HostCheck::loopback_names), an Origin other than the Host's own,
/// or a cross-site Sec-Fetch-Site for an API request. A program sends neither Origin nor
/// Sec-Fetch-Site and passes.
std::optional<Refusal> check_browser_request(const BrowserFacts& request, int port, Fetch fetch,
                                             HostCheck host_check);

/// True when `host_header` ("name:port", "[v6]:port", "name") is a loopback name (localhost,
/// 127.0.0.1, [::1]) with `port`.
bool host_is_ours(std::string_view host_header, int port);

} // namespace blandhook::http
