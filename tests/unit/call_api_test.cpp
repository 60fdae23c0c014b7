// The calls-API facts `call` relies on: E.164, done states, and one message per error shape.
#include "bland/call_check.hpp"
#include "bland/calls_api.hpp"
#include "error.hpp"

#include <doctest/doctest.h>

using namespace blandhook;
using payload::Json;

namespace {

Error caught(int status, const std::string& body) {
    try {
        bland::throw_api_error(status, body, "POST /v1/calls");
    } catch (const Error& error) {
        return error;
    }
    FAIL("no error thrown");
    return Error(ErrorKind::internal, "", "");
}

} // namespace

TEST_CASE("E.164 numbers are + and up to 15 digits, not starting with 0") {
    CHECK(bland::is_e164("+15551234567"));
    CHECK(bland::is_e164("+447911123456"));
    CHECK_FALSE(bland::is_e164("15551234567"));
    CHECK_FALSE(bland::is_e164("+05551234567"));
    CHECK_FALSE(bland::is_e164("+1555123456789012"));
    CHECK_FALSE(bland::is_e164("+1555-123-4567"));
    CHECK_FALSE(bland::is_e164("+"));
}

TEST_CASE("a call is done when completed, complete or in an error state") {
    CHECK(bland::call_is_done(Json{{"completed", true}}));
    CHECK(bland::call_is_done(Json{{"completed", false}, {"queue_status", "complete"}}));
    CHECK(bland::call_is_done(Json{{"queue_status", "call_error"}}));
    CHECK(bland::call_is_done(Json{{"queue_status", "completed"}}));
    CHECK_FALSE(bland::call_is_done(Json{{"completed", false}, {"queue_status", "started"}}));
    CHECK_FALSE(bland::call_is_done(Json{{"queue_status", "queued"}}));
}

TEST_CASE("each documented error shape becomes one message with the HTTP status") {
    auto auth = caught(
        401, R"({"data":null,"errors":[{"error":"AUTH_FAILURE","message":"Unauthorized"}]})");
    CHECK(auth.kind() == ErrorKind::api);
    CHECK(auth.detail() == "HTTP 401: Unauthorized (AUTH_FAILURE)");
    CHECK(auth.hint().find("API key") != std::string::npos);

    auto invalid = caught(
        400,
        R"({"status":"error","message":"Invalid parameters","errors":["Missing required parameter: phone_number."]})");
    CHECK(invalid.detail() ==
          "HTTP 400: Invalid parameters; Missing required parameter: phone_number.");

    auto limited = caught(429, R"({"status":"error","message":"Rate limit exceeded"})");
    CHECK(limited.detail() == "HTTP 429: Rate limit exceeded");
    CHECK(limited.hint().find("rate limit") != std::string::npos);

    CHECK(caught(500, R"({"error":"Internal error"})").detail() == "HTTP 500: Internal error");
    CHECK(caught(502, "<html>Bad gateway</html>").detail() == "HTTP 502: <html>Bad gateway</html>");
    CHECK(caught(404, "").detail() == "HTTP 404: no error message in the answer");
}

TEST_CASE("the API key is never shown") {
    CHECK(bland::redact_key("sk-live-1234567890") == "[redacted]");
    CHECK(bland::redact_key("sk-live-1234567890").find("sk-") == std::string::npos);
}

TEST_CASE("the JUnit report has one test case per check and marks failures") {
    bland::CallResult result;
    result.call_id = "c1";
    result.checks.push_back({"status", false, "status busy (expected completed) <&>"});
    result.checks.push_back({"schema", true, "post-call (0 errors, 0 warnings)"});
    result.verdict = bland::Verdict::fail;
    std::string xml = bland::junit_report(result);
    CHECK(xml.find(R"(tests="2" failures="1")") != std::string::npos);
    CHECK(xml.find(R"(<failure message="status busy (expected completed) &lt;&amp;&gt;"/>)") !=
          std::string::npos);
    Json json = bland::result_json(result);
    CHECK(json["verdict"] == "fail");
    CHECK(json["checks"].size() == 2);
}
