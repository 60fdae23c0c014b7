#include "capture/history.hpp"

#include "capture/search.hpp"
#include "error.hpp"
#include "util/files.hpp"
#include "util/non_copyable.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <ranges>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <zlib.h>

namespace blandhook::capture {
namespace {

// Reads grow from a small first window (the newest captures of a short log cost one small read)
// to 256 KiB: large enough that a system call is rare, small enough that the bytes just copied
// are still in the CPU's cache when they are searched (grep reads 96 KiB for the same reason).
constexpr std::size_t k_first_chunk = 64u << 10;
constexpr std::size_t k_chunk = 256u << 10;
// Bisecting by id stops at this span and reads it through.
constexpr std::uint64_t k_bisect_window = 64u << 10;

using Regions = std::function<bool(std::string_view, std::uint64_t)>;

Error read_error(const std::string& path, const std::string& why) {
    return {ErrorKind::input, "capture log", "cannot read " + path + ": " + why};
}

// One uncompressed segment, read with pread up to its last complete line.
class PlainFile : util::NonCopyable {
public:
    explicit PlainFile(const std::string& path) : m_path(path) {
        m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0) {
            if (errno == ENOENT) {
                return; // rotated or pruned meanwhile: nothing to read
            }
            throw read_error(path, std::strerror(errno));
        }
        struct stat info {};
        if (::fstat(m_fd, &info) != 0) {
            throw read_error(path, std::strerror(errno));
        }
        m_end = complete_end(m_fd, static_cast<std::uint64_t>(info.st_size));
    }
    ~PlainFile() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }

    std::uint64_t end() const { return m_end; }

    // Exactly `size` bytes at `offset` into `into` (within end()).
    void read(std::uint64_t offset, std::size_t size, std::string& into) const {
        if (const int error = util::read_at(m_fd, offset, size, into); error != 0) {
            throw read_error(m_path, std::strerror(error));
        }
        if (into.size() != size) {
            throw read_error(m_path, "the file shrank while read");
        }
    }

    // The line starting at `start` (without its newline), read into `buffer`.
    std::string_view line_at(std::uint64_t start, std::string& buffer) const {
        std::size_t window = 16u << 10;
        while (true) {
            const std::size_t size =
                static_cast<std::size_t>(std::min<std::uint64_t>(window, m_end - start));
            read(start, size, buffer);
            if (const void* newline = std::memchr(buffer.data(), '\n', size)) {
                return {buffer.data(), static_cast<std::size_t>(static_cast<const char*>(newline) -
                                                                buffer.data())};
            }
            if (start + size >= m_end) {
                return {buffer.data(), size};
            }
            window *= 4;
        }
    }

    // The first line start at or after `from`.
    std::uint64_t next_line_start(std::uint64_t from, std::string& buffer) const {
        if (from == 0) {
            return 0;
        }
        std::uint64_t at = from - 1;
        while (at < m_end) {
            const std::size_t size =
                static_cast<std::size_t>(std::min<std::uint64_t>(16u << 10, m_end - at));
            read(at, size, buffer);
            if (const void* newline = std::memchr(buffer.data(), '\n', size)) {
                return at +
                       static_cast<std::uint64_t>(static_cast<const char*>(newline) -
                                                  buffer.data()) +
                       1;
            }
            at += size;
        }
        return m_end;
    }

    // The offset of the first line whose id is >= `id` (end() when none), by bisection: ids
    // increase through the file, so a few reads find it however long the file is.
    std::uint64_t lower_bound(std::uint64_t id) const {
        std::string buffer;
        std::uint64_t low = 0;
        std::uint64_t high = m_end;
        std::uint64_t result = m_end;
        while (high - low > k_bisect_window) {
            const std::uint64_t middle = low + (high - low) / 2;
            const std::uint64_t start = next_line_start(middle, buffer);
            if (start >= high) {
                high = middle;
                continue;
            }
            const std::optional<std::uint64_t> found = line_id(line_at(start, buffer));
            if (!found) {
                break; // not a line blandhook wrote: read the rest of the span through
            }
            if (*found >= id) {
                result = start;
                high = start;
            } else {
                low = start;
            }
        }
        for (std::uint64_t at = low; at < high;) {
            const std::string_view line = line_at(at, buffer);
            const std::optional<std::uint64_t> found = line_id(line);
            if (found && *found >= id) {
                return at;
            }
            at += line.size() + 1;
        }
        return result;
    }

