#include "emulator/call_payload.hpp"

#include "error.hpp"
#include "payload/fixtures.hpp"

#include <cmath>
#include <ctime>
#include <fmt/core.h>
#include <map>
#include <mutex>

namespace blandhook::emulator {
namespace {

std::string iso(SystemTime time, std::string_view zone) {
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
    std::time_t seconds = static_cast<std::time_t>(millis.count() / 1000);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}", parts.tm_year + 1900,
                       parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                       millis.count() % 1000, zone);
}

// Fixtures are parsed once per process: copying a parsed document is several times cheaper than
// parsing it again for each of hundreds of calls.
// "Monday, September 15, 2025 10:02 AM", the form of Bland's `now` variable (here in UTC).
std::string human_time(SystemTime time) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[64];
    std::size_t length = std::strftime(text, sizeof text, "%A, %B %d, %Y %I:%M %p", &parts);
    return std::string(text, length);
}

payload::Json load_fixture(std::string_view name) {
    static std::mutex mutex;
    static std::map<std::string, payload::Json, std::less<>> cache;
    std::lock_guard lock(mutex);
    if (auto it = cache.find(name); it != cache.end()) {
        return it->second;
    }
    auto body = payload::fixture_body(name);
    if (!body) {
        throw Error(ErrorKind::internal, "emulate", fmt::format("fixture '{}' is missing", name),
                    "the binary was built without its fixture library");
    }
    return cache.emplace(std::string(name), payload::parse_json(*body)).first->second;
}

std::string text_field(const payload::Json& object, const char* field, std::string fallback) {
    auto it = object.find(field);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::move(fallback);
}

// "+15551234567" -> "5551234567": Bland's short_to/short_from drop the country code of NANP
// numbers. Other numbers keep their digits.
std::string short_number(const std::string& number) {
    if (number.size() == 12 && number.rfind("+1", 0) == 0) {
        return number.substr(2);
    }
    return number.empty() || number[0] != '+' ? number : number.substr(1);
}

payload::Json object_field(const payload::Json& request, const char* field) {
    auto it = request.find(field);
    return it != request.end() && it->is_object() ? *it : payload::Json::object();
}

void set_if_present(payload::Json& body, const char* field, payload::Json value) {
    if (body.contains(field)) {
        body[field] = std::move(value);
    }
}

// The citations of a fixture, re-pointed at this call.
payload::Json citations_for(const payload::Json& fixture, const std::string& call_id) {
    payload::Json citations =
        fixture.contains("citations") ? fixture["citations"] : payload::Json::array();
    for (auto& citation : citations) {
        if (citation.is_object() && citation.contains("call_id")) {
            citation["call_id"] = call_id;
        }
    }
    return citations;
}

void apply_identity(payload::Json& body, const CallFacts& facts) {
    const std::string to = text_field(facts.request, "phone_number", "");
    const std::string from = text_field(facts.request, "from", std::string(k_default_from));
    body["call_id"] = facts.call_id;
    body["c_id"] = facts.call_id;
    body["to"] = to;
    body["from"] = from;
    body["created_at"] = iso_offset(facts.created_at);
    body["batch_id"] = nullptr;
    auto max_duration = facts.request.find("max_duration");
    body["max_duration"] = max_duration != facts.request.end() && max_duration->is_number()
                               ? *max_duration
                               : payload::Json(30);
    body["metadata"] = object_field(facts.request, "metadata");
    if (facts.request.contains("request_data")) {
        body["request_data"] = object_field(facts.request, "request_data");
    }
    auto pathway = facts.request.find("pathway_id");
    body["pathway_id"] =
        pathway != facts.request.end() && pathway->is_string() ? *pathway : payload::Json();
    auto record = facts.request.find("record");
    bool recorded = record != facts.request.end() && record->is_boolean() && record->get<bool>();
    body["record"] = recorded;
    if (!recorded) {
        set_if_present(body, "recording_url", nullptr);
    }

    // System variables as Bland names them, then the request's request_data, which Bland
    // injects as dynamic variables.
    payload::Json variables = body.contains("variables") && body["variables"].is_object()
                                  ? body["variables"]
                                  : payload::Json::object();
    variables["call_id"] = facts.call_id;
    variables["to"] = to;
    variables["from"] = from;
    // The other party: the called number of an outbound call, the caller of an inbound one
    // (as in Bland's inbound example).
    variables["phone_number"] = facts.inbound ? from : to;
    variables["short_to"] = short_number(to);
    variables["short_from"] = short_number(from);
    variables["now"] = human_time(facts.created_at);
    variables["now_utc"] = iso_zulu(facts.created_at);
    variables["timestamp"] = iso_offset(facts.created_at);
    const payload::Json request_data = object_field(facts.request, "request_data");
    for (auto it = request_data.begin(); it != request_data.end(); ++it) {
        variables[it.key()] = it.value();
    }
    body["variables"] = std::move(variables);
}

} // namespace

