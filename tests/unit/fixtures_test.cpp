#include "embed/embedded.hpp"
#include "payload/analysis.hpp"
#include "payload/fixtures.hpp"
#include "payload/json.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>

using namespace blandhook;
using payload::Json;

namespace {

Json fixture_json(std::string_view name) {
    auto body = payload::fixture_body(name);
    REQUIRE(body.has_value());
    return payload::parse_json(*body);
}

std::string stem_of(std::string_view embedded_name) {
    std::string name(embedded_name.substr(std::string_view("fixtures/").size()));
    return name.substr(0, name.size() - std::string_view(".json").size());
}

} // namespace

TEST_CASE("the fixture table and the embedded fixtures/*.json files name the same set") {
    std::set<std::string> in_table;
    for (const auto& fixture : payload::builtin_fixtures()) {
        in_table.emplace(fixture.name);
    }
    std::set<std::string> embedded;
    for (const auto& file : embed::with_prefix("fixtures/")) {
        embedded.insert(stem_of(file.name));
    }
    CHECK(in_table == embedded);
    // ... and the files of the source tree (a new file without a table row fails here).
    std::set<std::string> on_disk;
    for (const auto& entry :
         std::filesystem::directory_iterator(test::source_dir() + "/fixtures")) {
        if (entry.path().extension() == ".json") {
            on_disk.insert(entry.path().stem().string());
        }
    }
    CHECK(in_table == on_disk);
}

TEST_CASE("the embedded bytes are exactly the files in fixtures/") {
    for (const auto& fixture : payload::builtin_fixtures()) {
        CAPTURE(fixture.name);
        const std::string on_disk = test::read_file(test::source_dir() + "/fixtures/" +
                                                    std::string(fixture.name) + ".json");
        CHECK(payload::fixture_body(fixture.name).value_or("") == on_disk);
    }
}

TEST_CASE("find_fixture accepts the name with or without .json and rejects others") {
    REQUIRE(payload::find_fixture("error-busy") != nullptr);
    CHECK(payload::find_fixture("error-busy.json") == payload::find_fixture("error-busy"));
    CHECK(payload::find_fixture("error-bus") == nullptr);
    CHECK(payload::find_fixture("") == nullptr);
    CHECK_FALSE(payload::fixture_body("nope").has_value());
}

TEST_CASE("builtin_fixtures is in name order") {
    const auto fixtures = payload::builtin_fixtures();
    for (std::size_t i = 1; i < fixtures.size(); ++i) {
        CHECK(fixtures[i - 1].name < fixtures[i].name);
    }
}

TEST_CASE("every fixture classifies as its declared kind and validates with no finding") {
    for (const auto& fixture : payload::builtin_fixtures()) {
        CAPTURE(fixture.name);
        const payload::Analysis analysis = payload::analyze(*payload::fixture_body(fixture.name));
        CHECK(analysis.is_json);
        CHECK(analysis.kind == fixture.kind);
        for (const auto& finding : analysis.findings) {
            CAPTURE(finding.pointer);
            CAPTURE(finding.message);
            CHECK(false);
        }
    }
}

TEST_CASE("only the shapes Bland published an example of are marked not modelled") {
    std::set<std::string> published;
    for (const auto& fixture : payload::builtin_fixtures()) {
        if (!fixture.modelled) {
            published.emplace(fixture.name);
        }
    }
    CHECK(published == std::set<std::string>{"citations-event", "completed-outbound",
                                             "delayed-citations", "live-event"});
}

TEST_CASE("each error fixture carries its spec section 3 error_message and a consistent status") {
    struct Expected {
        std::string message;
        std::string status;
    };
    const std::map<std::string, Expected> expected = {
        {"error-call-failed", {"Call failed.", "failed"}},
        {"error-number-not-found", {"Call failed. The number you dialed is not found.", "failed"}},
        {"error-temporarily-unavailable",
         {"Call failed. The number you dialed is temporarily unavailable.", "failed"}},
        {"error-busy",
         {"Call failed. The number you dialed is busy. Please try again later.", "busy"}},
        {"error-spam-blocked",
         {"Call failed. Service Provider Blocked Call due to Spam or Number Reputation. Try a "
          "different number.",
          "failed"}},
        {"error-database", {"A database error occurred. Please contact support.", "failed"}},
        {"error-unable-to-start",
         {"Unable to start call. Check the call details error_message for more details.",
          "failed"}},
        {"error-unknown", {"unknown", "unknown"}},
    };
    for (const auto& [name, want] : expected) {
        CAPTURE(name);
        const Json body = fixture_json(name);
        CHECK(body["error_message"] == want.message);
        CHECK(body["status"] == want.status);
        CHECK(body["completed"] == true);
        CHECK(body["transcripts"].empty());
        CHECK(body["concatenated_transcript"] == "");
        CHECK(body["corrected_duration"] == "0");
        CHECK(body["recording_url"].is_null());
        CHECK(body["answered_by"] != "human");
    }
}

