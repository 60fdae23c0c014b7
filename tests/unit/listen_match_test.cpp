// `blandhook listen --count N --match KEY=VALUE`: which captures count.
#include "error.hpp"
#include "listen/match.hpp"

#include <doctest/doctest.h>

using namespace blandhook;

namespace {

capture::Capture post_call() {
    capture::Capture c;
    c.method = "POST";
    c.path = "/webhook";
    c.payload.kind = "post-call";
    c.payload.call_id = "7f3c2a91-5b0e-4c1d-9a7e-2f8b6d4c1e03";
    c.payload.status = "completed";
    c.payload.signature = "valid-raw";
    return c;
}

bool matches(const std::vector<std::string>& texts, const capture::Capture& c = post_call()) {
    return listen::matches_all(c, listen::parse_matches(texts));
}

} // namespace

TEST_CASE("a capture matches when it has every KEY=VALUE given, and always with none") {
    CHECK(matches({}));
    CHECK(matches({"kind=post-call"}));
    CHECK(matches({"kind=post-call", "status=completed", "method=POST", "path=/webhook",
                   "signature=valid-raw", "call_id=7f3c2a91-5b0e-4c1d-9a7e-2f8b6d4c1e03"}));
    CHECK_FALSE(matches({"kind=post-call", "status=failed"}));
    CHECK_FALSE(matches({"path=/webhook/"}));
    CHECK_FALSE(matches({"signature=invalid"}));
}

TEST_CASE("a value may be empty or hold '=': it is compared whole") {
    capture::Capture c = post_call();
    c.payload.status.clear();
    c.path = "/hook?a=b";
    CHECK(matches({"status="}, c));
    CHECK(matches({"path=/hook?a=b"}, c));
    CHECK_FALSE(matches({"path=/hook?a"}, c));
}

TEST_CASE("an unknown key or a text without '=' is a usage error naming the keys") {
    for (const char* text : {"kind", "colour=red", "=post-call", "Kind=post-call"}) {
        CAPTURE(text);
        try {
            listen::parse_matches({text});
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::usage);
            CHECK(error.subject() == "--match");
            CHECK(error.detail() == "'" + std::string(text) + "' is not KEY=VALUE");
            CHECK(error.hint() == "KEY is one of call_id, kind, status, method, path, signature; "
                                  "example: --match kind=post-call");
        }
    }
}

TEST_CASE("the keys are listed in the order help and completions show them") {
    CHECK(listen::match_keys() ==
          std::vector<std::string>{"call_id", "kind", "status", "method", "path", "signature"});
}
