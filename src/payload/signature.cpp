#include "payload/signature.hpp"

#include "payload/json.hpp"
#include "util/enum_table.hpp"
#include "util/hex.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>

namespace blandhook::payload {

namespace {

constexpr std::size_t k_mac_size = 32; // SHA-256

using Mac = std::array<unsigned char, k_mac_size>;

Mac hmac_sha256(std::string_view secret, std::string_view body) {
    // OpenSSL 3 rejects a null key pointer even with length 0, so an empty secret points here.
    static const unsigned char k_empty = 0;
    const void* key = secret.empty() ? static_cast<const void*>(&k_empty) : secret.data();
    const auto* data =
        body.empty() ? &k_empty : reinterpret_cast<const unsigned char*>(body.data());
    Mac mac{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), key, static_cast<int>(secret.size()), data, body.size(), mac.data(),
         &length);
    return mac;
}

std::string_view trim_blanks(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// Decodes 64 hex digits of either case; nullopt for any other length or character.
std::optional<Mac> parse_hex_mac(std::string_view hex) {
    if (hex.size() != 2 * k_mac_size) {
        return std::nullopt;
    }
    Mac mac{};
    for (std::size_t i = 0; i < k_mac_size; ++i) {
        const int high = util::hex_digit_value(hex[2 * i]);
        const int low = util::hex_digit_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        mac[i] = static_cast<unsigned char>(high * 16 + low);
    }
    return mac;
}

bool mac_matches(const Mac& expected, const Mac& given) {
    return CRYPTO_memcmp(expected.data(), given.data(), k_mac_size) == 0;
}

} // namespace

std::string sign(std::string_view secret, std::string_view body) {
    const Mac mac = hmac_sha256(secret, body);
    std::string hex;
    hex.reserve(2 * k_mac_size);
    for (unsigned char byte : mac) {
        hex.push_back(util::k_hex_digits[byte >> 4]);
        hex.push_back(util::k_hex_digits[byte & 0x0f]);
    }
    return hex;
}

bool signature_matches(std::string_view secret, std::string_view body, std::string_view signature) {
    // The length of a signature is no secret, so rejecting a malformed one early leaks nothing;
    // the comparison of the MAC bytes themselves is constant-time.
    const auto given = parse_hex_mac(trim_blanks(signature));
    if (!given) {
        return false;
    }
    return mac_matches(hmac_sha256(secret, body), *given);
}

namespace {

// Each verdict's name (logs, --json) and words (terminal, inspector): one row each.
struct VerdictWords {
    SignatureVerdict value;
    std::string_view name;
    std::string_view text;
};
constexpr std::array<VerdictWords, 5> k_verdict_words = {{
    {SignatureVerdict::valid_raw, "valid-raw", "valid (raw)"},
    {SignatureVerdict::valid_canonical, "valid-canonical", "valid (JSON.stringify)"},
    {SignatureVerdict::invalid, "invalid", "invalid"},
    {SignatureVerdict::missing, "missing", "missing"},
    {SignatureVerdict::not_checked, "not-checked", "not checked"},
}};

const VerdictWords& words_of(SignatureVerdict verdict) {
    const VerdictWords* words = util::row_of(k_verdict_words, verdict);
    return words != nullptr ? *words : k_verdict_words.back();
}

} // namespace

std::string_view verdict_text(SignatureVerdict verdict) {
    return words_of(verdict).text;
}

std::string_view verdict_name(SignatureVerdict verdict) {
    return words_of(verdict).name;
}

std::optional<SignatureVerdict> verdict_from_name(std::string_view name) {
    return util::value_of(k_verdict_words, name);
}

SignatureVerdict check_signature(std::string_view secret, std::string_view body,
                                 std::optional<std::string_view> header) {
    if (secret.empty()) {
        return SignatureVerdict::not_checked;
    }
    if (!header) {
        return SignatureVerdict::missing;
    }
    if (signature_matches(secret, body, *header)) {
        return SignatureVerdict::valid_raw;
    }
    // Bland's own receiver example hashes JSON.stringify(req.body): a sender that re-serialises
    // signs those bytes instead of what went over the wire.
    std::string canonical;
    try {
        canonical = canonical_json(body);
    } catch (const JsonError&) {
        return SignatureVerdict::invalid;
    }
    if (canonical != body && signature_matches(secret, canonical, *header)) {
        return SignatureVerdict::valid_canonical;
    }
    return SignatureVerdict::invalid;
}

} // namespace blandhook::payload
