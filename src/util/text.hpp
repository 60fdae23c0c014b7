#pragma once
// ASCII text helpers for protocol names (HTTP header names, tokens, schemes): comparisons that
// ignore case the way RFC 9110 means it, never by the C locale.
#include <string>
#include <string_view>
#include <vector>

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

/// `text` without the spaces and tabs at either end (HTTP's optional whitespace, option values).
std::string_view trim_blanks(std::string_view text);

/// The pieces of `text` between each `separator`: "a,,b" gives {"a", "", "b"}, "" gives {""}.
std::vector<std::string_view> split(std::string_view text, char separator);

} // namespace blandhook::util
