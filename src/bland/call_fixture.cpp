#include "bland/call_fixture.hpp"

#include "bland/calls_api.hpp"
#include "error.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <fmt/core.h>
#include <string_view>

namespace blandhook::bland {
namespace {

using payload::Json;

// In call details only (spec section 2, column C without S or D).
constexpr std::array<std::string_view, 6> k_details_only = {
    "endpoint_url", "pathway_version", "request_data", "analysis", "analysis_schema", "voice_id"};
// Call-details items of `transcripts` carry these, webhook items do not.
constexpr std::array<std::string_view, 3> k_transcript_details_only = {"c_id", "status",
                                                                       "transcript_id"};

// "2025-09-18T19:30:37.000Z" plus 30 days in the fixture library's recording_expiration form;
// "" when `end_at` is not a timestamp this parser reads.
std::string thirty_days_after(const std::string& end_at) {
    std::tm parts{};
    if (end_at.size() < 19 ||
        strptime(end_at.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &parts) == nullptr) {
        return {};
    }
    constexpr std::time_t k_thirty_days = std::time_t{30} * 24 * 3600;
    const std::time_t at = timegm(&parts) + k_thirty_days;
    std::tm later{};
    gmtime_r(&at, &later);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.00Z", later.tm_year + 1900,
                       later.tm_mon + 1, later.tm_mday, later.tm_hour, later.tm_min, later.tm_sec);
}

} // namespace

CallFixture fixture_from_call(const Json& details) {
    if (!details.is_object() || !details.contains("call_id")) {
        throw Error(ErrorKind::api, "call get", "the answer is not a call-details object",
                    "GET /v1/calls/{id} should answer an object with call_id");
    }
    if (!call_is_done(details)) {
        throw Error(ErrorKind::api, "call get",
                    "the call is not over yet: Bland has sent no post-call webhook for it",
                    "wait until it completes (blandhook call get ID shows queue_status)");
    }
    CallFixture out;
    out.body = Json::object();
    for (const auto& [key, value] : details.items()) {
        if (std::ranges::find(k_details_only, key) != k_details_only.end()) {
            out.dropped.push_back(key);
            continue;
        }
        out.body[key] = value;
    }
    if (auto transcripts = out.body.find("transcripts");
        transcripts != out.body.end() && transcripts->is_array()) {
        bool stripped = false;
        for (auto& item : *transcripts) {
            for (auto field : k_transcript_details_only) {
                if (item.is_object() && item.erase(std::string(field)) > 0) {
                    stripped = true;
                }
            }
        }
        if (stripped) {
            out.dropped.emplace_back("transcripts[].c_id, status, transcript_id");
        }
    }

    // Webhook-only fields (spec section 2, S or D without C), derived where the details allow.
    if (!out.body.contains("pathway_tags")) {
        Json tags = Json::array();
        if (auto logs = details.find("pathway_logs"); logs != details.end() && logs->is_array()) {
            for (const auto& log : *logs) {
                auto tag = log.find("tag");
                if (log.is_object() && tag != log.end() && tag->is_object() &&
                    tag->contains("name") && (*tag)["name"].is_string() &&
                    std::ranges::find(tags, (*tag)["name"]) == tags.end()) {
                    tags.push_back((*tag)["name"]);
                }
            }
        }
        out.body["pathway_tags"] = tags;
        out.modelled.emplace_back("pathway_tags (the tag names of pathway_logs)");
    }
    if (!out.body.contains("citation_schema_ids")) {
        Json ids = Json::array();
        auto request = details.find("request_data");
        if (request != details.end() && request->is_object() &&
            request->contains("citation_schema_ids") &&
            (*request)["citation_schema_ids"].is_array()) {
            ids = (*request)["citation_schema_ids"];
        }
        out.body["citation_schema_ids"] = ids;
        out.modelled.emplace_back("citation_schema_ids (request_data's, else [])");
    }
    if (!out.body.contains("recording_expiration") && out.body.contains("recording_url") &&
        out.body["recording_url"].is_string() && out.body.contains("end_at") &&
        out.body["end_at"].is_string()) {
        std::string expiration = thirty_days_after(out.body["end_at"].get<std::string>());
        if (!expiration.empty()) {
            out.body["recording_expiration"] = expiration;
            out.modelled.emplace_back("recording_expiration (end_at + 30 days)");
        }
    }
    for (const char* field : {"disposition_tag", "transferred_at"}) {
        if (!out.body.contains(field) &&
            (std::string_view(field) != "transferred_at" || out.body.contains("transferred_to"))) {
            out.absent.emplace_back(field);
        }
    }
    return out;
}

} // namespace blandhook::bland
