#include "inspector/security.hpp"

#include "error.hpp"
#include "util/hex.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>

namespace blandhook::inspector {

std::optional<http::Refusal> check_request(const RequestFacts& request, const ServerFacts& server,
                                           Need need) {
    const http::Fetch fetch = need == Need::page ? http::Fetch::navigation : http::Fetch::api;
    if (auto refusal = http::check_browser_request(request, server.port, fetch,
                                                   http::HostCheck::loopback_names)) {
        return refusal;
    }
    if (need == Need::action && !tokens_equal(request.page_token, server.page_token)) {
        return http::Refusal{403, "missing or wrong X-Blandhook-Token"};
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
    std::string out;
    for (unsigned char b : bytes) {
        out += util::k_hex_digits[b >> 4];
        out += util::k_hex_digits[b & 0x0F];
    }
    return out;
}

} // namespace blandhook::inspector