std::string iso_offset(SystemTime time) {
    return iso(time, "+00:00");
}
std::string iso_zulu(SystemTime time) {
    return iso(time, "Z");
}

payload::Json build_post_call(const CallFacts& facts, bool delayed) {
    payload::Json body = load_fixture(facts.outcome);
    // The fixture's recording URL names the fixture's call: point it at this one.
    std::string fixture_id = text_field(body, "call_id", "");
    if (auto url = body.find("recording_url");
        url != body.end() && url->is_string() && !fixture_id.empty()) {
        std::string text = url->get<std::string>();
        if (auto at = text.find(fixture_id); at != std::string::npos) {
            text.replace(at, fixture_id.size(), facts.call_id);
            *url = text;
        }
    }
    apply_identity(body, facts);
    body["inbound"] = facts.inbound;
    const SystemTime started = facts.started_at.value_or(facts.created_at);
    const SystemTime ended = facts.ended_at.value_or(started);
    body["started_at"] = iso_zulu(started);
    body["end_at"] = iso_zulu(ended);
    body["completed"] = true;
    // A call that rang and talked lasts as long as it really did in the emulator; outcomes that
    // never connected (busy, not found …) keep the fixture's zero length.
    auto length = body.find("call_length");
    if (length != body.end() && length->is_number() && length->get<double>() > 0) {
        double seconds = std::chrono::duration<double>(ended - started).count();
        body["call_length"] = std::round(seconds / 60.0 * 1e4) / 1e4;
        set_if_present(body, "corrected_duration",
                       std::to_string(static_cast<long long>(std::llround(seconds))));
    }
    if (facts.stopped && !facts.started_at) {
        body["status"] = "canceled";
        body["error_message"] = nullptr;
        body["answered_by"] = nullptr;
        body["call_length"] = 0;
        set_if_present(body, "corrected_duration", "0");
        set_if_present(body, "disposition_tag", "CANCELED");
    }
    if (delayed) {
        payload::Json extra = load_fixture("delayed-citations");
        if (extra.contains("corrected_transcript")) {
            body["corrected_transcript"] = extra["corrected_transcript"];
        }
        body["citations"] = citations_for(extra, facts.call_id);
    }
    return body;
}

payload::Json build_in_progress(const CallFacts& facts) {
    payload::Json body = payload::Json::object();
    apply_identity(body, facts);
    body["completed"] = false;
    body["inbound"] = facts.inbound;
    body["queue_status"] = facts.started_at ? "started" : "queued";
    body["status"] = nullptr;
    body["started_at"] =
        facts.started_at ? payload::Json(iso_zulu(*facts.started_at)) : payload::Json();
    body["end_at"] = nullptr;
    body["call_length"] = nullptr;
    body["error_message"] = nullptr;
    body["answered_by"] = nullptr;
    body["transcripts"] = payload::Json::array();
    body["concatenated_transcript"] = "";
    return body;
}

payload::Json build_citations_event(const CallFacts& facts, SystemTime now) {
    payload::Json body = load_fixture("citations-event");
    body["call_id"] = facts.call_id;
    body["event_type"] = "citations";
    body["timestamp"] = iso_zulu(now);
    body["citations"] = citations_for(body, facts.call_id);
    return body;
}

payload::Json build_live_event(std::string_view call_id, std::string_view message,
                               std::string_view category, std::string_view log_level) {
    payload::Json body = payload::Json::object();
    body["message"] = message;
    body["call_id"] = call_id;
    body["category"] = category;
    body["log_level"] = log_level;
    return body;
}

} // namespace blandhook::emulator
