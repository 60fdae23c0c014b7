#include "http/browser_guard.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <cctype>

namespace blandhook::http {

BrowserFacts browser_facts(const RouteRequest& request) {
    return {request.header("Host"), request.header("Origin"), request.header("Sec-Fetch-Site")};
}

bool host_is_ours(std::string_view host_header, int port) {
    std::string host = util::to_lower_ascii(host_header);
    if (host.empty()) {
        return false;
    }
    // Split "name:port" / "[v6]:port"; a missing port means the scheme's default.
    std::string name = host;
    int named_port = 80;
    const auto bracket = host.rfind(']');
    const auto colon = host.rfind(':');
    if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
        name = host.substr(0, colon);
        const std::string digits = host.substr(colon + 1);
        if (digits.empty() || digits.size() > 5 ||
            !std::ranges::all_of(digits, [](unsigned char c) { return std::isdigit(c) != 0; })) {
            return false;
        }
        named_port = std::stoi(digits);
    }
    if (named_port != port) {
        return false;
    }
    return name == "localhost" || name == "127.0.0.1" || name == "[::1]";
}

std::optional<Refusal> check_browser_request(const BrowserFacts& request, int port, Fetch fetch,
                                             HostCheck host_check) {
    if (host_check == HostCheck::loopback_names && !host_is_ours(request.host, port)) {
        return Refusal{403, "the Host header does not name this server"};
    }
    if (!request.origin.empty()) {
        const std::string own = "http://" + util::to_lower_ascii(request.host);
        if (util::to_lower_ascii(request.origin) != own) {
            return Refusal{403, "cross-origin request refused"};
        }
    }
    const std::string site = util::to_lower_ascii(request.sec_fetch_site);
    if (fetch != Fetch::navigation && !site.empty() && site != "same-origin" && site != "none") {
        return Refusal{403, "cross-site request refused"};
    }
    return std::nullopt;
}

} // namespace blandhook::http
