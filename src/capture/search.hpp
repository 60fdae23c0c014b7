#pragma once
// Finding captures in the raw lines of the capture log without parsing them: a Filter becomes a
// few byte patterns (the text as the log escapes it, "call_id":"…", "kind":"…") looked for with
// memmem or a case-folding Boyer-Moore-Horspool over whole buffers of lines. Only the lines that
// hold every pattern are parsed, and the Filter itself has the last word on them.
#include "capture/json_text.hpp"
#include "capture/store.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace blandhook::capture {

enum class Case { exact, ignore_ascii };

/// Finds `needle` in a haystack, 16 positions at a time: the bytes that would sit under the
/// needle's first and last byte are compared in one SSE2 step each, and only positions where
/// both agree are compared in full (W. Muła's "SIMD-friendly" substring search). Skip tables
/// gain little on JSON and hex ids, where every byte and pair repeats everywhere.
/// Case::ignore_ascii folds A-Z to a-z on both sides.
class Finder {
public:
    Finder(std::string_view needle, Case mode);
    /// Position of the first match at or after `from`, or npos.
    std::size_t find(std::string_view haystack, std::size_t from = 0) const;

private:
    bool matches_at(const char* text) const;

    std::string m_needle; ///< folded
    unsigned char m_fold[256];
    unsigned char m_first_or = 0; ///< 0x20 when the first byte is a letter and case is ignored
    unsigned char m_last_or = 0;
};

/// The line prefilter for one Filter.
class LineMatcher {
public:
    explicit LineMatcher(const Filter& filter);

    /// Calls `visit` with each line of `lines` (complete lines, each ended by '\n'; the view
    /// passed excludes it) that may match, in order, with its offset in `lines`; stops and
    /// returns false when `visit` does.
    bool each_candidate(std::string_view lines,
                        const std::function<bool(std::string_view, std::size_t)>& visit) const;

    /// True when a parsed capture matches (the Filter, without its limit).
    bool matches(const Capture& capture) const { return m_filter.matches(capture); }
    const Filter& filter() const { return m_filter; }

private:
    bool line_holds_rest(std::string_view line) const;

    Filter m_filter;
    std::optional<Finder> m_text;        ///< the free text, escaped as in the log
    std::vector<std::string> m_patterns; ///< exact patterns every candidate line holds
    std::optional<Finder> m_first;       ///< the first of them, which buffers are scanned for
};

/// Position of `pattern` in `haystack` at or after `from` (memmem: std::string_view::find walks
/// every '"' of a JSON line), or npos.
std::size_t find_bytes(std::string_view haystack, std::string_view pattern, std::size_t from);

/// The id a log line starts with ({"id":N,…), without parsing the line.
std::optional<std::uint64_t> line_id(std::string_view line);
/// The received_at a log line carries right after its id, without parsing ("" when not there).
std::string_view line_time(std::string_view line);

/// A point in time as the log writes it (2026-11-27T10:06:04.123Z), from `text`: an ISO 8601
/// date or date-time in UTC (2026-11-27, 2026-11-27T10:06, 2026-11-27 10:06:04Z), or a duration
/// ago (90s, 15m, 2h, 7d, 2w) counted back from `now`. Throws Error (usage) naming `what`.
std::string parse_when(std::string_view text, std::string_view what,
                       std::chrono::system_clock::time_point now);

} // namespace blandhook::capture
