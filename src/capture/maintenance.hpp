#pragma once
// Looking after a long capture log: what it holds (`captures stats`) and removing its oldest
// captures (`captures prune`). Both read raw lines without parsing them.
#include "capture/history.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace blandhook::capture {

struct LogStats {
    std::uint64_t captures = 0;
    std::uint64_t bytes_on_disk = 0; ///< every segment as stored (compressed or not)
    std::uint64_t line_bytes = 0;    ///< the lines uncompressed
    std::size_t segments = 0;        ///< files, the active log included
    std::size_t compressed_segments = 0;
    std::optional<std::uint64_t> first_id;
    std::optional<std::uint64_t> last_id;
    std::string first_time; ///< received_at of the oldest capture
    std::string last_time;
    std::map<std::string, std::uint64_t> kinds; ///< payload kind -> captures
    struct Day {
        std::uint64_t captures = 0;
        std::uint64_t bytes = 0; ///< uncompressed line bytes
    };
    std::map<std::string, Day> days; ///< "2026-11-27" (UTC) -> captures that day
};

/// Reads every line of every segment once.
LogStats log_stats(const History& history);

/// The first id received at or after `when` (the log's time form), or nullopt when none is.
std::optional<std::uint64_t> first_id_since(const History& history, const std::string& when);

struct PruneResult {
    std::uint64_t removed = 0; ///< captures removed (or that would be, in a dry run)
    std::uint64_t kept = 0;    ///< captures left
    std::uint64_t bytes_freed = 0;
    std::uint64_t left_in_active = 0; ///< older captures left in an active log a listener holds
};

/// Removes every capture with an id below `keep_from` from the log at `log_path`: whole
/// segments are deleted, the segment holding `keep_from` is rewritten (to a temporary file,
/// renamed into place). The active log is rewritten only when no listener holds it; otherwise
/// its older lines stay and are counted in left_in_active. With `dry_run` nothing changes.
enum class PruneMode { apply, dry_run };
PruneResult prune(const std::string& log_path, std::uint64_t keep_from, PruneMode mode);

} // namespace blandhook::capture