    // Regions of whole lines (each ending in '\n') of [from, to), oldest first.
    bool forward(std::uint64_t from, std::uint64_t to, const Regions& each) const {
        std::string buffer;
        std::size_t chunk = k_first_chunk;
        for (std::uint64_t at = from; at < to;) {
            const std::size_t size =
                static_cast<std::size_t>(std::min<std::uint64_t>(chunk, to - at));
            read(at, size, buffer);
            std::size_t whole = size;
            if (at + size < to) {
                const void* last = ::memrchr(buffer.data(), '\n', size);
                if (last == nullptr) {
                    chunk *= 2; // a line longer than the buffer
                    continue;
                }
                whole =
                    static_cast<std::size_t>(static_cast<const char*>(last) - buffer.data()) + 1;
            }
            if (!each(std::string_view(buffer.data(), whole), at)) {
                return false;
            }
            at += whole;
            chunk = std::max(chunk, std::min(chunk * 2, k_chunk));
        }
        return true;
    }

    // Regions of whole lines of [0, to), newest region first (lines within a region in order).
    bool backward(std::uint64_t to, const Regions& each) const {
        std::string buffer;
        std::size_t chunk = k_first_chunk;
        for (std::uint64_t at = to; at > 0;) {
            const auto size = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, at));
            const std::uint64_t start = at - size;
            read(start, size, buffer);
            std::size_t first = 0;
            if (start > 0) {
                const void* newline = std::memchr(buffer.data(), '\n', size);
                first = newline == nullptr
                            ? size
                            : static_cast<std::size_t>(static_cast<const char*>(newline) -
                                                       buffer.data()) +
                                  1;
                if (first >= size) {
                    chunk *= 2; // no whole line in the window: a line longer than it
                    continue;
                }
            }
            if (first < size &&
                !each(std::string_view(buffer.data() + first, size - first), start + first)) {
                return false;
            }
            at = start + first;
            chunk = std::max(chunk, std::min(chunk * 2, k_chunk));
        }
        return true;
    }

private:
    std::string m_path;
    int m_fd = -1;
    std::uint64_t m_end = 0;
};

// Regions of whole lines of a gzip segment, oldest first (a torn end is left out).
bool gzip_forward(const std::string& path, const Regions& each) {
    gzFile file = ::gzopen(path.c_str(), "rb");
    if (file == nullptr) {
        if (errno == ENOENT) {
            return true;
        }
        throw read_error(path, std::strerror(errno));
    }
    ::gzbuffer(file, 256u << 10);
    std::string buffer(k_first_chunk, '\0');
    std::size_t held = 0;
    std::uint64_t offset = 0;
    bool go_on = true;
    while (go_on) {
        if (held == buffer.size()) {
            buffer.resize(buffer.size() * 2); // a line longer than the buffer
        }
        const int n =
            ::gzread(file, buffer.data() + held, static_cast<unsigned>(buffer.size() - held));
        if (n < 0) {
            int code = 0;
            const std::string why = ::gzerror(file, &code);
            ::gzclose(file);
            throw read_error(path, why);
        }
        if (n == 0) {
            break;
        }
        held += static_cast<std::size_t>(n);
        const void* last = ::memrchr(buffer.data(), '\n', held);
        if (last == nullptr) {
            continue;
        }
        const std::size_t whole =
            static_cast<std::size_t>(static_cast<const char*>(last) - buffer.data()) + 1;
        go_on = each(std::string_view(buffer.data(), whole), offset);
        offset += whole;
        if (buffer.size() < k_chunk) {
            buffer.resize(buffer.size() * 2);
        }
        std::memmove(buffer.data(), buffer.data() + whole, held - whole);
        held -= whole;
    }
    ::gzclose(file);
    return go_on;
}

// The first line of a region (without its newline).
std::string_view first_line(std::string_view region) {
    return region.substr(0, region.find('\n'));
}
// The last line of a region of whole lines (without its newline).
std::string_view last_line(std::string_view region) {
    region.remove_suffix(1);
    const std::size_t newline = region.rfind('\n');
    return newline == std::string_view::npos ? region : region.substr(newline + 1);
}

// The segment as it is now: a rotated segment compressed since the file list was read is read
// from its .gz (the plain file is removed only once the .gz is complete).
Segment current(const Segment& segment) {
    if (segment.compressed || segment.number == 0 || ::access(segment.path.c_str(), F_OK) == 0) {
        return segment;
    }
    Segment compressed = segment;
    compressed.path += ".gz";
    compressed.compressed = true;
    return compressed;
}

