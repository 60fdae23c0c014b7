// The emulator's pure parts: outcome table, send-call validation, payload building.
#include "emulator/call_payload.hpp"
#include "emulator/outcome.hpp"
#include "emulator/request_validation.hpp"
#include "payload/analysis.hpp"
#include "payload/fixtures.hpp"
#include "payload/json.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace blandhook;
using payload::Json;

namespace {

std::string outcome_of(const std::string& number, const Json& request_data = Json()) {
    std::string error;
    auto outcome = emulator::choose_outcome(number, request_data, error);
    REQUIRE_MESSAGE(outcome, error);
    return outcome->fixture;
}

bool has_message(const std::vector<std::string>& errors, const std::string& needle) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const std::string& e) { return e.find(needle) != std::string::npos; });
}

emulator::CallFacts facts_for(const std::string& outcome, Json request) {
    emulator::CallFacts facts;
    facts.call_id = "11111111-2222-4333-8444-555555555555";
    facts.outcome = outcome;
    facts.request = std::move(request);
    facts.created_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'790'000'000));
    facts.started_at = facts.created_at + std::chrono::seconds(2);
    facts.ended_at = facts.created_at + std::chrono::seconds(92);
    return facts;
}

} // namespace

TEST_CASE("the number's last digits choose the documented outcome") {
    CHECK(outcome_of("+15555550486") == "error-busy");
    CHECK(outcome_of("+15555550404") == "error-number-not-found");
    CHECK(outcome_of("+15555550480") == "error-temporarily-unavailable");
    CHECK(outcome_of("+15555550608") == "error-spam-blocked");
    CHECK(outcome_of("+15555550408") == "no-answer");
    CHECK(outcome_of("+15555550866") == "voicemail");
    CHECK(outcome_of("+15555550302") == "warm-transfer");
    CHECK(outcome_of("+15555550100") == "completed-outbound");
}

TEST_CASE("every outcome rule names a call fixture of the library, each suffix once") {
    std::vector<std::string> suffixes;
    for (const auto& rule : emulator::outcome_rules()) {
        CAPTURE(rule.suffix);
        const auto* info = payload::find_fixture(rule.fixture);
        REQUIRE(info != nullptr);
        CHECK((info->kind == payload::Kind::post_call ||
               info->kind == payload::Kind::delayed_post_call));
        suffixes.emplace_back(rule.suffix);
    }
    std::sort(suffixes.begin(), suffixes.end());
    CHECK(std::adjacent_find(suffixes.begin(), suffixes.end()) == suffixes.end());
    // Every error-* fixture is reachable by a number.
    for (const auto& info : payload::builtin_fixtures()) {
        if (std::string_view(info.name).rfind("error-", 0) == 0) {
            CAPTURE(info.name);
            CHECK(std::any_of(emulator::outcome_rules().begin(), emulator::outcome_rules().end(),
                              [&](const auto& rule) { return rule.fixture == info.name; }));
        }
    }
}

TEST_CASE("a scenario in request_data wins over the number") {
    Json data = {{"blandhook_scenario", "voicemail"}};
    CHECK(outcome_of("+15555550486", data) == "voicemail");
    CHECK(outcome_of("+15555550100", Json{{"blandhook_scenario", "completed-inbound"}}) ==
          "completed-inbound");
}

TEST_CASE("an unknown or non-call scenario is refused with the list of names") {
    std::string error;
    CHECK_FALSE(
        emulator::choose_outcome("+15555550100", Json{{"blandhook_scenario", "nope"}}, error));
    CHECK(error.find("error-busy") != std::string::npos);
    error.clear();
    CHECK_FALSE(emulator::choose_outcome("+15555550100", Json{{"blandhook_scenario", "live-event"}},
                                         error));
    CHECK_FALSE(error.empty());
}

