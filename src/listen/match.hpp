#pragma once
// `blandhook listen --match KEY=VALUE`: which captures count towards `--count`.
#include "capture/capture.hpp"

#include <string>
#include <vector>

namespace blandhook::listen {

/// One KEY=VALUE a capture must have.
struct Match {
    std::string key;
    std::string value;
};

/// The keys --match knows, in the order help and completions list them ("call_id", "kind" …).
const std::vector<std::string>& match_keys();

/// Parses each "KEY=VALUE" (the value may be empty or hold '='); throws Error (usage, "--match")
/// naming the text and the known keys for anything else.
std::vector<Match> parse_matches(const std::vector<std::string>& texts);

/// Whether `capture` has every one of `matches` (true for none).
bool matches_all(const capture::Capture& capture, const std::vector<Match>& matches);

} // namespace blandhook::listen
