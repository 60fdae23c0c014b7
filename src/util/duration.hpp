#pragma once
// Durations on the command line ("250ms", "2s", "1.5s", "5m", "1h", a bare number of seconds):
// one parser for every command's --timeout, --delay, --backoff … options.
#include <chrono>
#include <string_view>

namespace blandhook::util {

/// The longest duration any option accepts (30 days): beyond it a deadline computed from the
/// clock could overflow, and no test run waits that long.
constexpr std::chrono::milliseconds k_max_duration{30LL * 24 * 3600 * 1000};

/// Parses a duration, rounded to milliseconds. Throws Error (usage) naming `what` for anything
/// else: no number, an unknown unit, a sign, NaN, or more than k_max_duration.
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what);

} // namespace blandhook::util
