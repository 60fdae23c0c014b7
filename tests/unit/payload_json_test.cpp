// JSON as JavaScript sees it: parse_json is JSON.parse, canonical_json is JSON.stringify.
#include "payload/json.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

using namespace blandhook::payload;

namespace {

std::string canon(std::string_view text) {
    return canonical_json(text);
}

std::string nested(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

} // namespace

TEST_CASE("canonical_json keeps key order and drops whitespace") {
    CHECK(canon(" { \"b\" : 1 ,\n\t\"a\" : [ true , false , null ] } ") ==
          R"({"b":1,"a":[true,false,null]})");
    CHECK(canon("[]") == "[]");
    CHECK(canon("{}") == "{}");
    CHECK(canon("\"x\"") == "\"x\"");
    CHECK(canon(" 42 ") == "42");
}

TEST_CASE("canonical_json prints array-index keys first, ascending, as JavaScript objects do") {
    CHECK(canon(R"({"a":1,"2":2,"1":3,"b":4,"01":5,"4294967295":6,"4294967294":7,"-1":8})") ==
          R"({"1":3,"2":2,"4294967294":7,"a":1,"b":4,"01":5,"4294967295":6,"-1":8})");
}

TEST_CASE("a duplicate key takes the later value in the first key's position") {
    CHECK(canon(R"({"a":1,"b":2,"a":3})") == R"({"a":3,"b":2})");
    std::string many = "{";
    for (int i = 0; i < 100; ++i) {
        many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    }
    many += "\"k5\":\"last\"}";
    const std::string out = canon(many);
    CHECK(out.find("\"k5\":\"last\",\"k6\":6") != std::string::npos);
    CHECK(out.find("\"k5\":5") == std::string::npos);
}

TEST_CASE("numbers print as JavaScript's Number::toString") {
    CHECK(canon("[1e21,1e20,1e-7,1.5e-7,0.000001,123e-20]") ==
          "[1e+21,100000000000000000000,1e-7,1.5e-7,0.000001,1.23e-18]");
    CHECK(canon("[-0,-0.0,0.0,1.0,1E2,-5]") == "[0,0,0,1,100,-5]");
    CHECK(canon("[0.1,0.30000000000000004,0.7174999999999999,0.1833]") ==
          "[0.1,0.30000000000000004,0.7174999999999999,0.1833]");
    CHECK(canon("[5e-324,1.7976931348623157e308,2.2250738585072014e-308]") ==
          "[5e-324,1.7976931348623157e+308,2.2250738585072014e-308]");
    CHECK(canon("[1e400,-1e400,1e-400]") == "[null,null,0]");
    CHECK(canon("[12345678901234567890123,18446744073709551615,9223372036854775807]") ==
          "[1.2345678901234568e+22,18446744073709552000,9223372036854776000]");
    CHECK(canon("[9007199254740993,-9007199254740993,9007199254740992]") ==
          "[9007199254740992,-9007199254740992,9007199254740992]");
    CHECK(canon("[123456789012345680000,1.5,-2.5e-3]") == "[123456789012345680000,1.5,-0.0025]");
}

TEST_CASE("integers that fit int64 stay integers in the DOM, others become doubles") {
    CHECK(parse_json("42").is_number_integer());
    CHECK(parse_json("-9223372036854775808").is_number_integer());
    CHECK(parse_json("9223372036854775808").is_number_float());
    CHECK(parse_json("1.0").is_number_float());
}

TEST_CASE("strings are escaped exactly as JSON.stringify escapes them") {
    CHECK(canon(R"("\u0001\b\f\n\r\t\"\\\/\u001f")") == R"("\u0001\b\f\n\r\t\"\\/\u001f")");
    // U+2028, DEL, non-ASCII and astral characters are printed raw.
    CHECK(canon(R"("\u2028\u007f\u00e9\ud83d\ude00")") == "\"\u2028\x7f\u00e9\U0001F600\"");
    CHECK(canon("\"\u2019 caf\u00e9 \U0001F600\"") == "\"\u2019 caf\u00e9 \U0001F600\"");
}

TEST_CASE("lone surrogate escapes survive and print back as lowercase escapes") {
    CHECK(canon(R"("\uD800x\udfff\ud83d\ude00\uDBFF")") == "\"\\ud800x\\udfff\U0001F600\\udbff\"");
    CHECK(canon(R"(["\ud800\ud800", "\udc00\ud800"])") == R"(["\ud800\ud800","\udc00\ud800"])");
    CHECK(canon(R"({"\ud800":1})") == R"({"\ud800":1})");
}

TEST_CASE("invalid UTF-8 becomes U+FFFD per maximal subpart, as node decodes it") {
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(canon("\"a\xFF"
                "b\"") == "\"a" + fffd + "b\"");
    CHECK(canon("\"\xE2\x82\"") == "\"" + fffd + "\"");                   // truncated sequence
    CHECK(canon("\"\xED\xA0\x80\"") == "\"" + fffd + fffd + fffd + "\""); // encoded surrogate
    CHECK(canon("\"\xF0\x9F\x98x\"") == "\"" + fffd + "x\"");
    CHECK(canon("\"\xC0\xAF\"") == "\"" + fffd + fffd + "\""); // overlong
    CHECK(canon("\"\xF4\x90\x80\x80\"") == "\"" + fffd + fffd + fffd + fffd + "\"");
}

TEST_CASE("what JSON.parse rejects throws JsonError") {
    for (const char* bad : {"",      " ",       "{",         "[1,]",      "{\"a\":1,}",
                            "01",    "1.",      ".5",        "-",         "+1",
                            "nul",   "NaN",     "'a'",       "{\"a\" 1}", "1 2",
                            "[1] x", "\"\\x\"", "\"\\u12\"", "\"abc",     "\xEF\xBB\xBF{}",
                            "{a:1}", "[1}",     "Infinity"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(parse_json(bad), JsonError);
    }
}

TEST_CASE("raw control characters and NUL bytes are syntax errors, never crashes") {
    CHECK_THROWS_AS(parse_json(std::string("\"a\0b\"", 5)), JsonError);
    CHECK_THROWS_AS(parse_json(std::string("[1]\0", 4)), JsonError);
    CHECK_THROWS_AS(parse_json("\"tab\there\""), JsonError);
    CHECK(canon(R"("nul\u0000")") == R"("nul\u0000")");
}

TEST_CASE("JsonError says where parsing stopped") {
    try {
        parse_json("[1, 2, x]");
        FAIL("no exception");
    } catch (const JsonError& error) {
        CHECK(error.offset() == 7);
        CHECK(std::string(error.what()).find("'x'") != std::string::npos);
    }
}

TEST_CASE("nesting up to 1000 levels parses; deeper is a JsonError, even 100,000 levels") {
    CHECK(canon(nested(1000)) == nested(1000));
    CHECK_THROWS_AS(parse_json(nested(1001)), JsonError);
    CHECK_THROWS_AS(parse_json(std::string(100000, '[')), JsonError);
    CHECK_THROWS_AS(parse_json(std::string(100000, '{')), JsonError);
    std::string objects;
    for (int i = 0; i < 100000; ++i) {
        objects += "{\"a\":";
    }
    CHECK_THROWS_AS(parse_json(objects), JsonError);
}

TEST_CASE("a 10 MiB body parses and prints back unchanged") {
    std::string body = "{\"transcript\":\"";
    body += std::string(10 * 1024 * 1024, 'x');
    body += "\",\"n\":[";
    for (int i = 0; i < 1000; ++i) {
        body += std::to_string(i) + ",";
    }
    body += "1]}";
    CHECK(canon(body) == body);
}

TEST_CASE("pretty_json prints like JSON.stringify(value, null, indent)") {
    const Json value = parse_json(R"({"a":[1,{}],"b":[],"c":{"d":"e"}})");
    CHECK(
        pretty_json(value) ==
        "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": [],\n  \"c\": {\n    \"d\": \"e\"\n  }\n}");
    CHECK(pretty_json(value, 0) == canonical_json(value));
    CHECK(pretty_json(parse_json("[1]"), 4) == "[\n    1\n]");
}

TEST_CASE("canonical_json prints hand-built values as JavaScript would") {
    Json value = Json::object();
    value["z"] = 1.0;
    value["10"] = "ten";
    value["big"] = std::uint64_t{18446744073709551615ULL};
    value["nan"] = std::nan("");
    value["bad"] = std::string("\xFF");
    CHECK(canonical_json(value) == "{\"10\":\"ten\",\"z\":1,\"big\":18446744073709552000,\"nan\":"
                                   "null,\"bad\":\"\xEF\xBF\xBD\"}");
}

TEST_CASE("write_js_number covers the layout rules of Number::toString") {
    const auto js = [](double value) {
        std::string out;
        write_js_number(out, value);
        return out;
    };
    CHECK(js(1e21) == "1e+21");
    CHECK(js(123456789e13) == "1.23456789e+21");
    CHECK(js(999999999999999900000.0) == "999999999999999900000");
    CHECK(js(1e-6) == "0.000001");
    CHECK(js(1.2e-6) == "0.0000012");
    CHECK(js(1e-7) == "1e-7");
    CHECK(js(-1.5e-7) == "-1.5e-7");
    CHECK(js(-0.0) == "0");
    CHECK(js(0.5) == "0.5");
    CHECK(js(1.0 / 3) == "0.3333333333333333");
    CHECK(js(std::numeric_limits<double>::infinity()) == "null");
}
