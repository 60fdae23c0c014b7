// ASCII text helpers: case-insensitive comparison (header names, tokens, search filters),
// trimming blanks and splitting on a separator. Each case is a row: its input and what comes out.
#include "util/text.hpp"

#include <doctest/doctest.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

using namespace blandhook;

namespace {

// Two texts and whether a function of the pair holds for them.
struct PairRow {
    std::string_view a;
    std::string_view b;
    bool holds;
};

// A text and what a function makes of it.
struct TextRow {
    std::string_view in;
    std::string_view out;
};

void check_pairs(std::span<const PairRow> rows,
                 bool (*function)(std::string_view, std::string_view)) {
    for (const auto& [a, b, holds] : rows) {
        CAPTURE(a);
        CAPTURE(b);
        CHECK(function(a, b) == holds);
    }
}

template <typename Function> void check_texts(std::span<const TextRow> rows, Function function) {
    for (const auto& [in, out] : rows) {
        CAPTURE(in);
        CHECK(function(in) == out);
    }
}

} // namespace

TEST_CASE("iequals_ascii ignores the case of ASCII letters only") {
    const PairRow rows[] = {
        {"Content-Type", "content-type", true},
        {"X-WEBHOOK-SIGNATURE", "x-webhook-signature", true},
        {"", "", true},
        {"content-type", "content-typ", false},
        {"content-type", "content_type", false},
        // '@' and '`' sit next to 'A' and 'a': a sloppy "| 0x20" would make them letters.
        {"@", "`", false},
        {"[", "{", false},
        // Bytes beyond ASCII compare exactly: "É" (C3 89) is not "é" (C3 A9).
        {"\xc3\x89", "\xc3\xa9", false},
        {"\xc3\x89", "\xc3\x89", true},
    };
    check_pairs(rows, util::iequals_ascii);
}

TEST_CASE("to_lower_ascii lowers A-Z and leaves every other byte") {
    const TextRow rows[] = {
        {"Host: LocalHost:8080", "host: localhost:8080"},
        {"\xc3\x89T\xc3\x89", "\xc3\x89t\xc3\x89"},
        {"@[`{", "@[`{"},
    };
    check_texts(rows, [](std::string_view text) { return util::to_lower_ascii(text); });
    CHECK(util::to_lower_ascii('Z') == 'z');
    CHECK(util::to_lower_ascii('z') == 'z');
}

TEST_CASE("icontains_ascii finds a needle in any case") {
    const PairRow rows[] = {
        {"Authorization: Bearer abc", "bearer", true},
        {"anything", "", true},
        {"Bear", "bearer", false},
        {"", "x", false},
    };
    check_pairs(rows, util::icontains_ascii); // a: the haystack, b: the needle
}

TEST_CASE("trim_blanks removes spaces and tabs at both ends only") {
    const TextRow rows[] = {
        {" \t a b \t ", "a b"},
        {"", ""},
        {" \t ", ""},
        {"\na\r", "\na\r"}, // line breaks are not blanks
    };
    check_texts(rows, util::trim_blanks);
}

TEST_CASE("split keeps empty pieces, one more piece than separators") {
    using Pieces = std::vector<std::string_view>;
    CHECK(util::split("500,500,200", ',') == Pieces{"500", "500", "200"});
    CHECK(util::split("a,,b", ',') == Pieces{"a", "", "b"});
    CHECK(util::split("/usr/bin:", ':') == Pieces{"/usr/bin", ""});
    CHECK(util::split("", ',') == Pieces{""});
}
