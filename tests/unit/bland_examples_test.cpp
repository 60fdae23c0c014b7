// Bland's own published examples, transcribed as test data: each must validate without an error
// (warnings for drift Bland's examples really show are fine). Source of each is named beside it;
// where the stored copy of a page ended mid-example, the rest is completed in the page's own shape
// and the comment says so.
#include "payload/analysis.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace blandhook::payload;

namespace {

std::string describe(const std::vector<Finding>& findings) {
    std::string out;
    for (const auto& finding : findings) {
        out += std::string(severity_name(finding.severity)) + " " + finding.pointer + ": " +
               finding.message + "\n";
    }
    return out;
}

// docs.bland.ai/api-v1/get/calls-id, response example (2024 revision). Transcribed up to the
// start of concatenated_transcript; the transcripts items follow the call-details item shape the
// page describes (id, created_at, text, user, c_id, status, transcript_id), with the nulls the
// example shows for status and transcript_id.
constexpr const char* k_call_details_2024 = R"json({
    "call_id": "d9cce3f3-23cf-4fa7-b62c-8be8119b8715",
    "call_length": 0.75,
    "batch_id": null,
    "to": "+12223334444",
    "from": "+17163511654",
    "request_data": {"phone_number": "+12223334444", "wait": true, "language": "ENG"},
    "completed": true,
    "created_at": "2024-04-27T23:51:18.025251+00:00",
    "inbound": false,
    "queue_status": "completed",
    "endpoint_url": "api.prod.bland.ai",
    "max_duration": 30,
    "error_message": null,
    "variables": {
        "now": "Sat Apr 27 2024 18:51:25 GMT-0500 (Central Daylight Time)",
        "now_utc": "Sat, 27 Apr 2024 23:51:25 GMT",
        "short_from": "7163511654",
        "short_to": "2223334444",
        "from": "+17163511654",
        "to": "+12223334444",
        "call_id": "d9cce3f3-23cf-4fa7-b62c-8be8119b8715",
        "phone_number": "+12223334444",
        "city": "SAN FRANCISCO",
        "country": "US",
        "state": "CA",
        "zip": "12345",
        "input": {"date": "2024-04-28", "rooms": 3}
    },
    "answered_by": "human",
    "record": false,
    "recording_url": null,
    "c_id": "d9cce3f3-23cf-4fa7-b62c-8be8119b8715",
    "metadata": {},
    "summary": "The call was a conversation between a hotel booking service assistant and a customer.",
    "price": 0.068,
    "started_at": "2024-04-27T23:51:25+00:00",
    "local_dialing": false,
    "call_ended_by": "ASSISTANT",
    "pathway_logs": null,
    "analysis_schema": null,
    "analysis": null,
    "concatenated_transcript": "user: Hello? \n assistant: Hi there! I'm calling from the hotel booking service.",
    "transcripts": [
        {"id": 1, "created_at": "2024-04-27T23:51:26.125+00:00", "text": "Hello?", "user": "user",
         "c_id": "d9cce3f3-23cf-4fa7-b62c-8be8119b8715", "status": null, "transcript_id": null},
        {"id": 2, "created_at": "2024-04-27T23:51:27.63+00:00",
         "text": "Hi there! I'm calling from the hotel booking service.", "user": "assistant",
         "c_id": "d9cce3f3-23cf-4fa7-b62c-8be8119b8715", "status": null, "transcript_id": null}
    ]
})json";

// docs.bland.ai/api-v1/get/calls-id, response example (2023 revision). The page's JSON lacks a
// comma after variables.call_id; it is added here. Transcribed up to the first transcripts item;
// the second follows the first's shape.
constexpr const char* k_call_details_2023 = R"json({
    "status": "completed",
    "corrected_duration": "71",
    "end_at": "2023-12-16T00:15:41.000Z",
    "call_id": "c1234567-89ab-cdef-0123-456789abcdef",
    "to": "5551234567",
    "from": "+15551234567",
    "completed": true,
    "created_at": "2023-12-16T00:15:26.59585+00:00",
    "queue_status": "complete",
    "endpoint_url": "api.bland.ai",
    "max_duration": 30,
    "error_message": null,
    "answered_by": "human",
    "batch_id": null,
    "variables": {
        "appointment_time": "tomorrow at 3pm",
        "now": "Sun Dec 31 2023 19:15:26 GMT+0000 (Coordinated Universal Time)",
        "short_from": "5551234567",
        "short_to": "5551234567",
        "from": "+15551234567",
        "to": "+15551234567",
        "call_id": "c1234567-89ab-cdef-0123-456789abcdef",
        "city": "San Francisco",
        "state": "CA",
        "country": "US",
        "zip": "94103"
    },
    "concatenated_transcript": "user : Hey, it's Alex. What's up? \n assistant: Hi! It's Blandie, calling to reschedule your appointment tomorrow. Is now a good time?",
    "request_data": {"phone_number": "5551234567", "reduce_latency": false, "wait": false,
                     "language": "ENG"},
    "transcripts": [
        {"id": 123456, "created_at": "2023-12-16T00:15:32.287493+00:00",
         "text": "Hey, it's Alex. What's up?", "user": "user",
         "c_id": "c1234567-89ab-cdef-0123-456789abcdef"},
        {"id": 123457, "created_at": "2023-12-16T00:15:35.198726+00:00",
         "text": "Hi! It's Blandie, calling to reschedule your appointment tomorrow. Is now a good time?",
         "user": "assistant", "c_id": "c1234567-89ab-cdef-0123-456789abcdef"}
    ]
})json";

// Bland's changelog (spec section 2) gives post_call_evals as {workbench_setup_id,
// workbench_setup_version_id, status: "pending"} with no whole body: that shape, in a minimal
// post-call body.
constexpr const char* k_changelog_post_call_evals = R"json({
    "call_id": "d9cce3f3-23cf-4fa7-b62c-8be8119b8715",
    "completed": true,
    "concatenated_transcript": "",
    "post_call_evals": {"workbench_setup_id": "ws_1", "workbench_setup_version_id": "wsv_1",
                        "status": "pending"}
})json";

} // namespace

TEST_CASE("Bland's call-details examples validate without an error, documented nulls included") {
    for (const char* example : {k_call_details_2024, k_call_details_2023}) {
        const Analysis analysis = analyze(example);
        CAPTURE(describe(analysis.findings));
        CHECK(analysis.is_json);
        CHECK(analysis.kind == Kind::post_call);
        CHECK(analysis.error_count() == 0);
    }
}

TEST_CASE("transcripts[].status and transcript_id null, as in Bland's example, are no finding") {
    const auto findings = validate(
        R"({"call_id":"a","completed":true,"transcripts":[{"id":1,"user":"user","text":"Hi",)"
        R"("created_at":"2024-04-27T23:51:26.125+00:00","c_id":"a","status":null,)"
        R"("transcript_id":null}]})");
    CAPTURE(describe(findings));
    CHECK(findings.empty());
}

TEST_CASE("the call-details 2024 example's queue_status \"completed\" is a warning, not an error") {
    const Analysis analysis = analyze(k_call_details_2024);
    bool warned = false;
    for (const auto& finding : analysis.findings) {
        warned =
            warned || (finding.pointer == "/queue_status" && finding.severity == Severity::warning);
    }
    CHECK(warned);
}

TEST_CASE("post_call_evals as Bland's changelog describes it is no finding") {
    const auto findings = validate(k_changelog_post_call_evals);
    CAPTURE(describe(findings));
    CHECK(findings.empty());
}