// Calls `each` with the lines of a region of whole lines, newest first, until it returns false.
template <typename Each> bool lines_backward(std::string_view region, Each each) {
    for (std::size_t end = region.size(); end > 0;) {
        const std::size_t newline = end - 1; // region[newline] == '\n'
        const std::size_t previous =
            newline == 0 ? std::string_view::npos : region.rfind('\n', newline - 1);
        const std::size_t start = previous == std::string_view::npos ? 0 : previous + 1;
        if (!each(region.substr(start, newline - start))) {
            return false;
        }
        end = start;
    }
    return true;
}

} // namespace

std::uint64_t complete_end(int fd, std::uint64_t size) {
    std::string buffer;
    std::uint64_t at = size;
    while (at > 0) {
        const std::size_t window = static_cast<std::size_t>(std::min<std::uint64_t>(64u << 10, at));
        buffer.resize(window);
        const ssize_t n = ::pread(fd, buffer.data(), window, static_cast<off_t>(at - window));
        if (std::cmp_not_equal(n, window)) {
            return 0;
        }
        if (const void* newline = ::memrchr(buffer.data(), '\n', window)) {
            return at - window +
                   static_cast<std::uint64_t>(static_cast<const char*>(newline) - buffer.data()) +
                   1;
        }
        at -= window;
    }
    return 0;
}

bool read_segment(const Segment& segment, const Regions& each) {
    if (segment.compressed) {
        return gzip_forward(segment.path, each);
    }
    PlainFile file(segment.path);
    return file.forward(0, file.end(), each);
}

History::History(std::string log_path)
    : m_path(std::move(log_path)), m_segments(list_segments(m_path)),
      m_first_ids(m_segments.size()) {}

std::optional<Capture> History::parse(std::string_view line, std::size_t segment,
                                      std::uint64_t offset) const {
    try {
        return from_json_line(line);
    } catch (const Error& error) {
        if (m_on_bad_line) {
            m_on_bad_line(m_segments[segment].path + " at byte " + std::to_string(offset),
                          error.detail());
        }
        return std::nullopt;
    }
}

std::optional<std::uint64_t> History::segment_first_id(std::size_t index) const {
    if (const auto& cached = m_first_ids[index]; cached.has_value()) {
        return *cached;
    }
    std::optional<std::uint64_t> found;
    const Regions first = [&](std::string_view region, std::uint64_t) {
        found = line_id(first_line(region));
        return false;
    };
    const Segment segment = current(m_segments[index]);
    if (segment.compressed) {
        gzip_forward(segment.path, first);
    } else {
        PlainFile file(segment.path);
        std::string buffer;
        if (file.end() > 0) {
            found = line_id(file.line_at(0, buffer));
        }
    }
    m_first_ids[index] = found;
    return found;
}

std::optional<std::uint64_t> History::first_id() const {
    for (std::size_t i = 0; i < m_segments.size(); ++i) {
        if (auto id = segment_first_id(i)) {
            return id;
        }
    }
    return std::nullopt;
}

std::optional<std::uint64_t> History::last_id() const {
    for (std::size_t i = m_segments.size(); i-- > 0;) {
        std::optional<std::uint64_t> found;
        const Segment segment = current(m_segments[i]);
        // The newest line with an id in a region (a region holds whole lines).
        const auto newest_in = [&](std::string_view region) {
            return lines_backward(region, [&](std::string_view line) {
                found = line_id(line);
                return !found.has_value();
            });
        };
        if (segment.compressed) {
            std::optional<std::uint64_t> last;
            gzip_forward(segment.path, [&](std::string_view region, std::uint64_t) {
                newest_in(region);
                last = found ? found : last;
                return true;
            });
            found = last;
        } else {
            PlainFile file(segment.path);
            file.backward(file.end(), [&](std::string_view region, std::uint64_t) {
                return newest_in(region);
            });
        }
        if (found) {
            return found;
        }
    }
    return std::nullopt;
}

