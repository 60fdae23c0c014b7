#include "emulator/outcome.hpp"

#include "payload/fixtures.hpp"

#include <array>
#include <fmt/core.h>

namespace blandhook::emulator {
namespace {

// SIP response codes where one exists (spec section 3), otherwise a documented mnemonic.
constexpr std::array<OutcomeRule, 11> k_rules = {{
    {"302", "warm-transfer", "SIP 302 Moved Temporarily: the call is transferred"},
    {"404", "error-number-not-found", "SIP 404 Not Found"},
    {"408", "no-answer", "SIP 408 Request Timeout: nobody picks up"},
    {"480", "error-temporarily-unavailable", "SIP 480 Temporarily Unavailable"},
    {"486", "error-busy", "SIP 486 Busy Here"},
    {"500", "error-call-failed", "SIP 500 Server Internal Error: generic failure"},
    {"503", "error-unable-to-start", "SIP 503 Service Unavailable: dispatch failed"},
    {"507", "error-database", "5xx, chosen by blandhook: database error"},
    {"599", "error-unknown", "5xx, chosen by blandhook: unknown failure"},
    {"608", "error-spam-blocked", "SIP 608 Rejected: blocked as spam"},
    {"866", "voicemail", "866 spells VM0 on a keypad: a voicemail answers"},
}};

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_call_fixture(const payload::FixtureInfo& info) {
    return info.kind == payload::Kind::post_call || info.kind == payload::Kind::delayed_post_call;
}

} // namespace

std::span<const OutcomeRule> outcome_rules() {
    return k_rules;
}

std::optional<ApiRefusal> refusal_for(std::string_view phone_number) {
    if (ends_with(phone_number, "402")) {
        return ApiRefusal{402, "Insufficient balance."};
    }
    if (ends_with(phone_number, "429")) {
        return ApiRefusal{429, "Rate limit exceeded"};
    }
    return std::nullopt;
}

std::vector<std::string> scenario_names() {
    std::vector<std::string> names;
    for (const auto& info : payload::builtin_fixtures()) {
        if (is_call_fixture(info)) {
            names.emplace_back(info.name);
        }
    }
    return names;
}

std::optional<Outcome> choose_outcome(std::string_view phone_number,
                                      const payload::Json& request_data, std::string& error) {
    if (request_data.is_object()) {
        if (auto it = request_data.find(std::string(k_scenario_key)); it != request_data.end()) {
            const payload::FixtureInfo* info =
                it->is_string() ? payload::find_fixture(it->get<std::string>()) : nullptr;
            if (info == nullptr || !is_call_fixture(*info)) {
                std::string names;
                for (const auto& name : scenario_names()) {
                    names += (names.empty() ? "" : ", ") + name;
                }
                error = fmt::format("request_data.{} must name a call outcome: one of {}",
                                    k_scenario_key, names);
                return std::nullopt;
            }
            return Outcome{std::string(info->name), "scenario"};
        }
    }
    for (const auto& rule : k_rules) {
        if (ends_with(phone_number, rule.suffix)) {
            return Outcome{std::string(rule.fixture), "number"};
        }
    }
    return Outcome{std::string(k_default_outcome), "default"};
}

} // namespace blandhook::emulator
