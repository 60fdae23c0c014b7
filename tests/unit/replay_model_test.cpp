#include "error.hpp"
#include "payload/fixtures.hpp"
#include "payload/json.hpp"
#include "payload/signature.hpp"
#include "replay/build.hpp"
#include "replay/manifest.hpp"
#include "replay/model.hpp"

#include <doctest/doctest.h>

using namespace blandhook;
using namespace blandhook::replay;
using namespace std::chrono_literals;
using payload::Json;

namespace {

Item item_of(std::string body, std::string name = "test.json") {
    Item item;
    item.name = name;
    item.group = name;
    item.body = std::move(body);
    return item;
}

BuildOptions options_for(std::string secret = "s3cret") {
    BuildOptions options;
    options.target = http::parse_url("http://127.0.0.1:9/hook");
    options.secret = std::move(secret);
    return options;
}

const std::string k_post_call =
    R"({"call_id":"aaaa","c_id":"aaaa","completed":true,"concatenated_transcript":"user: hi",)"
    R"("variables":{"call_id":"aaaa","city":"Zürich"},"recording_url":"https://x/aaaa.mp3",)"
    R"("warm_transfer_call":{"proxy_agent_calls":[{"call_id":"bbbb"}]}})";

std::string signature_of(const Delivery& delivery) {
    return http::find_header(delivery.request.headers, "X-Webhook-Signature").value_or("");
}

} // namespace

