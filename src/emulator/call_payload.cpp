#include "emulator/call_payload.hpp"

#include "emulator/time_zone.hpp"
#include "error.hpp"
#include "payload/connected.hpp"
#include "payload/fixtures.hpp"

#include <array>

#include <cmath>
#include <ctime>
#include <fmt/core.h>
#include <map>
#include <mutex>

namespace blandhook::emulator {
namespace {

std::string iso(SystemTime time, std::string_view zone) {
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
    auto seconds = static_cast<std::time_t>(millis.count() / 1000);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}", parts.tm_year + 1900,
                       parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                       millis.count() % 1000, zone);
}

std::tm utc_parts(SystemTime time) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    return parts;
}

// "2025-09-15T10:02:14-07:00", the form of Bland's `timestamp` variable.
std::string local_iso(SystemTime time, std::chrono::seconds offset) {
    const std::tm parts = utc_parts(time + offset);
    const long long minutes = offset.count() / 60;
    const long long magnitude = minutes < 0 ? -minutes : minutes;
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", parts.tm_year + 1900,
                       parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                       minutes < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
}

// Fixtures are parsed once per process: copying a parsed document is several times cheaper than
// parsing it again for each of hundreds of calls.
// Entries are never removed, so a reference stays valid after the lock is released.
const payload::Json& cached_fixture(std::string_view name) {
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

payload::Json load_fixture(std::string_view name) {
    return cached_fixture(name);
}

std::string text_field(const payload::Json& object, const char* field, std::string fallback) {
    auto it = object.find(field);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::move(fallback);
}

// "+15551234567" -> "5551234567": Bland's short_to/short_from drop the country code of NANP
// numbers. Other numbers keep their digits.
std::string short_number(const std::string& number) {
    if (number.size() == 12 && number.starts_with("+1")) {
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
    // Bland writes `now` and `timestamp` in the call's zone and `now_utc` in UTC (both in the
    // words of its post-call example), and names the zone in `timezone`.
    const std::string zone = call_time_zone(facts);
    const auto offset = zone_offset(zone, facts.created_at).value_or(ZoneOffset{}).offset;
    variables["now"] = human_time(facts.created_at, offset);
    variables["now_utc"] = human_time(facts.created_at, std::chrono::seconds(0));
    variables["timestamp"] = local_iso(facts.created_at, offset);
    variables["timezone"] = zone;
    const payload::Json request_data = object_field(facts.request, "request_data");
    for (auto it = request_data.begin(); it != request_data.end(); ++it) {
        variables[it.key()] = it.value();
    }
    body["variables"] = std::move(variables);
}

} // namespace

std::string human_time(SystemTime time, std::chrono::seconds offset) {
    static constexpr std::array<std::string_view, 7> k_days = {
        "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    static constexpr std::array<std::string_view, 12> k_months = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    const std::tm parts = utc_parts(time + offset);
    const int hour = parts.tm_hour % 12 == 0 ? 12 : parts.tm_hour % 12;
    return fmt::format("{}, {} {}, {} {}:{:02} {}",
                       k_days.at(static_cast<std::size_t>(parts.tm_wday)),
                       k_months.at(static_cast<std::size_t>(parts.tm_mon)), parts.tm_mday,
                       parts.tm_year + 1900, hour, parts.tm_min, parts.tm_hour < 12 ? "AM" : "PM");
}

std::string call_time_zone(const CallFacts& facts) {
    std::string requested = text_field(facts.request, "timezone", "");
    if (!requested.empty() && zone_offset(requested, facts.created_at)) {
        return requested;
    }
    const payload::Json& fixture = cached_fixture(facts.outcome);
    auto variables = fixture.find("variables");
    if (variables != fixture.end() && variables->is_object()) {
        const std::string zone = text_field(*variables, "timezone", "");
        if (!zone.empty() && zone_offset(zone, facts.created_at)) {
            return zone;
        }
    }
    return "UTC";
}

bool outcome_starts(std::string_view outcome) {
    const payload::Json& fixture = cached_fixture(outcome);
    auto started = fixture.find("started_at");
    return started != fixture.end() && !started->is_null();
}

bool outcome_connects(std::string_view outcome) {
    return payload::never_connected_reason(cached_fixture(outcome)).empty();
}

std::string recording_path(std::string_view call_id) {
    return "/v1/recordings/" + std::string(call_id) + ".wav";
}

std::string iso_offset(SystemTime time) {
    return iso(time, "+00:00");
}
std::string iso_zulu(SystemTime time) {
    return iso(time, "Z");
}

payload::Json build_post_call(const CallFacts& facts, PostCallVariant variant) {
    const bool delayed = variant == PostCallVariant::delayed;
    payload::Json body = load_fixture(facts.outcome);
    // The fixture's recording URL names the fixture's call and a bland.ai host: the emulator
    // serves this call's recording itself.
    std::string fixture_id = text_field(body, "call_id", "");
    if (auto url = body.find("recording_url"); url != body.end() && url->is_string()) {
        std::string text = url->get<std::string>();
        if (!facts.base_url.empty()) {
            text = facts.base_url + recording_path(facts.call_id);
        } else if (auto at = text.find(fixture_id);
                   !fixture_id.empty() && at != std::string::npos) {
            text.replace(at, fixture_id.size(), facts.call_id);
        }
        *url = text;
    }
    apply_identity(body, facts);
    body["inbound"] = facts.inbound;
    // A call that never started keeps the fixture's null started_at and end_at.
    if (facts.started_at || outcome_starts(facts.outcome)) {
        const SystemTime started = facts.started_at.value_or(facts.created_at);
        const SystemTime ended = facts.ended_at.value_or(started);
        body["started_at"] = iso_zulu(started);
        body["end_at"] = iso_zulu(ended);
    }
    const SystemTime started = facts.started_at.value_or(facts.created_at);
    const SystemTime ended = facts.ended_at.value_or(started);
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