TEST_CASE("numbers ending in 402 and 429 are refused by the API itself") {
    auto balance = emulator::refusal_for("+15555550402");
    REQUIRE(balance);
    CHECK(balance->http_status == 402);
    CHECK(std::string(balance->message) == "Insufficient balance.");
    auto limited = emulator::refusal_for("+15555550429");
    REQUIRE(limited);
    CHECK(limited->http_status == 429);
    CHECK_FALSE(emulator::refusal_for("+15555550100"));
}

TEST_CASE("send-call validation uses Bland's wording for missing parameters") {
    emulator::ValidationOptions options;
    auto errors = emulator::validate_send_call(Json::object(), options);
    CHECK(has_message(errors, "Missing required parameter: phone_number."));
    CHECK(has_message(errors, "Missing required parameter: task."));
    CHECK(emulator::validate_send_call(Json{{"phone_number", "+15551234567"}, {"task", "hi"}},
                                       options)
              .empty());
    CHECK(emulator::validate_send_call(
              Json{{"phone_number", "+15551234567"}, {"pathway_id", "p_1"}}, options)
              .empty());
}

TEST_CASE("send-call validation rejects numbers that are not E.164 and bad fields") {
    emulator::ValidationOptions options;
    for (const char* number : {"5551234567", "+0123", "+1 555 123", "+1234567890123456"}) {
        CAPTURE(number);
        auto errors =
            emulator::validate_send_call(Json{{"phone_number", number}, {"task", "hi"}}, options);
        CHECK(has_message(errors, "E.164"));
    }
    Json body = {{"phone_number", "+15551234567"},
                 {"task", "hi"},
                 {"max_duration", 0},
                 {"metadata", "x"},
                 {"webhook_events", {"queue", "bogus"}}};
    auto errors = emulator::validate_send_call(body, options);
    CHECK(has_message(errors, "max_duration"));
    CHECK(has_message(errors, "metadata must be an object"));
    CHECK(has_message(errors, "\"bogus\""));
}

TEST_CASE("http webhooks are accepted by default and refused in strict mode, like Bland") {
    Json body = {
        {"phone_number", "+15551234567"}, {"task", "hi"}, {"webhook", "http://127.0.0.1:9/x"}};
    emulator::ValidationOptions relaxed;
    CHECK(emulator::validate_send_call(body, relaxed).empty());
    emulator::ValidationOptions strict;
    strict.allow_http_webhooks = false;
    CHECK(has_message(emulator::validate_send_call(body, strict), "starting with https://"));
    body["webhook"] = "https://example.com/hook";
    CHECK(emulator::validate_send_call(body, strict).empty());
    body["webhook"] = "ftp://example.com";
    CHECK_FALSE(emulator::validate_send_call(body, relaxed).empty());
    body["webhook"] = "http://127.0.0.1:99999/hook";
    CHECK_FALSE(emulator::validate_send_call(body, relaxed).empty());
}

TEST_CASE("the post-call payload carries this call's ids, numbers, metadata and variables") {
    Json request = {{"phone_number", "+15551230000"},
                    {"task", "hi"},
                    {"from", "+15557654321"},
                    {"metadata", {{"order", "A-17"}}},
                    {"request_data", {{"customer", "Ada"}}},
                    {"max_duration", 3}};
    Json body = emulator::build_post_call(facts_for("completed-outbound", request),
                                          emulator::PostCallVariant::immediate);
    CHECK(body["call_id"] == "11111111-2222-4333-8444-555555555555");
    CHECK(body["c_id"] == body["call_id"]);
    CHECK(body["to"] == "+15551230000");
    CHECK(body["from"] == "+15557654321");
    CHECK(body["metadata"] == Json{{"order", "A-17"}});
    CHECK(body["request_data"] == Json{{"customer", "Ada"}});
    CHECK(body["variables"]["customer"] == "Ada");
    CHECK(body["variables"]["call_id"] == body["call_id"]);
    // `now` in the call's zone (the outcome's: America/Los_Angeles, PDT), `now_utc` in UTC, both
    // in the words of Bland's post-call example; `timestamp` with the zone's offset.
    CHECK(body["variables"]["timezone"] == "America/Los_Angeles");
    CHECK(body["variables"]["now"] == "Monday, September 21, 2026 7:13 AM");
    CHECK(body["variables"]["now_utc"] == "Monday, September 21, 2026 2:13 PM");
    CHECK(body["variables"]["timestamp"] == "2026-09-21T07:13:20-07:00");
    CHECK(body["max_duration"] == 3);
    CHECK(body["completed"] == true);
    CHECK(body["corrected_duration"] == "90");
    CHECK(body["call_length"] == 1.5);
    CHECK(body["recording_url"].is_null()); // record was not asked for
    CHECK(body["started_at"] == "2026-09-21T14:13:22.000Z");
    CHECK(body["created_at"] == "2026-09-21T14:13:20.000+00:00");
}

