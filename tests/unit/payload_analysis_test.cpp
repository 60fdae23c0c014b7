// Classification, schema-driven validation and summaries of the bodies Bland sends.
#include "embed/embedded.hpp"
#include "payload/analysis.hpp"
#include "payload/schema.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>

using namespace blandhook::payload;

namespace {

// A small post-call body in the documented shape; tests edit one field at a time.
const std::string k_post_call = R"({
  "call_id": "11111111-2222-3333-4444-555555555555",
  "c_id": "11111111-2222-3333-4444-555555555555",
  "call_length": 0.5,
  "batch_id": null,
  "to": "+14155550100",
  "from": "+14155550101",
  "completed": true,
  "created_at": "2025-09-12T20:39:03.168+00:00",
  "inbound": false,
  "queue_status": "complete",
  "max_duration": 12,
  "error_message": null,
  "variables": {"now": "x"},
  "answered_by": "human",
  "record": false,
  "recording_url": null,
  "metadata": {},
  "summary": "ok",
  "price": 0.09,
  "started_at": "2025-09-12T20:39:05Z",
  "end_at": "2025-09-12T20:39:35.12Z",
  "local_dialing": false,
  "call_ended_by": "USER",
  "pathway_id": null,
  "pathway_logs": null,
  "status": "completed",
  "corrected_duration": "31",
  "concatenated_transcript": "assistant: Hi \n user: Hello",
  "transcripts": [
    {"id": 1, "user": "assistant", "text": "Hi", "created_at": "2025-09-12T20:39:06.1+00:00"},
    {"id": 2, "user": "user", "text": "Hello", "created_at": "2025-09-12T20:39:07Z"}
  ]
})";

std::string with(const std::string& body, const std::string& from, const std::string& to) {
    const auto at = body.find(from);
    REQUIRE(at != std::string::npos);
    return std::string(body).replace(at, from.size(), to);
}

std::string add_field(const std::string& body, const std::string& member) {
    return "{" + member + "," + body.substr(body.find('{') + 1);
}

// The finding at `pointer`, or nullptr.
const Finding* find_finding(const std::vector<Finding>& findings, const std::string& pointer) {
    const auto it = std::find_if(findings.begin(), findings.end(),
                                 [&](const Finding& f) { return f.pointer == pointer; });
    return it == findings.end() ? nullptr : &*it;
}

std::string describe(const std::vector<Finding>& findings);

// The finding at `pointer`; the test stops (listing every finding) when there is none.
const Finding& finding_at(const std::vector<Finding>& findings, const std::string& pointer) {
    INFO(describe(findings));
    const Finding* found = find_finding(findings, pointer);
    REQUIRE_MESSAGE(found != nullptr, "no finding at " << pointer);
    return *found;
}

// The finding at `pointer` when `from` in the post-call body becomes `to`.
Finding finding_when(const std::string& from, const std::string& to, const std::string& pointer) {
    return finding_at(validate(with(k_post_call, from, to)), pointer);
}

std::size_t errors(const std::vector<Finding>& findings) {
    return static_cast<std::size_t>(
        std::count_if(findings.begin(), findings.end(),
                      [](const Finding& f) { return f.severity == Severity::error; }));
}

std::string describe(const std::vector<Finding>& findings) {
    std::string text;
    for (const auto& f : findings) {
        text += f.pointer + " " + std::string(severity_name(f.severity)) + " " + f.message + "\n";
    }
    return text;
}

} // namespace

TEST_CASE("the base post-call body validates without findings") {
    const auto findings = validate(k_post_call);
    INFO(describe(findings));
    CHECK(findings.empty());
}

