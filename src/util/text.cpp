#include "util/text.hpp"

#include <algorithm>

namespace blandhook::util {
namespace {

bool same_letter(char a, char b) {
    return to_lower_ascii(a) == to_lower_ascii(b);
}

} // namespace

std::string to_lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = to_lower_ascii(c);
    }
    return out;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same_letter);
}

bool icontains_ascii(std::string_view haystack, std::string_view needle) {
    // Not std::ranges::search: the fuzz build's clang 14 cannot compile libstdc++ 12's
    // ranges::subrange, which that returns (.ci/run builds tests/fuzz/fuzz_http.cpp with it).
    // NOLINTNEXTLINE(modernize-use-ranges)
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                       same_letter) != haystack.end();
}

std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> pieces;
    for (;;) {
        const std::size_t at = text.find(separator);
        pieces.push_back(text.substr(0, at));
        if (at == std::string_view::npos) {
            return pieces;
        }
        text.remove_prefix(at + 1);
    }
}

} // namespace blandhook::util