TEST_CASE("a request's timezone wins over the outcome's; an unknown zone is not used") {
    Json request = {{"phone_number", "+15551230000"}, {"task", "hi"}, {"timezone", "Asia/Tokyo"}};
    Json body = emulator::build_post_call(facts_for("completed-outbound", request),
                                          emulator::PostCallVariant::immediate);
    CHECK(body["variables"]["timezone"] == "Asia/Tokyo");
    CHECK(body["variables"]["now"] == "Monday, September 21, 2026 11:13 PM");
    CHECK(body["variables"]["timestamp"] == "2026-09-21T23:13:20+09:00");
    request["timezone"] = "../../etc/passwd";
    body = emulator::build_post_call(facts_for("completed-outbound", request),
                                     emulator::PostCallVariant::immediate);
    CHECK(body["variables"]["timezone"] == "America/Los_Angeles");
}

TEST_CASE("every call outcome builds a payload the schema accepts, with the outcome's status") {
    Json request = {{"phone_number", "+15551230000"}, {"task", "hi"}, {"record", true}};
    for (const auto& name : emulator::scenario_names()) {
        CAPTURE(name);
        Json body = emulator::build_post_call(facts_for(name, request),
                                              emulator::PostCallVariant::immediate);
        auto analysis = payload::analyze(payload::canonical_json(body));
        CHECK(analysis.error_count() == 0);
        Json fixture = payload::parse_json(*payload::fixture_body(name));
        CHECK(body["status"] == fixture["status"]);
        CHECK(body["error_message"] == fixture["error_message"]);
    }
}

TEST_CASE("the delayed variant adds corrected_transcript and citations for this call") {
    Json request = {{"phone_number", "+15551230000"}, {"task", "hi"}};
    Json body = emulator::build_post_call(facts_for("completed-outbound", request),
                                          emulator::PostCallVariant::delayed);
    CHECK(payload::classify(payload::canonical_json(body)) == payload::Kind::delayed_post_call);
    REQUIRE(body["citations"].is_array());
    REQUIRE_FALSE(body["citations"].empty());
    for (const auto& citation : body["citations"]) {
        CHECK(citation["call_id"] == body["call_id"]);
    }
}

TEST_CASE("the citations event and live events have the documented shapes") {
    auto facts = facts_for("completed-outbound", Json{{"phone_number", "+15551230000"}});
    Json event = emulator::build_citations_event(facts, *facts.ended_at);
    CHECK(payload::classify(payload::canonical_json(event)) == payload::Kind::citations_event);
    CHECK(event["call_id"] == facts.call_id);
    Json live = emulator::build_live_event(facts.call_id, "Call connected", "call", "info");
    CHECK(
        payload::canonical_json(live) ==
        R"({"message":"Call connected","call_id":"11111111-2222-4333-8444-555555555555","category":"call","log_level":"info"})");
    CHECK(payload::classify(payload::canonical_json(live)) == payload::Kind::live_event);
}

TEST_CASE("a call stopped before it started is canceled") {
    auto facts = facts_for("completed-outbound", Json{{"phone_number", "+15551230000"}});
    facts.started_at.reset();
    facts.stopped = true;
    Json body = emulator::build_post_call(facts, emulator::PostCallVariant::immediate);
    CHECK(body["status"] == "canceled");
    CHECK(body["call_length"] == 0);
}