TEST_CASE("statuses are read as codes, classes, lists and ranges") {
    std::vector<std::pair<int, int>> ranges;
    parse_statuses("200", ranges, "--expect-status");
    parse_statuses("4xx, 301-302", ranges, "--expect-status");
    REQUIRE(ranges.size() == 3);
    CHECK(ranges[0] == std::pair{200, 200});
    CHECK(ranges[1] == std::pair{400, 499});
    CHECK(ranges[2] == std::pair{301, 302});
    for (const char* bad : {"", "abc", "2yy", "700", "300-200", "20"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(parse_statuses(bad, ranges, "--expect-status"), Error);
    }
    CHECK(refusal_expectation().text() == "401 or 403");
    CHECK(accept_expectation().text() == "2xx");
    CHECK(refusal_expectation().status_ok(403));
    CHECK_FALSE(refusal_expectation().status_ok(200));
}

TEST_CASE("--set reads dotted paths and JSON pointers, values as JSON when they parse") {
    Json document = payload::parse_json(R"({"metadata":{"a":1},"transcripts":[{"text":"x"}]})");
    apply_override(document, parse_override("metadata.ticket=T-1"));
    apply_override(document, parse_override("metadata.count=3"));
    apply_override(document, parse_override("/transcripts/0/text=\"hello\""));
    apply_override(document, parse_override("transcripts.1={\"text\":\"new\"}"));
    apply_override(document, parse_override("new.deep.flag=true"));
    apply_override(document, parse_override("corrected_duration=\"11\""));
    CHECK(payload::canonical_json(document) ==
          R"({"metadata":{"a":1,"ticket":"T-1","count":3},"transcripts":[{"text":"hello"},)"
          R"({"text":"new"}],"new":{"deep":{"flag":true}},"corrected_duration":"11"})");
    CHECK_THROWS_AS(parse_override("no-equals-sign"), Error);
    CHECK_THROWS_AS(apply_override(document, parse_override("metadata.a.b=1")), Error);
    CHECK_THROWS_AS(apply_override(document, parse_override("transcripts.9=1")), Error);
}

TEST_CASE("fresh ids replace call_id and c_id everywhere the old id was, and nothing else") {
    Json document = payload::parse_json(k_post_call);
    refresh_ids(document, "nnnn");
    CHECK(document["call_id"] == "nnnn");
    CHECK(document["c_id"] == "nnnn");
    CHECK(document["variables"]["call_id"] == "nnnn");
    CHECK(document["recording_url"] == "https://x/nnnn.mp3");
    CHECK(document["warm_transfer_call"]["proxy_agent_calls"][0]["call_id"] == "bbbb");
}

TEST_CASE("the \\u-escaped and key-reordered variants are the same value in other bytes") {
    Json document = payload::parse_json(k_post_call);
    std::string escaped = escaped_json(document);
    CHECK(escaped.find("Z\\u00fcrich") != std::string::npos);
    CHECK(escaped.find("https:\\/\\/x\\/") != std::string::npos);
    CHECK(escaped != payload::canonical_json(document));
    CHECK(payload::canonical_json(escaped) == payload::canonical_json(document));

    std::string reordered = payload::canonical_json(reorder_keys(document));
    CHECK(reordered.rfind("{\"warm_transfer_call\":", 0) == 0);
    CHECK(reordered != payload::canonical_json(document));
    CHECK(nlohmann::json::parse(reordered) == nlohmann::json::parse(k_post_call)); // same members
}

TEST_CASE("a fixture goes as canonical compact JSON signed over exactly those bytes") {
    auto built = build_case(item_of("{ \"b\": 1.50,\n \"a\": [1, 2] }"), CaseSpec{}, options_for());
    REQUIRE(built.error.empty());
    REQUIRE(built.deliveries.size() == 1);
    const auto& request = built.deliveries[0].request;
    CHECK(request.body == R"({"b":1.5,"a":[1,2]})");
    CHECK(request.method == "POST");
    CHECK(request.target == "/hook");
    CHECK(http::find_header(request.headers, "Content-Type") == "application/json");
    CHECK(http::find_header(request.headers, "User-Agent") ==
          std::string("blandhook/") + BLANDHOOK_VERSION);
    CHECK(signature_of(built.deliveries[0]) == payload::sign("s3cret", request.body));

    auto options = options_for();
    options.raw = true;
    auto raw = build_case(item_of("{ \"b\": 1.50 }"), CaseSpec{}, options);
    CHECK(raw.deliveries[0].request.body == "{ \"b\": 1.50 }");
    CHECK(signature_of(raw.deliveries[0]) == payload::sign("s3cret", "{ \"b\": 1.50 }"));

    auto unsigned_case = build_case(item_of("{}"), CaseSpec{}, options_for(""));
    CHECK_FALSE(
        http::find_header(unsigned_case.deliveries[0].request.headers, "X-Webhook-Signature"));
}

TEST_CASE("a body that is not JSON is an error case unless --raw") {
    auto built = build_case(item_of("not json"), CaseSpec{}, options_for());
    CHECK(built.deliveries.empty());
    CHECK(built.error.find("not JSON") == 0);
}

TEST_CASE("two-phase sends the post-call body, then the delayed one with citations for the same "
          "call; out-of-order reverses them") {
    CaseSpec spec;
    spec.scenario = Scenario::two_phase;
    auto options = options_for();
    options.fresh_ids = true;
    auto built = build_case(item_of(k_post_call), spec, options);
    REQUIRE(built.error.empty());
    REQUIRE(built.deliveries.size() == 2);
    CHECK(built.deliveries[0].label == "post-call");
    CHECK(built.deliveries[1].label == "delayed");
    Json now = payload::parse_json(built.deliveries[0].request.body);
    Json later = payload::parse_json(built.deliveries[1].request.body);
    CHECK_FALSE(now.contains("citations"));
    CHECK_FALSE(now.contains("corrected_transcript"));
    REQUIRE(later.contains("citations"));
    REQUIRE(later.contains("corrected_transcript"));
    CHECK(now["call_id"] != "aaaa");
    CHECK(now["call_id"] == later["call_id"]);
    for (const auto& citation : later["citations"]) {
        CHECK(citation["call_id"] == later["call_id"]);
    }
    for (const auto& delivery : built.deliveries) {
        CHECK(signature_of(delivery) == payload::sign("s3cret", delivery.request.body));
    }

    spec.scenario = Scenario::out_of_order;
    auto reversed = build_case(item_of(k_post_call), spec, options_for());
    REQUIRE(reversed.deliveries.size() == 2);
    CHECK(reversed.deliveries[0].label == "delayed");
    CHECK(reversed.deliveries[1].label == "post-call");

    spec.scenario = Scenario::two_phase;
    auto live = build_case(item_of(R"({"category":"call","message":"Call connected"})"), spec,
                           options_for());
    CHECK(live.error.empty());
    CHECK(live.deliveries.empty());
    CHECK(live.skipped.find("applies to post-call payloads; this is live-event") !=
          std::string::npos);
}

TEST_CASE("two-phase and out-of-order skip a call that never connected: Bland sends it no "
          "citations (test failed before this change)") {
    for (Scenario scenario : {Scenario::two_phase, Scenario::out_of_order}) {
        CaseSpec spec;
        spec.scenario = scenario;
        for (const char* name : {"error-busy", "error-call-failed", "no-answer", "error-unknown"}) {
            CAPTURE(name);
            auto built =
                build_case(item_of(std::string(*payload::fixture_body(name))), spec, options_for());
            CHECK(built.error.empty());
            CHECK(built.deliveries.empty());
            CHECK(built.skipped.find("never connected") != std::string::npos);
        }
        auto answered = build_case(item_of(std::string(*payload::fixture_body("voicemail"))), spec,
                                   options_for());
        CHECK(answered.skipped.empty());
        CHECK(answered.deliveries.size() == 2);
    }
}

TEST_CASE("signature variants are four different byte strings, each signed over itself") {
    CaseSpec spec;
    spec.scenario = Scenario::signature_variants;
    auto built = build_case(item_of(k_post_call), spec, options_for());
    REQUIRE(built.deliveries.size() == 4);
    std::vector<std::string> labels;
    for (const auto& delivery : built.deliveries) {
        labels.push_back(delivery.label);
        CHECK(signature_of(delivery) == payload::sign("s3cret", delivery.request.body));
        // The same value: equal as unordered JSON.
        CHECK(nlohmann::json::parse(delivery.request.body) == nlohmann::json::parse(k_post_call));
    }
    CHECK(labels == std::vector<std::string>{"pretty", "compact", "key-reordered", "u-escaped"});
    CHECK(built.deliveries[0].request.body != built.deliveries[1].request.body);
    CHECK(built.deliveries[2].request.body != built.deliveries[1].request.body);
    CHECK(built.deliveries[3].request.body != built.deliveries[1].request.body);
}

TEST_CASE("bad-signature and no-signature expect a refusal; duplicate sends identical bytes") {
    CaseSpec spec;
    spec.scenario = Scenario::bad_signature;
    auto bad = build_case(item_of(k_post_call), spec, options_for());
    REQUIRE(bad.deliveries.size() == 1);
    CHECK(bad.deliveries[0].expect_refusal);
    CHECK(bad.deliveries[0].expect.text() == "401 or 403");
    auto signature = signature_of(bad.deliveries[0]);
    CHECK(signature.size() == 64);
    CHECK_FALSE(payload::signature_matches("s3cret", bad.deliveries[0].request.body, signature));

    spec.scenario = Scenario::no_signature;
    auto none = build_case(item_of(k_post_call), spec, options_for());
    CHECK_FALSE(http::find_header(none.deliveries[0].request.headers, "X-Webhook-Signature"));
    CHECK(none.deliveries[0].expect_refusal);

    spec.scenario = Scenario::duplicate;
    auto twice = build_case(item_of(k_post_call), spec, options_for());
    REQUIRE(twice.deliveries.size() == 2);
    CHECK(twice.deliveries[0].request.body == twice.deliveries[1].request.body);
    CHECK(signature_of(twice.deliveries[0]) == signature_of(twice.deliveries[1]));
}

TEST_CASE("a capture is replayed with its method, path, headers and exact bytes") {
    Item item = item_of("{ \"call_id\": \"x\" }", "log.ndjson:3");
    item.from_capture = true;
    item.method = "PUT";
    item.target = "/captured?x=1";
    item.headers = {{"Content-Type", "application/json; charset=utf-8"},
                    {"User-Agent", "Bland/1"},
                    {"Host", "old:4000"},
                    {"Content-Length", "99"},
                    {"REMOTE_ADDR", "127.0.0.1"},
                    {"X-Webhook-Signature", "cafe"}};
    auto options = options_for("");
    options.target = http::parse_url("http://127.0.0.1:9");
    auto built = build_case(item, CaseSpec{}, options);
    REQUIRE(built.deliveries.size() == 1);
    const auto& request = built.deliveries[0].request;
    CHECK(request.method == "PUT");
    CHECK(request.target == "/captured?x=1");
    CHECK(request.body == "{ \"call_id\": \"x\" }");
    CHECK(http::find_header(request.headers, "User-Agent") == "Bland/1");
    CHECK(http::find_header(request.headers, "X-Webhook-Signature") == "cafe");
    CHECK_FALSE(http::find_header(request.headers, "Host"));
    CHECK_FALSE(http::find_header(request.headers, "Content-Length"));
    CHECK_FALSE(http::find_header(request.headers, "REMOTE_ADDR"));

    // --to with a path wins over the captured path; a secret re-signs the bytes.
    auto signed_options = options_for("k");
    auto resigned = build_case(item, CaseSpec{}, signed_options);
    CHECK(resigned.deliveries[0].request.target == "/hook");
    CHECK(signature_of(resigned.deliveries[0]) == payload::sign("k", item.body));
}

TEST_CASE("a manifest gives each entry its scenario, overrides and expectations") {
    CaseSpec base;
    base.headers = {{"X-From", "cli"}};
    auto manifest = parse_manifest(R"({
        "to": "http://127.0.0.1:3000/webhook",
        "defaults": {"expect": {"status": [200, "204"]}, "headers": {"X-Env": "ci"}},
        "cases": [
            {"name": "busy", "input": "fixtures/error-busy.json", "set": {"metadata.ticket": "T-1"},
             "expect": {"status": 202, "body_contains": "stored"}},
            {"input": ["a.json", "b.json"], "scenarios": ["bad-signature", "no-signature"],
             "expect_refusal": 401}
        ]})",
                                   "/suite", base);
    CHECK(manifest.to == "http://127.0.0.1:3000/webhook");
    REQUIRE(manifest.specs.size() == 3);
    REQUIRE(manifest.sources.size() == 5);
    CHECK(manifest.sources[0].argument == "fixtures/error-busy.json");
    CHECK(manifest.sources[0].base_dir == "/suite");
    const CaseSpec& busy = manifest.specs[manifest.sources[0].spec];
    CHECK(busy.name == "busy");
    CHECK(busy.accept->text() == "202, body contains \"stored\"");
    REQUIRE(busy.overrides.size() == 1);
    CHECK(busy.overrides[0].pointer == "/metadata/ticket");
    CHECK(busy.overrides[0].value == "T-1");
    CHECK(busy.headers.size() == 2);
    const CaseSpec& bad = manifest.specs[manifest.sources[1].spec];
    CHECK(bad.scenario == Scenario::bad_signature);
    CHECK(bad.refuse->text() == "401");
    CHECK(bad.accept->text() == "200 or 204");
    CHECK(manifest.specs[manifest.sources[3].spec].scenario == Scenario::no_signature);

    CHECK_THROWS_AS(parse_manifest(R"({"cases": []})", "", base), Error);
    CHECK_THROWS_AS(parse_manifest(R"({"cases": [{"input": "x", "scenario": "nope"}]})", "", base),
                    Error);
    CHECK_THROWS_AS(parse_manifest(R"({"cases": [{"inptu": "x"}]})", "", base), Error);
}

TEST_CASE("swapping the call id by text gives the bytes refresh_ids would, each signed again") {
    CaseSpec spec;
    spec.scenario = Scenario::two_phase;
    spec.overrides = {parse_override("metadata.run=7")};
    auto options = options_for();
    auto old_id = text_replaceable_id(k_post_call);
    REQUIRE(old_id == "aaaa");
    Case built = build_case(item_of(k_post_call), spec, options);
    Case swapped = with_new_id(built, *old_id, "nnnn", options);
    REQUIRE(swapped.deliveries.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        Json expected = payload::parse_json(built.deliveries[i].request.body);
        refresh_ids(expected, "nnnn");
        CHECK(swapped.deliveries[i].request.body == payload::canonical_json(expected));
        CHECK(signature_of(swapped.deliveries[i]) ==
              payload::sign("s3cret", swapped.deliveries[i].request.body));
    }
    // A c_id that differs from call_id, or an id JSON would escape, needs the document.
    CHECK_FALSE(text_replaceable_id(R"({"call_id":"a","c_id":"b"})"));
    CHECK_FALSE(text_replaceable_id(R"({"call_id":"a/b"})"));
    CHECK_FALSE(text_replaceable_id("[1]"));
}