std::optional<Capture> History::get(std::uint64_t id) const {
    if (const std::optional<std::uint64_t> last = last_id(); !last || id > *last) {
        return std::nullopt;
    }
    // The segment holding it: the last one starting at or below it.
    std::optional<std::size_t> holder;
    for (std::size_t i = m_segments.size(); i-- > 0;) {
        const std::optional<std::uint64_t> first = segment_first_id(i);
        if (first && *first <= id) {
            holder = i;
            break;
        }
    }
    std::string buffer;
    if (holder && !current(m_segments[*holder]).compressed) {
        PlainFile file(m_segments[*holder].path);
        const std::uint64_t at = file.lower_bound(id);
        if (at < file.end()) {
            const std::string_view line = file.line_at(at, buffer);
            if (line_id(line) == id) {
                return parse(line, *holder, at);
            }
        }
    }
    // Compressed, or ids out of order (logs concatenated by hand): read the segment through.
    // With no segment starting at or below the id, only a single file can still hold it (out of
    // order); in a rotated log it is older than the oldest capture.
    if (!holder && m_segments.size() != 1) {
        return std::nullopt;
    }
    const std::size_t index = holder.value_or(0);
    const std::string pattern = "{\"id\":" + std::to_string(id) + ",";
    std::optional<Capture> found;
    read_segment(current(m_segments[index]), [&](std::string_view region, std::uint64_t offset) {
        for (std::size_t from = 0;;) {
            const std::size_t at = find_bytes(region, pattern, from);
            if (at == std::string_view::npos) {
                return true;
            }
            const std::size_t end = region.find('\n', at);
            if (at == 0 || region[at - 1] == '\n') {
                found = parse(region.substr(at, end - at), index, offset + at);
                return false;
            }
            from = end + 1;
        }
    });
    return found;
}

namespace {

// Past this region nothing older can match: the ids or the times are below the filter's bounds.
bool older_than_bounds(std::string_view region, const Filter& filter) {
    const std::string_view line = first_line(region);
    if (filter.after) {
        if (auto id = line_id(line); id && *id <= *filter.after) {
            return true;
        }
    }
    if (!filter.since.empty()) {
        const std::string_view time = line_time(line);
        return !time.empty() && time < filter.since;
    }
    return false;
}

} // namespace

std::vector<Capture> History::newest(const Filter& filter) const {
    std::vector<Capture> found;
    if (filter.limit == 0 || (filter.before && *filter.before == 0)) {
        return found;
    }
    const LineMatcher matcher(filter);
    bool done = false;
    for (std::size_t index = m_segments.size(); index-- > 0 && !done;) {
        const Segment segment = current(m_segments[index]);
        if (filter.before) {
            const std::optional<std::uint64_t> first = segment_first_id(index);
            if (first && *first >= *filter.before) {
                continue;
            }
        }
        done = segment.compressed ? newest_in_compressed(index, segment, matcher, filter, found)
                                  : newest_in_plain(index, segment, matcher, filter, found);
    }
    return found;
}

bool History::newest_in_plain(std::size_t index, const Segment& segment, const LineMatcher& matcher,
                              const Filter& filter, std::vector<Capture>& found) const {
    bool done = false;
    PlainFile file(segment.path);
    const std::uint64_t to = filter.before ? file.lower_bound(*filter.before) : file.end();
    std::vector<std::pair<std::string_view, std::size_t>> lines;
    file.backward(to, [&](std::string_view region, std::uint64_t offset) {
        lines.clear();
        matcher.each_candidate(region, [&](std::string_view line, std::size_t at) {
            lines.emplace_back(line, at);
            return true;
        });
        for (auto& line : std::views::reverse(lines)) {
            std::optional<Capture> capture = parse(line.first, index, offset + line.second);
            if (capture && matcher.matches(*capture)) {
                found.push_back(std::move(*capture));
                if (found.size() >= filter.limit) {
                    done = true;
                    return false;
                }
            }
        }
        done = older_than_bounds(region, filter);
        return !done;
    });
    return done;
}

bool History::newest_in_compressed(std::size_t index, const Segment& segment,
                                   const LineMatcher& matcher, const Filter& filter,
                                   std::vector<Capture>& found) const {
    // A compressed segment reads only forwards: keep its newest matches in a window.
    std::deque<Capture> window;
    const std::size_t room = filter.limit - found.size();
    gzip_forward(segment.path, [&](std::string_view region, std::uint64_t offset) {
        if (filter.before) {
            if (auto id = line_id(first_line(region)); id && *id >= *filter.before) {
                return false;
            }
        }
        matcher.each_candidate(region, [&](std::string_view line, std::size_t at) {
            std::optional<Capture> capture = parse(line, index, offset + at);
            if (capture && matcher.matches(*capture)) {
                window.push_back(std::move(*capture));
                if (window.size() > room) {
                    window.pop_front();
                }
            }
            return true;
        });
        return true;
    });
    for (auto& it : std::views::reverse(window)) {
        found.push_back(std::move(it));
    }
    if (found.size() >= filter.limit) {
        return true;
    }
    if (!filter.after && filter.since.empty()) {
        return false;
    }
    // Whether this segment reached below the bounds: its first line tells.
    std::string first;
    gzip_forward(segment.path, [&](std::string_view region, std::uint64_t) {
        first = std::string(first_line(region));
        return false;
    });
    first.push_back('\n');
    return older_than_bounds(first, filter);
}

