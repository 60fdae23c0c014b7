// The line `blandhook listen` and `captures list` print per request: aligned columns fitted to the
// terminal's width, whole columns left out when it is narrow, outcomes coloured by meaning.
#include "listen/display.hpp"
#include "term/progress.hpp"
#include "term/style.hpp"

#include <doctest/doctest.h>
#include <sstream>

using namespace blandhook;

namespace {

capture::Capture post_call(std::uint64_t id, std::string status) {
    capture::Capture c;
    c.id = id;
    c.received_at = "2026-11-27T10:06:04.123Z";
    c.method = "POST";
    c.path = "/webhook";
    c.body = "{}";
    c.response_status = 200;
    c.payload.kind = "post-call";
    c.payload.is_json = true;
    c.payload.call_id = "7f3c2a91-5b0e-4c1d-9a7e-2f8b6d4c1e03";
    c.payload.status = std::move(status);
    c.payload.duration_seconds = 113;
    c.payload.signature = "valid-raw";
    return c;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::string line_at(const capture::Capture& c, std::size_t width) {
    listen::DisplayOptions options;
    options.width = width;
    return listen::format_capture(c, options);
}

} // namespace

TEST_CASE("listen line at 100 columns: every column aligned, the call id shortened") {
    capture::Capture failed = post_call(12, "failed");
    failed.payload.error_message = "Call failed. The number you dialed is busy. Please try again "
                                   "later.";
    failed.payload.signature = "invalid";
    failed.payload.errors = 2;
    failed.payload.warnings = 1;
    failed.response_status = 503;
    failed.response_note = "sequence 1/2";
    capture::Capture live = post_call(3, "");
    live.payload.kind = "live-event";
    live.payload.message = "Call connected";
    live.payload.signature = "not-checked";
    live.payload.duration_seconds.reset();
    capture::Capture text = post_call(1234, "");
    text.payload.is_json = false;
    text.payload.kind = "unknown";
    text.payload.call_id.clear();
    text.path = "/a/very/long/path/that/does/not/fit";

    CHECK(line_at(post_call(1, "completed"), 100) ==
          "10:06:04 #1     POST /webhook           200  post-call 7f3c2a91 completed  sig ok      "
          "valid\n");
    CHECK(line_at(failed, 100) ==
          "10:06:04 #12    POST /webhook           503  post-call 7f3c2a91 failed     sig invalid "
          "2 err, 1 warn\n"
          "    answered 503: sequence 1/2\n"
          "    Call failed. The number you dialed is busy. Please try again later.\n");
    CHECK(line_at(live, 100) ==
          "10:06:04 #3     POST /webhook           200  live      7f3c2a91 -          sig off     "
          "valid\n"
          "    Call connected\n");
    CHECK(line_at(text, 100) ==
          "10:06:04 #1234  POST /a/very/long/path… 200  unknown   -        -          sig ok      "
          "not JSON\n");
    for (const auto* c : {&failed, &live, &text}) {
        for (const std::string& line : lines_of(line_at(*c, 100))) {
            CHECK(term::display_width(line) <= 100);
        }
    }
}

TEST_CASE("listen line at 60 columns: lower-priority columns are left out whole, none is cut") {
    capture::Capture failed = post_call(12, "failed");
    failed.payload.error_message = "Call failed. The number you dialed is busy. Please try again "
                                   "later.";
    failed.payload.findings = {{"/transcripts/0/text", "error",
                                "expected a string, got null (every turn carries its text)"}};
    failed.payload.errors = 1;
    const std::string text = line_at(failed, 60);
    CHECK(text == "10:06:04 #12    POST /webhook  200  failed     1 error\n"
                  "    Call failed. The number you dialed is busy. Please try …\n"
                  "    error /transcripts/0/text: expected a string, got null …\n");
    for (const std::string& line : lines_of(text)) {
        CHECK(term::display_width(line) <= 60);
    }
    // At 80 columns the signature fits too, still whole; the kind and call id do not.
    CHECK(lines_of(line_at(failed, 80))[0] ==
          "10:06:04 #12    POST /webhook  200  failed     sig ok      1 error");
}

TEST_CASE("listen line colours outcomes by meaning: failed and invalid red, busy and no-answer "
          "yellow, not JSON yellow") {
    listen::DisplayOptions options;
    options.color = true;
    const auto painted = [&](const capture::Capture& c) {
        return listen::format_capture(c, options);
    };
    CHECK(painted(post_call(1, "failed")).find("\x1b[31mfailed\x1b[0m") != std::string::npos);
    CHECK(painted(post_call(1, "call_error")).find("\x1b[31mcall_error\x1b[0m") !=
          std::string::npos);
    CHECK(painted(post_call(1, "busy")).find("\x1b[33mbusy\x1b[0m") != std::string::npos);
    CHECK(painted(post_call(1, "no-answer")).find("\x1b[33mno-answer\x1b[0m") != std::string::npos);
    CHECK(painted(post_call(1, "completed")).find("\x1b[32mcompleted\x1b[0m") != std::string::npos);
    capture::Capture invalid = post_call(1, "completed");
    invalid.payload.errors = 3;
    invalid.payload.signature = "invalid";
    CHECK(painted(invalid).find("\x1b[31m3 errors\x1b[0m") != std::string::npos);
    CHECK(painted(invalid).find("\x1b[31msig invalid\x1b[0m") != std::string::npos);
    capture::Capture text = post_call(1, "");
    text.payload.is_json = false;
    CHECK(painted(text).find("\x1b[33mnot JSON\x1b[0m") != std::string::npos);
    capture::Capture refused = post_call(1, "completed");
    refused.response_status = 500;
    CHECK(painted(refused).find("\x1b[31m500 \x1b[0m") == std::string::npos); // padding unpainted
    CHECK(painted(refused).find("\x1b[31m500\x1b[0m ") != std::string::npos);
    // Colour changes no column: the painted line without its escapes is the plain line.
    std::string plain = painted(invalid);
    for (std::size_t at; (at = plain.find("\x1b[")) != std::string::npos;) {
        plain.erase(at, plain.find('m', at) - at + 1);
    }
    CHECK(plain == line_at(invalid, 100));
}

TEST_CASE("term: fit cuts in columns with an ellipsis, the width comes from $COLUMNS off a "
          "terminal") {
    CHECK(term::fit("abcdef", 6) == "abcdef");
    CHECK(term::fit("abcdef", 4) == "abc…");
    CHECK(term::fit("héllo wörld", 6) == "héllo…");
    CHECK(term::display_width("héllo…") == 6);
    CHECK(term::pad_right("ab", 4) == "ab  ");
}

TEST_CASE("progress line: done/total, percentage, rate and ETA, fitted to the width") {
    term::Progress progress{120, 480, 2, 4.0};
    CHECK(term::progress_line(progress, 80) ==
          "[#######·······················]  120/480   25%  2 failed  30/s  ETA 12s");
    CHECK(term::display_width(term::progress_line(progress, 40)) <= 40);
    CHECK(term::progress_line(progress, 40) == "[###··········]  120/480   25%  2 failed");
    CHECK(term::progress_line({5, 0, 0, 1.0}, 80) == "5 done  5/s");
    CHECK(term::short_duration(125) == "2m05s");
}
