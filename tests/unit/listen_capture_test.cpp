// The capture line format, its exact round trip, the store's bookkeeping, and the parsing of
// listen's answer options. No sockets, no sleeps.
#include "capture/capture.hpp"
#include "capture/export.hpp"
#include "capture/store.hpp"
#include "error.hpp"
#include "listen/answer.hpp"
#include "listen/display.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace blandhook;

namespace {

capture::Capture sample(std::string body) {
    capture::Capture c;
    c.received_at = "2026-11-27T10:06:04.123Z";
    c.method = "POST";
    c.path = "/hook";
    c.query = "a=1&b=%20";
    c.headers = {{"Content-Type", "application/json"}, {"X-Dup", "1"}, {"X-Dup", "2"}};
    c.body = std::move(body);
    c.peer = "127.0.0.1:5000";
    c.response_status = 503;
    c.response_note = "sequence 1/2";
    c.latency_us = 42;
    c.payload.kind = "post-call";
    c.payload.is_json = true;
    c.payload.call_id = "abc";
    c.payload.duration_seconds = 95;
    c.payload.signature = "valid-raw";
    c.payload.findings = {{"/status", "warning", "odd \"value\""}};
    c.payload.warnings = 1;
    return c;
}

} // namespace

TEST_CASE("capture line: every control character, quote and backslash round-trips and the line "
          "is one line of valid JSON") {
    std::string body;
    for (int c = 0; c < 0x80; ++c) {
        body.push_back(static_cast<char>(c));
    }
    body += "caf\xc3\xa9 \xe2\x80\x99 \xf0\x9f\x98\x80";
    const std::string line = capture::to_json_line(sample(body));
    CHECK(line.find('\n') == std::string::npos);
    const nlohmann::json parsed = nlohmann::json::parse(line);
    CHECK(parsed["body"].get<std::string>() == body);
    CHECK(parsed.contains("body_encoding") == false);
    const capture::Capture back = capture::from_json_line(line);
    CHECK(back.body == body);
    CHECK(back.query == "a=1&b=%20");
    REQUIRE(back.headers.size() == 3);
    CHECK(back.headers[2].value == "2");
    CHECK(back.response_status == 503);
    CHECK(back.response_note == "sequence 1/2");
    CHECK(back.payload.duration_seconds == 95);
    REQUIRE(back.payload.findings.size() == 1);
    CHECK(back.payload.findings[0].message == "odd \"value\"");
}

TEST_CASE("capture line: the 16-byte escaping matches a JSON parser at every length, position and "
          "density of escapes") {
    // The body escaper works in 16-byte blocks with a scalar tail: escapes at block edges, in the
    // tail, back to back and many \u00XX in a row are where it could go wrong.
    std::uint32_t state = 12345;
    auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    const std::string specials = std::string("\"\\\n\t\x01\x1f\x7f", 7);
    for (int round = 0; round < 3000; ++round) {
        const std::size_t size = next() % 100;
        const unsigned density = next() % 101; // percent of bytes that need an escape
        std::string body;
        for (std::size_t i = 0; i < size; ++i) {
            body.push_back(next() % 100 < density ? specials[next() % specials.size()]
                                                  : static_cast<char>('a' + next() % 26));
        }
        const std::string line = capture::to_json_line(sample(body));
        REQUIRE(line.find('\n') == std::string::npos);
        const nlohmann::json parsed = nlohmann::json::parse(line);
        REQUIRE(parsed["body"].get<std::string>() == body);
    }
}

TEST_CASE("capture line: bodies that are not UTF-8 are base64 and come back byte for byte") {
    for (const std::string& body : {std::string("\xff"), std::string("\x80\x81", 2),
                                    std::string("ab\xc3", 3), std::string("\0\xfe\x01\x02", 4)}) {
        const std::string line = capture::to_json_line(sample(body));
        if (!capture::is_valid_utf8(body)) {
            CHECK(line.find("\"body_encoding\":\"base64\"") != std::string::npos);
        }
        CHECK(capture::from_json_line(line).body == body);
    }
}

