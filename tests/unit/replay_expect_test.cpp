#include "error.hpp"
#include "replay/expect.hpp"
#include "replay/oracle.hpp"
#include "replay/probe.hpp"

#include <doctest/doctest.h>

using namespace blandhook;
using namespace blandhook::replay;

namespace {

State json_state(const char* text) {
    return state_from_text(text);
}

CheckOutcome::Result result_of(const char* expression, const State& state) {
    return evaluate(parse_state_check(expression, "--expect-state"), state).result;
}

constexpr auto k_passed = CheckOutcome::Result::passed;
constexpr auto k_failed = CheckOutcome::Result::failed;
constexpr auto k_error = CheckOutcome::Result::error;

} // namespace

TEST_CASE("a probe's output is no state when blank, JSON when it parses, else text") {
    CHECK(state_from_text("").kind == State::Kind::none);
    CHECK(state_from_text(" \n").kind == State::Kind::none);
    CHECK(state_from_text("[{\"a\":1}]\n").kind == State::Kind::json);
    State text = state_from_text("stored 3 rows\n");
    CHECK(text.kind == State::Kind::text);
    CHECK(text.text == "stored 3 rows");
    CHECK(same_state(json_state(R"({"a":1,"b":2})"), json_state(R"({"b":2,"a":1})")));
    CHECK_FALSE(same_state(State{}, json_state("null")));
}

TEST_CASE("normalized hides the call ids and drops ignored pointers") {
    State state = json_state(R"([{"id":7,"call_id":"c-1","url":"https://x/c-1.mp3"}])");
    State out = normalized(state, {"c-1"}, {"/*/id"});
    CHECK(payload::canonical_json(out.json) ==
          R"([{"call_id":"<call_id>","url":"https://x/<call_id>.mp3"}])");
    State text = normalized(state_from_text("row c-1 done"), {"c-1"}, {});
    CHECK(text.text == "row <call_id> done");
}

TEST_CASE("--expect-state: every operator of the grammar, passing and failing") {
    State row = json_state(
        R"({"status":"completed","tags":["a","b"],"n":2,"note":"thanks, bye","m":{"k":1}})");
    CHECK(result_of("/status exists", row) == k_passed);
    CHECK(result_of("/missing exists", row) == k_failed);
    CHECK(result_of("/missing absent", row) == k_passed);
    CHECK(result_of("/status absent", row) == k_failed);
    CHECK(result_of("/status == \"completed\"", row) == k_passed);
    CHECK(result_of("/status == \"busy\"", row) == k_failed);
    CHECK(result_of("/n == 2.0", row) == k_passed);
    CHECK(result_of("/m == {\"k\": 1}", row) == k_passed);
    CHECK(result_of("/status != \"busy\"", row) == k_passed);
    CHECK(result_of("/note contains thanks", row) == k_passed);
    CHECK(result_of("/note contains \"bye\"", row) == k_passed);
    CHECK(result_of("/tags contains \"b\"", row) == k_passed);
    CHECK(result_of("/tags contains \"c\"", row) == k_failed);
    CHECK(result_of("/m contains k", row) == k_passed);
    CHECK(result_of("/tags length == 2", row) == k_passed);
    CHECK(result_of("/tags length > 2", row) == k_failed);
    CHECK(result_of("'' length == 5", row) == k_passed);
    CHECK(result_of("length >= 1", row) == k_passed);
    CHECK(result_of("/n length == 1", row) == k_failed);
    CHECK(result_of("'/status' exists", row) == k_passed);
    auto outcome = evaluate(parse_state_check("/status == \"busy\"", "x"), row);
    CHECK(outcome.detail == "/status: expected \"busy\", got \"completed\"");
}

TEST_CASE("--expect-state on no state and on a text state") {
    State none;
    CHECK(result_of("'' absent", none) == k_passed);
    CHECK(result_of("/a absent", none) == k_passed);
    CHECK(result_of("/a exists", none) == k_failed);
    State text = state_from_text("3 rows");
    CHECK(result_of("'' contains rows", text) == k_passed);
    CHECK(result_of("'' == \"3 rows\"", text) == k_passed);
    auto outcome = evaluate(parse_state_check("/rows exists", "x"), text);
    CHECK(outcome.result == k_error);
    CHECK(outcome.detail.find("the probe answered text, not JSON") != std::string::npos);
}

TEST_CASE("--expect-state refuses what is not the grammar, with the grammar as hint") {
    for (const char* bad : {"/a", "/a = 1", "/a == completed", "a exists", "/a length 3",
                            "/a length == x", "'/a exists"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(parse_state_check(bad, "--expect-state"), Error);
    }
}

TEST_CASE("--expect-latency: percentiles by nearest rank, max, and the bound's units") {
    LatencyCheck check = parse_latency_check("p99 < 500ms");
    CHECK(check.percentile == 99);
    CHECK(check.op == "<");
    CHECK(check.bound == std::chrono::microseconds(500'000));
    CHECK(parse_latency_check("max<=2s").percentile == 100);
    CHECK(parse_latency_check("p99.9 > 250us").bound == std::chrono::microseconds(250));
    CHECK_THROWS_AS(parse_latency_check("p101 < 1s"), Error);
    CHECK_THROWS_AS(parse_latency_check("avg < 1s"), Error);
    CHECK_THROWS_AS(parse_latency_check("p99 == 1s"), Error);
    std::vector<std::uint32_t> latencies;
    for (std::uint32_t i = 1; i <= 100; ++i) {
        latencies.push_back(i * 1000);
    }
    CHECK(percentile(latencies, 50).count() == 50'000);
    CHECK(percentile(latencies, 99).count() == 99'000);
    CHECK(percentile(latencies, 100).count() == 100'000);
    LatencyResult failed = evaluate(parse_latency_check("p99 < 50ms"), latencies);
    CHECK_FALSE(failed.passed);
    CHECK(failed.detail == "p99 99.0 ms over 100 answers, expected < 50.0 ms");
    CHECK(evaluate(parse_latency_check("p50 <= 50ms"), latencies).passed);
}

TEST_CASE("differences name each pointer with both values shortened, no state as empty") {
    State before;
    State after = json_state(R"([{"call_id":"<call_id>","status":"completed"}])");
    CHECK(describe_differences(before, after) ==
          R"(/0: expected absent, got {"call_id":"<call_id>","status":"completed"})");
    State a = json_state(R"({"a":1,"b":2,"c":3,"d":4,"e":5})");
    State b = json_state(R"({"a":0,"b":0,"c":0,"d":0,"e":0})");
    CHECK(describe_differences(a, b) == "/a: expected 1, got 0; /b: expected 2, got 0; /c: "
                                        "expected 3, got 0 (and 2 more: /d, /e)");
    CHECK(describe_differences(state_from_text("x"), State{}) ==
          "(the whole state): expected text \"x\", got no state");
}

TEST_CASE("answers: --expect-answer over the body, --expect-header over the headers") {
    http::Response response;
    response.status = 200;
    response.headers = {{"Content-Type", "application/json"}};
    response.body = R"({"ok":true})";
    CHECK(check_answer({parse_state_check("/ok == true", "x")},
                       {parse_header_check("content-type: application/json")}, response)
              .empty());
    CHECK(check_answer({parse_state_check("/ok == false", "x")}, {}, response) ==
          "answer /ok: expected false, got true");
    CHECK(check_answer({}, {parse_header_check("X-Id")}, response) ==
          "the answer has no X-Id header");
    response.body = "stored";
    CHECK(check_answer({parse_state_check("/ok exists", "x")}, {}, response)
              .find("the answer body is not JSON") != std::string::npos);
}
