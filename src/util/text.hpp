#pragma once
// ASCII text helpers for protocol names (HTTP header names, tokens, schemes): comparisons that
// ignore case the way RFC 9110 means it, never by the C locale.
#include <string>
#include <string_view>

namespace blandhook::util {

/// `c` with A-Z mapped to a-z; every other byte unchanged.
constexpr char to_lower_ascii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// `text` with A-Z mapped to a-z; every other byte (UTF-8 included) unchanged.
std::string to_lower_ascii(std::string_view text);

/// True when `a` and `b` are equal but for the case of ASCII letters.
bool iequals_ascii(std::string_view a, std::string_view b);

/// True when `needle` occurs in `haystack`, ignoring the case of ASCII letters ("" is found).
bool icontains_ascii(std::string_view haystack, std::string_view needle);

} // namespace blandhook::util
