#pragma once
// The files of one capture log: the active log that `listen` appends to (PATH) and the numbered
// segments it rotated out (PATH.1, PATH.2 … oldest first; PATH.N.gz once compressed). Ids keep
// increasing from one segment to the next, so the files in this order hold the captures in id
// order (docs/capture-log.md, "Rotation").
#include "util/unique_fd.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace blandhook::capture {

struct Segment {
    std::string path;
    std::uint64_t number = 0; ///< 1, 2 …; 0 for the active log
    bool compressed = false;  ///< gzip (PATH.N.gz)
    std::uint64_t bytes = 0;  ///< size on disk
};

/// The segments of the log at `log_path`, oldest first, the active log last (when it exists).
std::vector<Segment> list_segments(const std::string& log_path);

/// The path of segment `number` of `log_path`.
std::string segment_path(const std::string& log_path, std::uint64_t number, bool compressed);

/// The number the next rotated segment gets (one more than the highest on disk).
std::uint64_t next_segment_number(const std::string& log_path);

/// Opens the rotated plain segment at `plain_path` and takes its exclusive lock, waiting for
/// whoever holds it (the compressor, or `captures prune`). Returns the descriptor (the lock goes
/// when it is closed), or none when no file is at that path any more (compressed or pruned
/// meanwhile). Retries when the file was replaced while waiting, so the lock is always on the
/// file the path names.
util::UniqueFd lock_plain_segment(const std::string& plain_path);

/// Compresses the rotated segment at `plain_path` into `plain_path`.gz (gzip, mode 0600): written
/// to a temporary file, flushed, renamed into place, and only then is the plain file removed, so
/// a reader always finds every line under one name or the other. Holds the segment's lock
/// throughout, so that `captures prune` never removes a segment whose copy is being written.
/// A segment that is gone (pruned) is left gone. Throws Error (internal).
void compress_segment(const std::string& plain_path);

} // namespace blandhook::capture