TEST_CASE("classify tells every kind of body apart") {
    CHECK(classify(k_post_call) == Kind::post_call);
    CHECK(classify(R"({"completed":true})") == Kind::post_call);
    CHECK(classify(R"({"concatenated_transcript":""})") == Kind::post_call);
    CHECK(classify(R"({"completed":true,"citations":[]})") == Kind::delayed_post_call);
    CHECK(classify(R"({"completed":true,"corrected_transcript":[]})") == Kind::delayed_post_call);
    CHECK(classify(R"({"call_id":"a","event_type":"citations","citations":[]})") ==
          Kind::citations_event);
    CHECK(classify(R"({"message":"Call connected","call_id":"a","category":"call"})") ==
          Kind::live_event);
    CHECK(classify(R"({"message":"x"})") == Kind::unknown);
    CHECK(classify(R"({"event_type":"evals"})") == Kind::evals_event);
    CHECK(classify(R"({"call_id":"a","event_type":"post_transfer_transcript"})") ==
          Kind::post_transfer_event);
    CHECK(classify(R"({"call_id":"a","event_type":"multiple","contents":[]})") ==
          Kind::multiple_event);
    CHECK(classify(R"({"event_type":"transcript_ready"})") == Kind::unknown);
    // The delayed delivery carries an event_type too: it stays a post-call body.
    CHECK(classify(R"({"completed":true,"event_type":"multiple","post_transfer_transcript":[]})") ==
          Kind::delayed_post_call);
    CHECK(classify(R"({"completed":true,"event_type":"citations","citations":[]})") ==
          Kind::delayed_post_call);
    CHECK(classify("{}") == Kind::unknown);
    CHECK(classify("[{\"completed\":true}]") == Kind::unknown);
    CHECK(classify("\"completed\"") == Kind::unknown);
    CHECK(classify("42") == Kind::unknown);
    CHECK(classify("null") == Kind::unknown);
    CHECK(classify("") == Kind::unknown);
    CHECK(classify("completed=true&call_id=1") == Kind::unknown);
}

TEST_CASE("kind names round-trip") {
    for (Kind kind : k_schema_kinds) {
        CHECK(kind_from_name(kind_name(kind)) == kind);
    }
    CHECK(kind_from_name("unknown") == Kind::unknown);
    CHECK(kind_name(Kind::delayed_post_call) == "delayed-post-call");
    CHECK_FALSE(kind_from_name("post_call").has_value());
}

TEST_CASE("a wrong type of a known field is an error at its pointer") {
    const Finding f = finding_when("\"completed\": true", "\"completed\": \"yes\"", "/completed");
    CHECK(f.severity == Severity::error);
    CHECK(f.message == "expected boolean, got string");

    const Finding g = finding_when("{\"id\": 2,", "{\"id\": \"2\",", "/transcripts/1/id");
    CHECK(g.severity == Severity::error);
    CHECK(g.message == "expected integer, got string");

    const Finding nullable = finding_when("\"batch_id\": null", "\"batch_id\": 7", "/batch_id");
    CHECK(nullable.message == "expected string or null, got integer");

    const Finding integral =
        finding_when("\"max_duration\": 12", "\"max_duration\": 12.5", "/max_duration");
    CHECK(integral.severity == Severity::error);
    CHECK(validate(with(k_post_call, "\"max_duration\": 12", "\"max_duration\": 12.0")).empty());
}

TEST_CASE("a missing required field is an error") {
    const Finding f = finding_when("\"call_id\"", "\"call_identifier\"", "/call_id");
    CHECK(f.severity == Severity::error);
    CHECK(f.message == "missing required field \"call_id\"");
}

TEST_CASE("unknown enum values are warnings, never errors") {
    const auto queue = validate(with(k_post_call, "\"complete\"", "\"completed\""));
    const Finding& f = finding_at(queue, "/queue_status");
    CHECK(f.severity == Severity::warning);
    CHECK(f.message.find("unknown value \"completed\"") == 0);
    CHECK(errors(queue) == 0);

    const auto status =
        validate(with(k_post_call, "\"status\": \"completed\"", "\"status\": \"voicemail-left\""));
    CHECK(finding_at(status, "/status").severity == Severity::warning);

    const Finding role =
        finding_when("\"user\": \"user\"", "\"user\": \"caller\"", "/transcripts/1/user");
    CHECK(role.severity == Severity::warning);
}

