// ASCII text helpers: case-insensitive comparison (header names, tokens, search filters),
// trimming blanks and splitting on a separator.
#include "util/text.hpp"

#include <doctest/doctest.h>

using namespace blandhook;

TEST_CASE("iequals_ascii ignores the case of ASCII letters only") {
    CHECK(util::iequals_ascii("Content-Type", "content-type"));
    CHECK(util::iequals_ascii("X-WEBHOOK-SIGNATURE", "x-webhook-signature"));
    CHECK(util::iequals_ascii("", ""));
    CHECK_FALSE(util::iequals_ascii("content-type", "content-typ"));
    CHECK_FALSE(util::iequals_ascii("content-type", "content_type"));
    // '@' and '`' sit next to 'A' and 'a': a sloppy "| 0x20" would make them letters.
    CHECK_FALSE(util::iequals_ascii("@", "`"));
    CHECK_FALSE(util::iequals_ascii("[", "{"));
    // Bytes beyond ASCII compare exactly: "É" (C3 89) is not "é" (C3 A9).
    CHECK_FALSE(util::iequals_ascii("\xc3\x89", "\xc3\xa9"));
    CHECK(util::iequals_ascii("\xc3\x89", "\xc3\x89"));
}

TEST_CASE("to_lower_ascii lowers A-Z and leaves every other byte") {
    CHECK(util::to_lower_ascii("Host: LocalHost:8080") == "host: localhost:8080");
    CHECK(util::to_lower_ascii("\xc3\x89T\xc3\x89") == "\xc3\x89t\xc3\x89");
    CHECK(util::to_lower_ascii("@[`{") == "@[`{");
    CHECK(util::to_lower_ascii('Z') == 'z');
    CHECK(util::to_lower_ascii('z') == 'z');
}

TEST_CASE("icontains_ascii finds a needle in any case") {
    CHECK(util::icontains_ascii("Authorization: Bearer abc", "bearer"));
    CHECK(util::icontains_ascii("anything", ""));
    CHECK_FALSE(util::icontains_ascii("Bear", "bearer"));
    CHECK_FALSE(util::icontains_ascii("", "x"));
}

TEST_CASE("trim_blanks removes spaces and tabs at both ends only") {
    CHECK(util::trim_blanks(" \t a b \t ") == "a b");
    CHECK(util::trim_blanks("") == "");
    CHECK(util::trim_blanks(" \t ") == "");
    CHECK(util::trim_blanks("\na\r") == "\na\r"); // line breaks are not blanks
}

TEST_CASE("split keeps empty pieces, one more piece than separators") {
    using Pieces = std::vector<std::string_view>;
    CHECK(util::split("500,500,200", ',') == Pieces{"500", "500", "200"});
    CHECK(util::split("a,,b", ',') == Pieces{"a", "", "b"});
    CHECK(util::split("/usr/bin:", ':') == Pieces{"/usr/bin", ""});
    CHECK(util::split("", ',') == Pieces{""});
}