TEST_CASE("capture line: the app's forwarded answer (status, headers, binary body) round-trips") {
    capture::Capture c = sample("{}");
    capture::ForwardResult forward;
    forward.url = "http://127.0.0.1:3000/hook";
    forward.status = 202;
    forward.latency_us = 1500;
    forward.headers = {{"Content-Type", "application/octet-stream"}, {"X-App", "1"}};
    forward.keep_body(std::string("\x00\xff\x01", 3));
    c.forward = forward;
    const capture::Capture back = capture::from_json_line(capture::to_json_line(c));
    REQUIRE(back.forward.has_value());
    CHECK(back.forward->status == 202);
    CHECK(back.forward->latency_us == 1500);
    REQUIRE(back.forward->headers.size() == 2);
    CHECK(back.forward->headers[1].name == "X-App");
    CHECK(back.forward->body == std::string("\x00\xff\x01", 3));
    CHECK(back.forward->body_bytes == 3);
    CHECK_FALSE(back.forward->body_truncated());
}

TEST_CASE("capture line: a log line written before the answer was kept still reads, as no answer") {
    const std::string old_line =
        R"({"id":7,"received_at":"2026-11-27T10:06:04.123Z","method":"POST","path":"/",)"
        R"("query":"","peer":"","headers":[],"body_bytes":0,"body":"","response":{"status":200,)"
        R"("latency_us":9},"forward":{"url":"http://127.0.0.1:3000/","status":200,"latency_us":5},)"
        R"("payload":{"kind":"unknown","is_json":false,"valid_utf8":true,"signature":"not-checked",)"
        R"("errors":0,"warnings":0,"findings":[]}})";
    const capture::Capture back = capture::from_json_line(old_line);
    REQUIRE(back.forward.has_value());
    CHECK(back.forward->status == 200);
    CHECK(back.forward->headers.empty());
    CHECK(back.forward->body.empty());
    CHECK(back.forward->body_bytes == 0);
    CHECK_FALSE(back.forward->body_truncated());
}