TEST_CASE("unknown fields are vendor drift: a warning, escaped as RFC 6901 pointers") {
    const auto findings = validate(add_field(k_post_call, R"("new_field":1,"a/b~c":true)"));
    INFO(describe(findings));
    CHECK(findings.size() == 2);
    CHECK(finding_at(findings, "/new_field").severity == Severity::warning);
    CHECK(finding_at(findings, "/new_field").message.find("vendor drift") != std::string::npos);
    CHECK(find_finding(findings, "/a~1b~0c") != nullptr);
    // Free-form objects (metadata, variables) and changelog-only fields are not drift.
    CHECK(validate(with(add_field(k_post_call, R"("isRetry":true,"post_call_evals":{}})"),
                        "\"metadata\": {}", "\"metadata\": {\"anything\": [1]}"))
              .empty());
}

TEST_CASE("contradictions are warnings at the field that contradicts") {
    const auto failed =
        validate(with(k_post_call, "\"status\": \"completed\"", "\"status\": \"failed\""));
    const Finding& f = finding_at(failed, "/error_message");
    CHECK(f.severity == Severity::warning);
    CHECK(f.message == "status is \"failed\" but error_message is missing or null");
    CHECK(errors(failed) == 0);

    const Finding not_completed =
        finding_when("\"completed\": true", "\"completed\": false", "/completed");
    CHECK(not_completed.severity == Severity::warning);
    CHECK(not_completed.message == "status is \"completed\" but completed is false");

    const auto recording = validate(
        with(k_post_call, "\"recording_url\": null", "\"recording_url\": \"https://x/rec.mp3\""));
    CHECK(finding_at(recording, "/recording_url").severity == Severity::warning);

    const auto failed_with_message =
        validate(with(with(k_post_call, "\"status\": \"completed\"", "\"status\": \"failed\""),
                      "\"error_message\": null", "\"error_message\": \"Call failed.\""));
    CHECK(failed_with_message.empty());
}

TEST_CASE("every quirk of spec section 2 validates without errors") {
    // +00:00 and Z timestamps with 2 or 3 fractional digits, an error_message on a completed
    // call, non-ASCII punctuation, 0.7174999999999999, integer transcript ids next to string
    // cited_utterance ids.
    const std::string body =
        with(with(with(k_post_call, "\"error_message\": null",
                       "\"error_message\": \"Account not allowed to call +1\""),
                  "\"summary\": \"ok\"", "\"summary\": \"It\u2019s done\""),
             "\"price\": 0.09",
             R"("price": 0.7174999999999999,
  "corrected_transcript": [{"start": 0.5, "end": 1.25, "speaker": 0, "speaker_label": "assistant",
    "text": "Hi", "confidence": 0.7174999999999999}],
  "citations": [{"call_id": "c", "variable_name": "v", "variable_type": "boolean", "value": null,
    "schema_id": "s", "cited_utterances": [{"id": "utt-1", "idx": 0, "start_time": 1.2,
    "end_time": 2, "confidence": 0.9, "channel": 1, "transcript": "yes", "speaker_id": "spk_1",
    "speaker_name": null, "speaker_description": null, "topics": [], "topics_meta": "{}",
    "utterance_type": "answer"}]}])");
    CHECK(classify(body) == Kind::delayed_post_call);
    const auto findings = validate(body);
    INFO(describe(findings));
    CHECK(findings.empty());
}

TEST_CASE("a delayed post-call body is checked against the post-call fields too") {
    const std::string body = with(add_field(k_post_call, R"("citations":[{"idx":1}])"),
                                  "\"price\": 0.09", "\"price\": \"0.09\"");
    const auto findings = validate(body);
    INFO(describe(findings));
    CHECK(finding_at(findings, "/price").severity == Severity::error);
    // The citation lacks nothing required, but corrected_transcript is missing: a warning.
    CHECK(finding_at(findings, "/corrected_transcript").severity == Severity::warning);
}

