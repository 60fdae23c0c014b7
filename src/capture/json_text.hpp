#pragma once
// How the capture log writes strings and times, for readers that look into a line without
// parsing it (search.hpp) and for tools that write times in the log's form.
#include <chrono>
#include <string>
#include <string_view>

namespace blandhook::capture {

/// `text` as a quoted JSON string, escaped exactly as the log writes strings (invalid UTF-8 as
/// U+FFFD), so a reader can look for a value in a line without parsing it.
std::string json_string(std::string_view text);

/// `at` as the log writes times: UTC, ISO 8601 with milliseconds and a Z
/// (2026-11-27T10:06:04.123Z).
std::string iso8601(std::chrono::system_clock::time_point at);

} // namespace blandhook::capture