TEST_CASE(
    "forward answer: a body past 64 KiB keeps its first 64 KiB, cut on a character boundary") {
    capture::ForwardResult ascii;
    ascii.keep_body(std::string(70'000, 'a'));
    CHECK(ascii.body.size() == capture::k_forward_body_limit);
    CHECK(ascii.body_bytes == 70'000);
    CHECK(ascii.body_truncated());

    // "é" is two bytes: with one byte before it the limit falls inside a character.
    capture::ForwardResult text;
    std::string body = "a";
    while (body.size() < 70'000) {
        body += "\xc3\xa9";
    }
    text.keep_body(body);
    CHECK(text.body.size() == capture::k_forward_body_limit - 1);
    CHECK(capture::is_valid_utf8(text.body));
    CHECK(text.body_bytes == body.size());
}

TEST_CASE("capture line: id comes first, so the store can splice it in") {
    capture::Capture c = sample("{}");
    c.id = 77;
    CHECK(capture::to_json_line(c).rfind("{\"id\":77,", 0) == 0);
}

TEST_CASE("base64 matches RFC 4648 test vectors and rejects garbage") {
    CHECK(capture::base64_encode("") == "");
    CHECK(capture::base64_encode("f") == "Zg==");
    CHECK(capture::base64_encode("fo") == "Zm8=");
    CHECK(capture::base64_encode("foo") == "Zm9v");
    CHECK(capture::base64_encode("foobar") == "Zm9vYmFy");
    CHECK(capture::base64_decode("Zm9vYg==") == "foob");
    CHECK_THROWS_AS(capture::base64_decode("Zm9"), Error);
    CHECK_THROWS_AS(capture::base64_decode("Zm9v!A=="), Error);
}

TEST_CASE("a malformed log line is an input error naming what is wrong") {
    CHECK_THROWS_AS(capture::from_json_line("not json"), Error);
    CHECK_THROWS_AS(capture::from_json_line("[1,2]"), Error);
    CHECK_THROWS_AS(capture::from_json_line("{\"method\":\"POST\"}"), Error);
}

TEST_CASE("store in memory: ids increase, get and list see the newest, subscribers hear of each") {
    capture::StoreOptions options; // no path: memory only
    capture::Store store(options);
    std::vector<std::uint64_t> heard;
    const auto subscription =
        store.subscribe([&](const capture::Capture& c) { heard.push_back(c.id); });
    for (int i = 0; i < 3; ++i) {
        capture::Capture c = sample("{}");
        c.payload.call_id = i == 1 ? "call-b" : "call-a";
        CHECK(store.append(c) == static_cast<std::uint64_t>(i + 1));
    }
    store.unsubscribe(subscription);
    capture::Capture ignored = sample("{}");
    store.append(ignored);
    CHECK(heard == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(store.get(2)->payload.call_id == "call-b");
    capture::Filter filter;
    filter.call_id = "call-a";
    const auto found = store.list(filter);
    REQUIRE(found.size() == 2);
    CHECK(found[0].id == 3);
    CHECK(found[1].id == 1);
}

TEST_CASE("filters: a call_id matches by its beginning, free text ignores case") {
    capture::Capture c = sample("{\"transcript\":\"Hello THERE\"}");
    c.payload.call_id = "7f3c2a91-4d5e";
    capture::Filter filter;
    filter.call_id = "7f3c";
    CHECK(filter.matches(c));
    filter.call_id = "7f3c2a91-4d5e";
    CHECK(filter.matches(c));
    filter.call_id = "4d5e";
    CHECK_FALSE(filter.matches(c));
    filter.call_id.clear();
    filter.text = "hello there";
    CHECK(filter.matches(c));
    filter.text = "CONTENT-type";
    CHECK(filter.matches(c)); // a header name
    filter.text = "goodbye";
    CHECK_FALSE(filter.matches(c));
}

TEST_CASE("read_log skips a torn last line and reports a bad middle line with its number") {
    test::TempDir dir;
    capture::Capture one = sample("{}");
    one.id = 1;
    capture::Capture two = sample("[]");
    two.id = 2;
    test::write_file(dir.file("ok.ndjson"), capture::to_json_line(one) + "\n" +
                                                capture::to_json_line(two) + "\n{\"id\":3,\"rec");
    std::vector<std::uint64_t> ids;
    capture::read_log(dir.file("ok.ndjson"), [&](capture::Capture&& c) {
        ids.push_back(c.id);
        return true;
    });
    CHECK(ids == std::vector<std::uint64_t>{1, 2});

    test::write_file(dir.file("bad.ndjson"), capture::to_json_line(one) + "\ngarbage\n" +
                                                 capture::to_json_line(two) + "\n");
    CHECK_THROWS_WITH_AS(
        capture::read_log(dir.file("bad.ndjson"), [](capture::Capture&&) { return true; }),
        doctest::Contains("bad.ndjson:2"), Error);
    std::size_t bad_line = 0;
    ids.clear();
    capture::read_log(
        dir.file("bad.ndjson"),
        [&](capture::Capture&& c) {
            ids.push_back(c.id);
            return true;
        },
        [&](std::size_t line, const std::string&) { bad_line = line; });
    CHECK(bad_line == 2);
    CHECK(ids == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("--respond-sequence parses, and bad values are usage errors") {
    CHECK(listen::parse_sequence("500,500,200") == std::vector<int>{500, 500, 200});
    CHECK(listen::parse_sequence("503, drop ,200") == std::vector<int>{503, 0, 200});
    CHECK_THROWS_AS(listen::parse_sequence("500,,200"), Error);
    CHECK_THROWS_AS(listen::parse_sequence("99"), Error);
}

TEST_CASE("export: curl quotes the body for the shell and binary goes through base64") {
    capture::Capture c = sample("it's");
    const std::string command = capture::curl_command(c, "http://h:1", "");
    CHECK(command.find("'http://h:1/hook?a=1&b=%20'") != std::string::npos);
    CHECK(command.find("--data-binary 'it'\\''s'") != std::string::npos);
    c.body = std::string("\0\xff", 2);
    CHECK(capture::curl_command(c, "http://h:1/x", "")
              .rfind("printf %s 'AP8=' | base64 -d | curl", 0) == 0);
    // A body starting with '@' goes as --data-raw: --data-binary @x would send the file x.
    c.body = "@body.json";
    CHECK(capture::curl_command(c, "http://h:1/x", "").find("--data-raw '@body.json'") !=
          std::string::npos);
    c.body = "{\"b\":1,\"a\":[1,2]}";
    CHECK(capture::fixture_text(c) == "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    2\n  ]\n}\n");
}