TEST_CASE("citations events and live events validate against their own schemas") {
    const std::string citations =
        R"({"call_id":"c","user_id":"u","event_type":"citations","timestamp":"2025-09-12T20:39:03Z",)"
        R"("citations":[{"call_id":"c","variable_name":"v","variable_type":"string","value":"x",)"
        R"("schema_id":"s","cited_utterances":[]}]})";
    CHECK(validate(citations).empty());
    const auto bad =
        validate(with(citations, "\"cited_utterances\":[]", "\"cited_utterances\":{}"));
    CHECK(finding_at(bad, "/citations/0/cited_utterances").message == "expected array, got object");

    const std::string live =
        R"({"message":"TTS: 218ms","call_id":"c","category":"latency","log_level":"performance"})";
    CHECK(validate(live).empty());
    const auto odd = validate(with(live, "\"latency\"", "\"tool\""));
    CHECK(finding_at(odd, "/category").severity == Severity::warning);
}

TEST_CASE("validate with an explicit kind checks the body as that kind") {
    const auto as_live = validate(k_post_call, Kind::live_event);
    CHECK(finding_at(as_live, "/category").severity == Severity::error);
    const auto array = validate("[1,2]", Kind::post_call);
    CHECK(finding_at(array, "").message == "expected object, got array");
    const auto not_json = validate("nope", Kind::post_call);
    REQUIRE(not_json.size() == 1);
    CHECK(not_json[0].severity == Severity::error);
    CHECK(validate("nope").empty());
    CHECK(validate("{}", Kind::unknown).empty());
}

TEST_CASE("the summary shows what a one-line display needs") {
    const Analysis analysis = analyze(k_post_call);
    CHECK(analysis.is_json);
    CHECK(analysis.valid_utf8);
    CHECK(analysis.kind == Kind::post_call);
    CHECK(analysis.summary.call_id == "11111111-2222-3333-4444-555555555555");
    CHECK(analysis.summary.direction == "outbound");
    CHECK(analysis.summary.status == "completed");
    CHECK(analysis.summary.error_message.empty());
    REQUIRE(analysis.summary.duration_seconds.has_value());
    CHECK(*analysis.summary.duration_seconds == 31);
    CHECK(analysis.summary.answered_by == "human");
    CHECK(analysis.summary.transcript_turns == 2);
    CHECK(analysis.error_count() == 0);
    CHECK(analysis.warning_count() == 0);

    const Analysis minutes = analyze(with(with(k_post_call, "\"corrected_duration\": \"31\",", ""),
                                          "\"inbound\": false", "\"inbound\": true"));
    REQUIRE(minutes.summary.duration_seconds.has_value());
    CHECK(*minutes.summary.duration_seconds == 30); // call_length 0.5 minutes
    CHECK(minutes.summary.direction == "inbound");

    const Analysis queued =
        analyze(R"({"completed":false,"queue_status":"queued","error_message":"Call failed."})");
    CHECK(queued.summary.status == "queued");
    CHECK(queued.summary.error_message == "Call failed.");
    CHECK_FALSE(queued.summary.duration_seconds.has_value());
    CHECK(queued.summary.direction.empty());

    CHECK(analyze(R"({"message":"Call enqueued","category":"queue","call_id":"q"})")
              .summary.message == "Call enqueued");
    CHECK(analyze(R"({"call_id":"c","event_type":"citations","citations":[{},{}]})")
              .summary.message == "2 citations");
}

