#include "error.hpp"
#include "http/client.hpp"

#include <doctest/doctest.h>

#include <ctime>

using namespace blandhook;
using namespace std::chrono_literals;

TEST_CASE("parse_url splits scheme, host, port and target, with the scheme's default port") {
    auto url = http::parse_url("https://example.com/hooks/bland?x=1#frag");
    CHECK(url.scheme == "https");
    CHECK(url.host == "example.com");
    CHECK(url.port == 443);
    CHECK(url.target == "/hooks/bland?x=1");
    CHECK(url.origin() == "https://example.com:443");

    auto plain = http::parse_url("HTTP://127.0.0.1:3000");
    CHECK(plain.scheme == "http");
    CHECK(plain.port == 3000);
    CHECK(plain.target == "/");

    auto v6 = http::parse_url("http://[::1]:8080/w");
    CHECK(v6.host == "::1");
    CHECK(v6.port == 8080);
    CHECK(v6.origin() == "http://[::1]:8080");

    CHECK(http::parse_url("http://h?q=1").target == "/?q=1");
}

TEST_CASE("parse_url rejects what is not an absolute http(s) URL as a usage error naming it") {
    for (const char* bad : {"localhost:3000", "ftp://x/", "http://", "http://h:0/",
                            "http://h:99999/", "http://h:12ab/", "http://[::1/", "http://u@h/"}) {
        CAPTURE(bad);
        try {
            http::parse_url(bad, "--to");
            FAIL("accepted");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::usage);
            CHECK(error.subject() == "--to");
            CHECK(error.detail().find(bad) != std::string::npos);
        }
    }
}

TEST_CASE("find_header ignores case and returns the first match") {
    http::Headers headers{{"Content-Type", "a"}, {"retry-after", "3"}, {"Retry-After", "9"}};
    CHECK(http::find_header(headers, "RETRY-AFTER") == "3");
    CHECK(http::find_header(headers, "content-type") == "a");
    CHECK_FALSE(http::find_header(headers, "X-Missing"));
}

TEST_CASE("network failures, 5xx and 429 are retryable; 2xx, 3xx and other 4xx are final") {
    http::Attempt failed;
    failed.error = "connection refused";
    CHECK(http::is_retryable(failed));
    for (int status : {500, 502, 503, 504, 599, 429}) {
        http::Attempt attempt;
        attempt.response = http::Response{status, {}, {}};
        CHECK(http::is_retryable(attempt));
    }
    for (int status : {200, 204, 301, 400, 401, 403, 404, 410, 422}) {
        http::Attempt attempt;
        attempt.response = http::Response{status, {}, {}};
        CHECK_FALSE(http::is_retryable(attempt));
    }
}

TEST_CASE("Retry-After is read as delta-seconds or as an HTTP date") {
    http::Response response;
    CHECK_FALSE(http::retry_after(response));
    response.headers = {{"Retry-After", " 7 "}};
    CHECK(http::retry_after(response) == 7000ms);
    response.headers = {{"Retry-After", "soon"}};
    CHECK_FALSE(http::retry_after(response));
    response.headers = {{"Retry-After", "-3"}};
    CHECK_FALSE(http::retry_after(response));

    // A date in the past means "now".
    response.headers = {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}};
    CHECK(http::retry_after(response) == 0ms);

    std::time_t later = std::time(nullptr) + 120;
    std::tm tm{};
    gmtime_r(&later, &tm);
    char text[64];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    response.headers = {{"retry-after", text}};
    auto wait = http::retry_after(response);
    REQUIRE(wait);
    CHECK(*wait > 100s);
    CHECK(*wait <= 120s);
}

TEST_CASE("backoff grows exponentially, jitters by at most 20 % and is capped") {
    http::RetryPolicy policy;
    policy.backoff = 1000ms;
    policy.multiplier = 2.0;
    policy.max_backoff = 5000ms;
    CHECK(http::backoff_delay(policy, 1, 0.5) == 1000ms);
    CHECK(http::backoff_delay(policy, 2, 0.5) == 2000ms);
    CHECK(http::backoff_delay(policy, 3, 0.5) == 4000ms);
    CHECK(http::backoff_delay(policy, 4, 0.5) == 5000ms);
    CHECK(http::backoff_delay(policy, 40, 0.5) == 5000ms);
    CHECK(http::backoff_delay(policy, 1, 0.0) == 800ms);
    CHECK(http::backoff_delay(policy, 1, 1.0) == 1200ms);
    policy.jitter = false;
    CHECK(http::backoff_delay(policy, 2, 0.0) == 2000ms);
}

TEST_CASE("a Retry-After answer sets the wait, capped by max_backoff") {
    http::RetryPolicy policy;
    policy.backoff = 100ms;
    policy.max_backoff = 10'000ms;
    http::Attempt attempt;
    attempt.number = 1;
    attempt.response = http::Response{429, {{"Retry-After", "3"}}, {}};
    CHECK(http::retry_delay(policy, attempt, 0.0) == 3000ms);
    attempt.response = http::Response{503, {{"Retry-After", "3600"}}, {}};
    CHECK(http::retry_delay(policy, attempt, 0.0) == 10'000ms);
    attempt.response = http::Response{503, {}, {}};
    CHECK(http::retry_delay(policy, attempt, 0.5) == 100ms);
}

TEST_CASE("header_problem refuses CR, LF and NUL in values and non-token names") {
    CHECK(http::header_problem({"X-Env", "ci"}).empty());
    CHECK(http::header_problem({"X-Env", "a, b; c=\"d\"\t"}).empty());
    CHECK_FALSE(http::header_problem({"X-Env", "a\r\nInjected: 1"}).empty());
    CHECK_FALSE(http::header_problem({"X-Env", "a\rb"}).empty());
    CHECK_FALSE(http::header_problem({"X-Env", "a\nb"}).empty());
    CHECK_FALSE(http::header_problem({"X-Env", std::string("a\0b", 3)}).empty());
    CHECK_FALSE(http::header_problem({"", "v"}).empty());
    CHECK_FALSE(http::header_problem({"X Env", "v"}).empty());
    CHECK_FALSE(http::header_problem({"X-Env:", "v"}).empty());
    CHECK_FALSE(http::header_problem({"X-Env\r\nInjected", "v"}).empty());
}

TEST_CASE("a request with a header that would inject another is refused before anything is sent, "
          "and not retried") {
    // Nothing listens on this origin: a refusal must come before any connection attempt.
    http::Client client(http::parse_url("http://127.0.0.1:9/"), {});
    http::Request request;
    request.headers = {{"X-Evil", "a\r\nInjected: 1"}};
    const http::Attempt refused = client.send(request);
    CHECK_FALSE(refused.response);
    CHECK(refused.error.starts_with("not sent: header X-Evil holds a CR, LF or NUL"));
    CHECK_FALSE(http::is_retryable(refused));

    request.headers.clear();
    request.target = "/a b HTTP/1.1\r\nX: y";
    CHECK(client.send(request).error.starts_with("not sent: the request target"));
}
