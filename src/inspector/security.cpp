#include "inspector/security.hpp"

#include "error.hpp"
#include "util/text.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace blandhook::inspector {

bool host_is_ours(std::string_view host_header, const ServerFacts& server) {
    std::string host = util::to_lower_ascii(host_header);
    if (host.empty()) {
        return false;
    }
    // Split "name:port" / "[v6]:port"; a missing port means the scheme's default.
    std::string name = host;
    int port = 80;
    const auto bracket = host.rfind(']');
    const auto colon = host.rfind(':');
    if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
        name = host.substr(0, colon);
        const std::string digits = host.substr(colon + 1);
        if (digits.empty() || digits.size() > 5 ||
            !std::all_of(digits.begin(), digits.end(),
                         [](unsigned char c) { return std::isdigit(c) != 0; })) {
            return false;
        }
        port = std::stoi(digits);
    }
    if (port != server.port) {
        return false;
    }
    return name == "localhost" || name == "127.0.0.1" || name == "[::1]";
}

std::optional<Refusal> check_browser_request(const RequestFacts& request, const ServerFacts& server,
                                             Need need, HostCheck host_check) {
    if (host_check == HostCheck::loopback_names && !host_is_ours(request.host, server)) {
        return Refusal{403, "the Host header does not name this listener"};
    }
    if (!request.origin.empty()) {
        const std::string own = "http://" + util::to_lower_ascii(request.host);
        if (util::to_lower_ascii(request.origin) != own) {
            return Refusal{403, "cross-origin request refused"};
        }
    }
    const std::string site = util::to_lower_ascii(request.sec_fetch_site);
    if (need != Need::page && !site.empty() && site != "same-origin" && site != "none") {
        return Refusal{403, "cross-site request refused"};
    }
    return std::nullopt;
}

std::optional<Refusal> check_request(const RequestFacts& request, const ServerFacts& server,
                                     Need need) {
    if (auto refusal = check_browser_request(request, server, need, HostCheck::loopback_names)) {
        return refusal;
    }
    if (need == Need::action && !tokens_equal(request.page_token, server.page_token)) {
        return Refusal{403, "missing or wrong X-Blandhook-Token"};
    }
    return std::nullopt;
}

bool tokens_equal(std::string_view a, std::string_view b) {
    if (a.empty() || b.empty() || a.size() != b.size()) {
        return false;
    }
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_token() {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw Error(ErrorKind::internal, "inspector", "no random bytes for the page token");
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += k_hex[b >> 4];
        out += k_hex[b & 0x0F];
    }
    return out;
}

} // namespace blandhook::inspector
