#pragma once
// Hexadecimal digits both ways, as escapes (\u00XX), MACs and UUIDs are written and read.
// Header-only and free of the rest of blandhook, so that every module (payload/ too) may use it.
#include <string_view>

namespace blandhook::util {

/// The lowercase hex digits, indexed by their value: k_hex_digits[0xb] == 'b'.
inline constexpr std::string_view k_hex_digits = "0123456789abcdef";

/// The value of hex digit `c`, of either case; -1 for any other character.
constexpr int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

} // namespace blandhook::util