TEST_CASE("successful and unanswered fixtures have a null error_message and the right status") {
    const std::map<std::string, std::pair<std::string, std::string>> expected = {
        {"completed-outbound", {"completed", "human"}},
        {"completed-inbound", {"completed", "human"}},
        {"voicemail", {"completed", "voicemail"}},
        {"no-answer", {"no-answer", "no-answer"}},
        {"warm-transfer", {"completed", "human"}},
        {"delayed-citations", {"completed", "human"}},
    };
    for (const auto& [name, want] : expected) {
        CAPTURE(name);
        const Json body = fixture_json(name);
        CHECK(body["error_message"].is_null());
        CHECK(body["status"] == want.first);
        CHECK(body["answered_by"] == want.second);
    }
    CHECK(fixture_json("completed-inbound")["inbound"] == true);
    CHECK(fixture_json("completed-outbound")["inbound"] == false);
}

TEST_CASE("post-call fixtures keep Bland's types: durations, transcripts, call ids") {
    for (const auto& fixture : payload::builtin_fixtures()) {
        if (fixture.kind != payload::Kind::post_call &&
            fixture.kind != payload::Kind::delayed_post_call) {
            continue;
        }
        CAPTURE(fixture.name);
        const Json body = fixture_json(fixture.name);
        CHECK(body["c_id"] == body["call_id"]);
        CHECK(body["variables"]["call_id"] == body["call_id"]);
        // corrected_duration is seconds inside a string; call_length is minutes.
        REQUIRE(body["corrected_duration"].is_string());
        const double seconds = std::stod(body["corrected_duration"].get<std::string>());
        CHECK(std::fabs(body["call_length"].get<double>() * 60 - seconds) < 1.0);
        std::string joined;
        for (const auto& turn : body["transcripts"]) {
            CHECK(turn["id"].is_number_integer());
            joined += (joined.empty() ? "" : " \n ") + turn["user"].get<std::string>() + ": " +
                      turn["text"].get<std::string>();
        }
        CHECK(body["concatenated_transcript"] == joined);
        CHECK((body["pathway_logs"].is_null() || body["pathway_logs"].is_array()));
    }
}

TEST_CASE("completed-outbound is a multi-turn conversation of about 9.5 KB") {
    const auto body = *payload::fixture_body("completed-outbound");
    CHECK(body.size() > 8'500);
    CHECK(body.size() < 11'000);
    CHECK(fixture_json("completed-outbound")["transcripts"].size() >= 15);
}

TEST_CASE("fixtures use both timestamp forms Bland sends") {
    const auto body = *payload::fixture_body("completed-outbound");
    CHECK(body.find("+00:00\"") != std::string_view::npos);
    CHECK(body.find(".000Z\"") != std::string_view::npos);
}

TEST_CASE("warm-transfer carries the transfer fields and a merged proxy agent call") {
    const Json body = fixture_json("warm-transfer");
    CHECK(body["transferred_to"] ==
          body["warm_transfer_call"]["proxy_agent_calls"][0]["phone_number"]);
    CHECK(body["warm_transfer_call"]["state"] == "MERGED");
    CHECK(body["disposition_tag"] == "TRANSFERRED");
    CHECK(body["pre_transfer_duration"].is_number());
    CHECK(body["post_transfer_duration"].is_number());
}

TEST_CASE("delayed-citations' cited utterances point at real corrected_transcript entries") {
    const Json body = fixture_json("delayed-citations");
    const Json& corrected = body["corrected_transcript"];
    REQUIRE(corrected.is_array());
    std::size_t cited = 0;
    for (const auto& citation : body["citations"]) {
        CHECK(citation["call_id"] == body["call_id"]);
        CHECK(body["citation_schema_ids"].front() == citation["schema_id"]);
        for (const auto& utterance : citation["cited_utterances"]) {
            ++cited;
            CHECK(utterance["id"].is_string());
            const auto idx = utterance["idx"].get<std::size_t>();
            REQUIRE(idx < corrected.size());
            CHECK(utterance["transcript"] == corrected[idx]["text"]);
            CHECK(utterance["start_time"] == corrected[idx]["start"]);
            CHECK(utterance["end_time"] == corrected[idx]["end"]);
            // channel: 1 user, 0 agent (spec section 2)
            CHECK(utterance["channel"] == (corrected[idx]["speaker_label"] == "user" ? 1 : 0));
            CHECK(utterance["topics_meta"].is_string());
        }
    }
    CHECK(cited >= 4);
}

TEST_CASE("the citations event repeats the delayed fixture's citations for the same call") {
    const Json event = fixture_json("citations-event");
    const Json delayed = fixture_json("delayed-citations");
    CHECK(event["event_type"] == "citations");
    CHECK(event["call_id"] == delayed["call_id"]);
    CHECK(event["citations"] == delayed["citations"]);
}