void History::oldest_first(const Filter& filter, const std::function<bool(Capture&&)>& each) const {
    const LineMatcher matcher(filter);
    for (std::size_t index = 0; index < m_segments.size(); ++index) {
        const Segment segment = current(m_segments[index]);
        if (filter.after && index + 1 < m_segments.size()) {
            const std::optional<std::uint64_t> next = segment_first_id(index + 1);
            if (next && *next <= *filter.after + 1) {
                continue; // every id of this segment is at or below `after`
            }
        }
        bool stop = false;
        const Regions scan = [&](std::string_view region, std::uint64_t offset) {
            const std::string_view first = first_line(region);
            if (filter.before) {
                if (auto id = line_id(first); id && *id >= *filter.before) {
                    stop = true;
                    return false;
                }
            }
            if (!filter.until.empty()) {
                const std::string_view time = line_time(first);
                if (!time.empty() && time >= filter.until) {
                    stop = true;
                    return false;
                }
            }
            if (filter.after) {
                if (auto id = line_id(last_line(region)); id && *id <= *filter.after) {
                    return true;
                }
            }
            return matcher.each_candidate(region, [&](std::string_view line, std::size_t at) {
                std::optional<Capture> capture = parse(line, index, offset + at);
                if (capture && matcher.matches(*capture) && !each(std::move(*capture))) {
                    stop = true;
                    return false;
                }
                return true;
            });
        };
        if (segment.compressed) {
            gzip_forward(segment.path, scan);
        } else {
            PlainFile file(segment.path);
            const std::uint64_t from = filter.after ? file.lower_bound(*filter.after + 1) : 0;
            file.forward(from, file.end(), scan);
        }
        if (stop) {
            return;
        }
    }
}

std::optional<std::uint64_t> History::nth_newest_id(std::uint64_t n) const {
    if (n == 0) {
        return std::nullopt;
    }
    std::uint64_t left = n; // lines still to count back
    std::optional<std::uint64_t> found;
    for (std::size_t index = m_segments.size(); index-- > 0 && !found;) {
        const auto count_back = [&](std::string_view region) {
            return lines_backward(region, [&](std::string_view line) {
                if (--left == 0) {
                    found = line_id(line);
                    return false;
                }
                return true;
            });
        };
        const Segment segment = current(m_segments[index]);
        if (!segment.compressed) {
            PlainFile file(segment.path);
            file.backward(file.end(), [&](std::string_view region, std::uint64_t) {
                return count_back(region);
            });
            continue;
        }
        // Forwards only: count its lines, then find the one that many from its end.
        std::uint64_t lines = 0;
        gzip_forward(segment.path, [&](std::string_view region, std::uint64_t) {
            lines += static_cast<std::uint64_t>(std::count(region.begin(), region.end(), '\n'));
            return true;
        });
        if (lines < left) {
            left -= lines;
            continue;
        }
        std::uint64_t skip = lines - left;
        gzip_forward(segment.path, [&](std::string_view region, std::uint64_t) {
            for (std::size_t start = 0; start < region.size();) {
                const std::size_t end = region.find('\n', start);
                if (skip-- == 0) {
                    found = line_id(region.substr(start, end - start));
                    return false;
                }
                start = end + 1;
            }
            return true;
        });
    }
    return found;
}

void History::each_line(const std::function<bool(std::string_view, std::size_t)>& each) const {
    for (std::size_t index = 0; index < m_segments.size(); ++index) {
        bool stop = false;
        const Regions lines = [&](std::string_view region, std::uint64_t) {
            for (std::size_t start = 0; start < region.size();) {
                const std::size_t end = region.find('\n', start);
                if (!each(region.substr(start, end - start), index)) {
                    stop = true;
                    return false;
                }
                start = end + 1;
            }
            return true;
        };
        read_segment(current(m_segments[index]), lines);
        if (stop) {
            return;
        }
    }
}

} // namespace blandhook::capture
