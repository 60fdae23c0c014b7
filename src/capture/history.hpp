#pragma once
// The capture log's whole history, read without loading it: every segment (see segments.hpp), the
// newest captures read backwards from the end, one capture found by bisecting the file on its
// increasing ids, searches done over raw buffers with only matching lines parsed (search.hpp).
// No index file: nothing can go stale when another listener appends, a torn line is cut or a
// segment is rotated out (docs/capture-log.md, "Reading a long history").
#include "capture/capture.hpp"
#include "capture/segments.hpp"
#include "capture/store.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::capture {

class LineMatcher;

class History {
public:
    /// The segments of `log_path` as they are on disk now (a snapshot of the file list; lines
    /// appended later to the active log are read too, up to its last complete line).
    explicit History(std::string log_path);

    const std::string& path() const { return m_path; }
    const std::vector<Segment>& segments() const { return m_segments; }
    /// True when the log (any segment) exists.
    bool exists() const { return !m_segments.empty(); }

    /// A line that is not a capture is skipped and reported here (where, why), when set.
    void on_bad_line(std::function<void(const std::string&, const std::string&)> report) {
        m_on_bad_line = std::move(report);
    }

    /// The capture with this id.
    std::optional<Capture> get(std::uint64_t id) const;
    /// Matching captures, newest first, at most filter.limit (filter.before/after bound the ids).
    std::vector<Capture> newest(const Filter& filter) const;
    /// Every matching capture in log order (filter.limit is ignored); `each` returning false stops.
    void oldest_first(const Filter& filter, const std::function<bool(Capture&&)>& each) const;
    /// Every complete line of every segment in order, unparsed, with its segment's index in
    /// segments(); `each` returning false stops.
    void each_line(const std::function<bool(std::string_view, std::size_t)>& each) const;

    /// The id of the n-th newest line (1 = the newest), counting lines without parsing them;
    /// nullopt when the log holds fewer.
    std::optional<std::uint64_t> nth_newest_id(std::uint64_t n) const;

    /// The id of the first line of segment `index` (nullopt when it holds none).
    std::optional<std::uint64_t> segment_first_id(std::size_t index) const;

    /// The lowest and highest ids in the log (nullopt when it holds none).
    std::optional<std::uint64_t> first_id() const;
    std::optional<std::uint64_t> last_id() const;

private:
    // newest() over one segment: its matches, newest first, appended to `found`; true when
    // nothing older can match (the limit is reached, or the segment went below the bounds).
    bool newest_in_plain(std::size_t index, const Segment& segment, const LineMatcher& matcher,
                         const Filter& filter, std::vector<Capture>& found) const;
    bool newest_in_compressed(std::size_t index, const Segment& segment, const LineMatcher& matcher,
                              const Filter& filter, std::vector<Capture>& found) const;
    std::optional<Capture> parse(std::string_view line, std::size_t segment,
                                 std::uint64_t offset) const;

    std::string m_path;
    std::vector<Segment> m_segments;
    mutable std::vector<std::optional<std::optional<std::uint64_t>>> m_first_ids;
    std::function<void(const std::string&, const std::string&)> m_on_bad_line;
};

/// Reads one segment forwards in buffers of whole lines (each ending in '\n'; a torn last line
/// is left out), calling `each` with each buffer and the offset of its first byte in the
/// uncompressed segment; returning false stops. A segment that is gone reads as empty.
bool read_segment(const Segment& segment,
                  const std::function<bool(std::string_view, std::uint64_t)>& each);

/// The offset just past the last complete line of the file open on `fd` whose size is `size`
/// (a torn last line, without its newline, is after it).
std::uint64_t complete_end(int fd, std::uint64_t size);

} // namespace blandhook::capture