TEST_CASE("to_json carries kind, flags, summary and findings") {
    const auto json = to_json(analyze(with(k_post_call, "\"complete\"", "\"completed\"")));
    CHECK(json["kind"] == "post-call");
    CHECK(json["is_json"] == true);
    CHECK(json["valid_utf8"] == true);
    CHECK_FALSE(json.contains("json_error"));
    CHECK(json["summary"]["call_id"] == "11111111-2222-3333-4444-555555555555");
    CHECK(json["summary"]["duration_seconds"] == 31.0);
    CHECK(json["summary"]["message"].is_null());
    CHECK(json["summary"]["transcript_turns"] == 2);
    REQUIRE(json["findings"].size() == 1);
    CHECK(json["findings"][0]["pointer"] == "/queue_status");
    CHECK(json["findings"][0]["severity"] == "warning");

    const auto broken = to_json(analyze("{oops"));
    CHECK(broken["kind"] == "unknown");
    CHECK(broken["is_json"] == false);
    CHECK(broken["json_error"].get<std::string>().size() > 0);
    CHECK(broken["findings"].empty());
}

TEST_CASE("analyze accepts what JSON.parse accepts but simdjson refuses") {
    for (const char* body : {R"({"completed":true,"price":1e400})",
                             R"({"completed":true,"price":12345678901234567890123})",
                             R"({"completed":true,"price":-18446744073709551616})",
                             R"({"completed":true,"s":"\\ud800","n":[18446744073709551616]})",
                             R"({"completed":true,"summary":"\ud800 alone"})"}) {
        CAPTURE(body);
        const Analysis analysis = analyze(body);
        CHECK(analysis.is_json);
        CHECK(analysis.valid_utf8);
        CHECK(analysis.kind == Kind::post_call);
        CHECK(classify(body) == Kind::post_call);
    }
    // The big integer is a number to the schema as it is to JavaScript.
    CHECK(find_finding(analyze(R"({"completed":true,"price":12345678901234567890123})").findings,
                       "/price") == nullptr);
}

TEST_CASE("analyze and parse_json share the 1,000-level nesting limit") {
    const std::string at_limit = std::string(1000, '[') + std::string(1000, ']');
    CHECK(analyze(at_limit).is_json);
    const Analysis deeper = analyze("[" + at_limit + "]");
    CHECK_FALSE(deeper.is_json);
    CHECK(deeper.json_error == "nesting deeper than 1000 levels");
}

TEST_CASE("hostile bodies never crash analyze") {
    const Analysis deep = analyze(std::string(100000, '['));
    CHECK_FALSE(deep.is_json);
    CHECK(deep.kind == Kind::unknown);
    CHECK_FALSE(deep.json_error.empty());

    const Analysis deep_valid = analyze(std::string(5000, '[') + std::string(5000, ']'));
    CHECK_FALSE(deep_valid.is_json);
    CHECK(deep_valid.json_error.find("nesting") != std::string::npos);

    const Analysis bad_utf8 = analyze("{\"completed\":true,\"summary\":\"\xC3\x28\"}");
    CHECK_FALSE(bad_utf8.is_json);
    CHECK_FALSE(bad_utf8.valid_utf8);
    CHECK(bad_utf8.kind == Kind::unknown);
    CHECK(bad_utf8.json_error == "not valid UTF-8");

    const Analysis nul = analyze(std::string("{\"completed\":true}\0\0", 20));
    CHECK_FALSE(nul.is_json);
    CHECK(nul.valid_utf8);

    const Analysis empty = analyze("");
    CHECK_FALSE(empty.is_json);
    CHECK(empty.kind == Kind::unknown);

    std::string big = "{\"completed\":true,\"call_id\":\"b\",\"transcripts\":[";
    for (int i = 0; i < 200000; ++i) {
        big += "{\"id\":\"x\",\"text\":\"0123456789012345678901234567890123456789\"},";
    }
    big += "{}]}";
    REQUIRE(big.size() > 10 * 1024 * 1024);
    const Analysis large = analyze(big);
    CHECK(large.is_json);
    CHECK(large.kind == Kind::post_call);
    CHECK(large.summary.transcript_turns == 200001);
    // Findings are capped: one error per bad id would be 200,000 findings.
    CHECK(large.findings.size() == schema::k_max_findings + 1);
    CHECK(large.findings.back().message == "199800 more findings not listed");
}

