#include "capture/maintenance.hpp"

#include "capture/search.hpp"
#include "capture/segments.hpp"
#include "error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace blandhook::capture {
namespace {

// The payload kind of a line, found from its end (the payload object comes after the body).
std::string_view line_kind(std::string_view line) {
    constexpr std::string_view k_key = R"(,"payload":{"kind":")";
    const std::size_t at = line.rfind(k_key);
    if (at == std::string_view::npos) {
        return "unknown";
    }
    const std::size_t start = at + k_key.size();
    const std::size_t end = line.find('"', start);
    return end == std::string_view::npos ? "unknown" : line.substr(start, end - start);
}

Error prune_error(const std::string& path, const std::string& why) {
    return {ErrorKind::internal, "captures prune", "cannot rewrite " + path + ": " + why,
            "nothing was removed from this file; free some disk space and run it again"};
}

// Writes the lines of `segment` with ids at or above `keep_from` to `temporary` (gzip when the
// segment is), flushed to disk. Returns the bytes written to disk.
std::uint64_t write_kept(const Segment& segment, std::uint64_t keep_from,
                         const std::string& temporary) {
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw prune_error(segment.path, std::strerror(errno));
    }
    const int kept_fd = ::dup(fd);
    gzFile gz = segment.compressed ? ::gzdopen(fd, "wb1") : nullptr;
    std::string error;
    read_segment(segment, [&](std::string_view region, std::uint64_t) {
        for (std::size_t start = 0; start < region.size();) {
            const std::size_t end = region.find('\n', start) + 1;
            const std::string_view line = region.substr(start, end - start);
            const std::optional<std::uint64_t> id = line_id(line);
            if (!id || *id >= keep_from) {
                const bool ok = gz != nullptr ? ::gzwrite(gz, line.data(),
                                                          static_cast<unsigned>(line.size())) ==
                                                    static_cast<int>(line.size())
                                              : ::write(fd, line.data(), line.size()) ==
                                                    static_cast<ssize_t>(line.size());
                if (!ok) {
                    error = "write failed (disk full?)";
                    return false;
                }
            }
            start = end;
        }
        return true;
    });
    if (gz != nullptr) {
        if (::gzclose(gz) != Z_OK && error.empty()) {
            error = "write failed (disk full?)";
        }
    } else {
        ::close(fd);
    }
    if (error.empty() && ::fsync(kept_fd) != 0) {
        error = std::strerror(errno);
    }
    struct stat info {};
    ::fstat(kept_fd, &info);
    ::close(kept_fd);
    if (!error.empty()) {
        ::unlink(temporary.c_str());
        throw prune_error(segment.path, error);
    }
    return static_cast<std::uint64_t>(info.st_size);
}

} // namespace

LogStats log_stats(const History& history) {
    LogStats stats;
    stats.segments = history.segments().size();
    for (const Segment& segment : history.segments()) {
        stats.bytes_on_disk += segment.bytes;
        stats.compressed_segments += segment.compressed ? 1 : 0;
    }
    history.each_line([&](std::string_view line, std::size_t) {
        const std::optional<std::uint64_t> id = line_id(line);
        if (!id) {
            return true; // not a capture
        }
        ++stats.captures;
        stats.line_bytes += line.size() + 1;
        if (!stats.first_id) {
            stats.first_id = id;
            stats.first_time = std::string(line_time(line));
        }
        stats.last_id = id;
        const std::string_view time = line_time(line);
        if (time.size() >= 10) {
            LogStats::Day& day = stats.days[std::string(time.substr(0, 10))];
            ++day.captures;
            day.bytes += line.size() + 1;
            stats.last_time = std::string(time);
        }
        ++stats.kinds[std::string(line_kind(line))];
        return true;
    });
    return stats;
}

std::optional<std::uint64_t> first_id_since(const History& history, const std::string& when) {
    std::optional<std::uint64_t> found;
    history.each_line([&](std::string_view line, std::size_t) {
        const std::string_view time = line_time(line);
        if (!time.empty() && time >= when) {
            found = line_id(line);
            return !found.has_value();
        }
        return true;
    });
    return found;
}

namespace {

enum class Pass { done, segments_changed };

void prune_segment(const Segment& segment, std::uint64_t keep_from, PruneMode mode,
                   PruneResult& result);

// One pass over the segments listed at its start. A rotated plain segment is locked before it is
// read, which waits for the listener's compressor to finish with it; if the compressor removed it
// meanwhile (its lines are now in the .gz), the pass ends with segments_changed and is run again
// on a fresh listing. Without the lock, the compressor renamed a .gz of a segment already pruned
// into place, and the pruned captures came back.
Pass prune_pass(const std::string& log_path, std::uint64_t keep_from, PruneMode mode,
                PruneResult& result) {
    const History history(log_path);
    for (const auto& segment : history.segments()) {
        const bool active = segment.number == 0;
        util::UniqueFd segment_lock; // held while the segment is pruned
        if (!active && !segment.compressed && mode == PruneMode::apply) {
            segment_lock = lock_plain_segment(segment.path);
            if (!segment_lock) {
                return Pass::segments_changed;
            }
        }
        prune_segment(segment, keep_from, mode, result);
    }
    return Pass::done;
}

} // namespace

PruneResult prune(const std::string& log_path, std::uint64_t keep_from, PruneMode mode) {
    PruneResult result;
    while (prune_pass(log_path, keep_from, mode, result) == Pass::segments_changed) {
        // Segments pruned in the ended pass have no lines below keep_from any more; only the
        // counts of what is kept start over.
        result.kept = 0;
        result.left_in_active = 0;
    }
    return result;
}

namespace {

// Removes the lines below `keep_from` from one segment (the whole file when nothing is kept).
void prune_segment(const Segment& segment, std::uint64_t keep_from, PruneMode mode,
                   PruneResult& result) {
    const bool active = segment.number == 0;
    std::uint64_t below = 0;
    std::uint64_t kept = 0;
    read_segment(segment, [&](std::string_view region, std::uint64_t) {
        for (std::size_t start = 0; start < region.size();) {
            const std::size_t end = region.find('\n', start);
            const std::optional<std::uint64_t> id = line_id(region.substr(start, end - start));
            (id && *id < keep_from ? below : kept) += 1;
            start = end + 1;
        }
        return true;
    });
    result.kept += kept;
    if (below == 0) {
        return;
    }
    if (!active && kept == 0) {
        result.removed += below;
        result.bytes_freed += segment.bytes;
        if (mode == PruneMode::apply && ::unlink(segment.path.c_str()) != 0 && errno != ENOENT) {
            throw prune_error(segment.path, std::strerror(errno));
        }
        return;
    }
    // A listener writing the active log holds its lock; its lines are then left alone.
    util::UniqueFd lock; // held until the segment is rewritten
    if (active) {
        lock.reset(::open(segment.path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!lock || ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
            result.left_in_active = below;
            result.kept += below;
            return;
        }
    }
    result.removed += below;
    if (mode == PruneMode::apply) {
        const std::string temporary = segment.path + ".prune.tmp";
        const std::uint64_t written = write_kept(segment, keep_from, temporary);
        if (::rename(temporary.c_str(), segment.path.c_str()) != 0) {
            ::unlink(temporary.c_str());
            throw prune_error(segment.path, std::strerror(errno));
        }
        result.bytes_freed += segment.bytes > written ? segment.bytes - written : 0;
    }
}

} // namespace
} // namespace blandhook::capture
