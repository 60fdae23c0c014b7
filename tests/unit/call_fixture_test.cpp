// A call-details object turned into a post-call fixture (`call get --as fixture`): what is kept,
// left out and derived, and that the result is a body the schema accepts.
#include "bland/call_fixture.hpp"
#include "error.hpp"
#include "payload/analysis.hpp"
#include "payload/json.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace blandhook;
using payload::Json;

namespace {

// The shape of Bland's call-details example (docs.bland.ai/api-v1/get/calls-id), shortened.
Json details() {
    return payload::parse_json(R"json({
        "call_id": "d9cce3f3-23cf-4fa7-b62c-8be8119b8715", "c_id": "d9cce3f3-23cf-4fa7-b62c-8be8119b8715",
        "call_length": 0.75, "batch_id": null, "to": "+12223334444", "from": "+17163511654",
        "request_data": {"phone_number": "+12223334444", "wait": true, "language": "ENG"},
        "completed": true, "created_at": "2024-04-27T23:51:18.025251+00:00", "inbound": false,
        "queue_status": "complete", "endpoint_url": "api.prod.bland.ai", "max_duration": 30,
        "error_message": null, "variables": {"now": "Sat Apr 27 2024 18:51:25 GMT-0500"},
        "answered_by": "human", "record": true,
        "recording_url": "https://example.com/rec.mp3", "metadata": {}, "summary": "Booked.",
        "price": 0.068, "started_at": "2024-04-27T23:51:25+00:00",
        "end_at": "2024-04-27T23:52:10.000Z", "local_dialing": false, "call_ended_by": "ASSISTANT",
        "pathway_logs": [{"tag": {"name": "Booked", "color": "#00ff00"}, "role": "user",
                          "text": "Three rooms", "decision": null,
                          "created_at": "2024-04-27T23:51:40.000Z", "pathway_info": null,
                          "chosen_node_id": "n1"}],
        "analysis_schema": null, "analysis": null, "status": "completed",
        "concatenated_transcript": "user: Hello?",
        "transcripts": [{"id": 1, "created_at": "2024-04-27T23:51:26.125+00:00", "text": "Hello?",
                         "user": "user", "c_id": "d9cce3f3-23cf-4fa7-b62c-8be8119b8715",
                         "status": null, "transcript_id": null}]
    })json");
}

bool has(const std::vector<std::string>& list, const std::string& prefix) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& item) { return item.rfind(prefix, 0) == 0; });
}

} // namespace

TEST_CASE("call details become a post-call body: details-only fields out, webhook-only fields "
          "derived and named as modelled") {
    const bland::CallFixture fixture = bland::fixture_from_call(details());
    const Json& body = fixture.body;
    for (const char* dropped : {"endpoint_url", "request_data", "analysis", "analysis_schema"}) {
        CAPTURE(dropped);
        CHECK_FALSE(body.contains(dropped));
        CHECK(has(fixture.dropped, dropped));
    }
    CHECK_FALSE(body["transcripts"][0].contains("c_id"));
    CHECK_FALSE(body["transcripts"][0].contains("transcript_id"));
    CHECK(body["pathway_tags"] == Json::array({"Booked"}));
    CHECK(body["citation_schema_ids"] == Json::array());
    CHECK(body["recording_expiration"] == "2024-05-27T23:52:10.00Z");
    CHECK(has(fixture.modelled, "pathway_tags"));
    CHECK(has(fixture.modelled, "citation_schema_ids"));
    CHECK(has(fixture.modelled, "recording_expiration"));
    CHECK(has(fixture.absent, "disposition_tag"));
    // Everything else is kept as it came, in the same order.
    CHECK(body.begin().key() == "call_id");
    CHECK(body["summary"] == "Booked.");

    const auto analysis = payload::analyze(payload::canonical_json(body));
    CHECK(analysis.kind == payload::Kind::post_call);
    CHECK(analysis.error_count() == 0);
}

TEST_CASE("a call that is not over has no webhook yet: the fixture is refused") {
    Json running = details();
    running["completed"] = false;
    running["queue_status"] = "started";
    CHECK_THROWS_AS(bland::fixture_from_call(running), Error);
    CHECK_THROWS_AS(bland::fixture_from_call(Json::object()), Error);
}