TEST_CASE("every embedded schema compiles, and its file stem is the kind name") {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& file : blandhook::embed::with_prefix("schemas/")) {
        files.emplace_back(std::string(file.name.substr(8)), std::string(file.data));
    }
    // Nothing embedded would make every check below pass vacuously.
    REQUIRE_FALSE(files.empty());
    CHECK(files.size() == k_schema_kinds.size());
    CHECK(schema::compile_check(files).empty());
    for (Kind kind : k_schema_kinds) {
        CAPTURE(kind_name(kind));
        CHECK_FALSE(schema_text(kind).empty());
        CHECK(nlohmann::json::parse(schema_text(kind)).contains("$schema"));
    }
    CHECK(schema_text(Kind::unknown).empty());
}

TEST_CASE("the schema interpreter refuses keywords it would silently ignore") {
    CHECK(schema::compile_check({{"a.json", R"({"type":"string","pattern":"^x"})"}})
              .find("pattern") != std::string::npos);
    CHECK(schema::compile_check({{"a.json", R"({"$ref":"b.json"})"}}).find("b.json") !=
          std::string::npos);
    CHECK(schema::compile_check({{"a.json", R"({"x-severity":"fatal"})"}}).size() > 0);
    CHECK(schema::compile_check({{"a.json", R"({"type":"strin"})"}}).size() > 0);
    CHECK(schema::compile_check(
              {{"a.json", R"({"$defs":{"n":{"items":{"$ref":"#/$defs/n"}}},"$ref":"#/$defs/n"})"}})
              .empty());
}

TEST_CASE("the schema interpreter implements enum, const, minimum, maximum, else and x-severity") {
    const std::vector<std::pair<std::string, std::string>> files = {
        {"t.json", R"({"type":"object","properties":{
            "e":{"enum":["a",1,null]},
            "c":{"const":{"k":[1,2]}},
            "n":{"type":"number","minimum":0,"maximum":1},
            "w":{"x-severity":"warning","type":"integer"}},
          "if":{"required":["flag"]},"then":{"required":["a"]},"else":{"required":["b"]}})"}};
    simdjson::dom::parser parser;
    const auto run = [&](const std::string& text) {
        return schema::validate_with(files, "t.json", parser.parse(text).value());
    };
    CHECK(run(R"({"e":1,"c":{"k":[1,2]},"n":0.5,"w":3,"b":0})").empty());
    const auto bad = run(R"({"e":"b","c":{"k":[2,1]},"n":1.5,"w":"x","flag":1})");
    INFO(describe(bad));
    REQUIRE(bad.size() == 5);
    CHECK(finding_at(bad, "/e").message == "\"b\" is not one of \"a\", 1, null");
    CHECK(finding_at(bad, "/c").severity == Severity::error);
    CHECK(finding_at(bad, "/n").message == "1.5 is above the maximum 1");
    CHECK(finding_at(bad, "/w").severity == Severity::warning);
    CHECK(finding_at(bad, "/a").message == "missing required field \"a\"");
    const auto low = run(R"({"n":-1})");
    CHECK(finding_at(low, "/n").message == "-1 is below the minimum 0");
    CHECK(find_finding(low, "/b") != nullptr);
}

TEST_CASE("every embedded fixture validates with no findings") {
    const auto fixtures = blandhook::embed::with_prefix("fixtures/");
    // Every file of fixtures/ is embedded: an empty set would make the loop below pass vacuously.
    std::size_t on_disk = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(blandhook::test::source_dir() + "/fixtures")) {
        on_disk += entry.path().extension() == ".json" ? 1 : 0;
    }
    REQUIRE(on_disk > 0);
    REQUIRE(fixtures.size() == on_disk);
    for (const auto& file : fixtures) {
        CAPTURE(file.name);
        const Analysis analysis = analyze(file.data);
        INFO(describe(analysis.findings));
        CHECK(analysis.is_json);
        CHECK(analysis.kind != Kind::unknown);
        CHECK(analysis.findings.empty());
    }
}
