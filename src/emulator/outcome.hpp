#pragma once
// How the emulator decides what happens to a call (docs/emulate.md "Outcomes"): a scenario named
// in request_data.blandhook_scenario wins, then the last three digits of phone_number, then a
// completed outbound call. Each outcome is a fixture of the built-in library.
#include "payload/json.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::emulator {

/// The request_data key that names a scenario.
constexpr std::string_view k_scenario_key = "blandhook_scenario";

/// The outcome of a call when neither a scenario nor a number suffix chooses another.
constexpr std::string_view k_default_outcome = "completed-outbound";

/// One row of the outcome table: numbers ending in `suffix` get the fixture `fixture`.
struct OutcomeRule {
    std::string_view suffix;
    std::string_view fixture;
    std::string_view why; ///< the SIP code or the mnemonic behind the suffix
};

/// The documented table, in suffix order.
std::span<const OutcomeRule> outcome_rules();

/// A request refused by the API itself (not a call outcome): numbers ending in 402 or 429.
struct ApiRefusal {
    int http_status;
    std::string_view message;
};

/// The simulated API refusal for `phone_number`, if its suffix asks for one.
std::optional<ApiRefusal> refusal_for(std::string_view phone_number);

/// The fixtures a scenario may name: every post-call fixture of the library.
std::vector<std::string> scenario_names();

struct Outcome {
    std::string fixture; ///< a fixture name of the library
    std::string source;  ///< "scenario", "number" or "default"
};

/// Chooses the outcome. Returns nullopt with `error` set when the scenario is unknown or not a
/// string.
std::optional<Outcome> choose_outcome(std::string_view phone_number,
                                      const payload::Json& request_data, std::string& error);

} // namespace blandhook::emulator
