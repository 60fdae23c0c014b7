#pragma once
// UTF-8 decoding the way browsers and node do it (WHATWG Encoding standard): every maximal
// invalid subpart becomes one U+FFFD. Lone UTF-16 surrogates from "\ud800" escapes are kept as
// WTF-8 (ED A0..BF xx) so that JSON.stringify can print them back as escapes.
#include <cstddef>
#include <cstdint>
#include <string>

namespace blandhook::payload::utf8 {

constexpr std::uint32_t k_replacement = 0xFFFD;

enum class Surrogates {
    reject, ///< ED A0..BF is invalid, as in well-formed UTF-8 (decoding a body)
    allow,  ///< ED A0..BF decodes to a surrogate code point (reading our own WTF-8)
};

struct Decoded {
    std::size_t length;      ///< bytes consumed, at least 1
    std::int32_t code_point; ///< -1 when those bytes are one invalid subpart (print U+FFFD)
};

/// Decodes the sequence at `pos` (which must be < `end` and hold a byte >= 0x80).
inline Decoded decode(const unsigned char* pos, const unsigned char* end, Surrogates surrogates) {
    const unsigned char lead = *pos;
    std::size_t needed = 0;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
    std::uint32_t code_point = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        needed = 1;
        code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        needed = 2;
        code_point = lead & 0x0F;
        if (lead == 0xE0) {
            lower = 0xA0;
        } else if (lead == 0xED && surrogates == Surrogates::reject) {
            upper = 0x9F;
        }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        needed = 3;
        code_point = lead & 0x07;
        if (lead == 0xF0) {
            lower = 0x90;
        } else if (lead == 0xF4) {
            upper = 0x8F;
        }
    } else {
        return {1, -1};
    }
    for (std::size_t i = 1; i <= needed; ++i) {
        if (pos + i == end || pos[i] < lower || pos[i] > upper) {
            return {i, -1};
        }
        lower = 0x80;
        upper = 0xBF;
        code_point = (code_point << 6) | (pos[i] & 0x3F);
    }
    return {needed + 1, static_cast<std::int32_t>(code_point)};
}

/// Appends `code_point` as UTF-8 (surrogates as WTF-8).
inline void append(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
}

} // namespace blandhook::payload::utf8
