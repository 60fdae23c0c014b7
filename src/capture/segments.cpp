#include "capture/segments.hpp"

#include "error.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace blandhook::capture {
namespace {

struct Split {
    std::string dir;  ///< "" for the working directory
    std::string name; ///< the file name
};

Split split(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) {
        return {"", path};
    }
    return {path.substr(0, slash + 1), path.substr(slash + 1)};
}

std::uint64_t file_size(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
}

} // namespace

std::string segment_path(const std::string& log_path, std::uint64_t number, bool compressed) {
    return log_path + "." + std::to_string(number) + (compressed ? ".gz" : "");
}

std::vector<Segment> list_segments(const std::string& log_path) {
    const Split parts = split(log_path);
    std::vector<Segment> segments;
    if (DIR* dir = ::opendir(parts.dir.empty() ? "." : parts.dir.c_str()); dir != nullptr) {
        const std::string prefix = parts.name + ".";
        while (const dirent* entry = ::readdir(dir)) {
            std::string_view name(entry->d_name);
            if (!name.starts_with(prefix)) {
                continue;
            }
            std::string_view rest = name.substr(prefix.size());
            const bool compressed = rest.ends_with(".gz");
            if (compressed) {
                rest.remove_suffix(3);
            }
            std::uint64_t number = 0;
            const auto [end, error] =
                std::from_chars(rest.data(), rest.data() + rest.size(), number);
            if (rest.empty() || error != std::errc() || end != rest.data() + rest.size() ||
                number == 0) {
                continue; // PATH.lock, PATH.3.tmp … are not segments
            }
            Segment segment;
            segment.path = parts.dir + std::string(name);
            segment.number = number;
            segment.compressed = compressed;
            segments.push_back(std::move(segment));
        }
        ::closedir(dir);
    }
    // A segment being compressed exists twice for a moment (PATH.N and PATH.N.gz): the plain one
    // is complete until it is removed, the .gz one only once renamed into place; keep the plain.
    std::ranges::sort(segments, [](const Segment& a, const Segment& b) {
        return a.number != b.number ? a.number < b.number : !a.compressed && b.compressed;
    });
    const auto repeats = std::ranges::unique(
        segments, [](const Segment& a, const Segment& b) { return a.number == b.number; });
    segments.erase(repeats.begin(), repeats.end());
    struct stat info {};
    if (::stat(log_path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
        Segment active;
        active.path = log_path;
        segments.push_back(std::move(active));
    }
    for (Segment& segment : segments) {
        segment.bytes = file_size(segment.path);
    }
    return segments;
}

std::uint64_t next_segment_number(const std::string& log_path) {
    std::uint64_t highest = 0;
    for (const Segment& segment : list_segments(log_path)) {
        highest = std::max(highest, segment.number);
    }
    return highest + 1;
}

util::UniqueFd lock_plain_segment(const std::string& plain_path) {
    for (;;) {
        util::UniqueFd fd(::open(plain_path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) {
            if (errno == ENOENT) {
                return {};
            }
            throw Error(ErrorKind::internal, "capture log",
                        "cannot open " + plain_path + ": " + std::strerror(errno));
        }
        while (::flock(fd.get(), LOCK_EX) != 0 && errno == EINTR) {
        }
        struct stat held {};
        struct stat named {};
        if (::fstat(fd.get(), &held) == 0 && ::stat(plain_path.c_str(), &named) == 0 &&
            held.st_ino == named.st_ino && held.st_dev == named.st_dev) {
            return fd;
        }
        const bool gone = errno == ENOENT;
        fd.reset();
        if (gone) {
            return {};
        }
    }
}

void compress_segment(const std::string& plain_path) {
    const std::string final_path = plain_path + ".gz";
    const std::string temporary = plain_path + ".gz.tmp";
    const auto fail = [&](const std::string& why) {
        ::unlink(temporary.c_str());
        return Error(ErrorKind::internal, "capture log",
                     "cannot compress " + plain_path + ": " + why);
    };
    // Locked until this function returns: after the plain file is gone on success.
    const util::UniqueFd in = lock_plain_segment(plain_path);
    if (!in) {
        return; // pruned before its turn came
    }
    const int out = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        throw fail(std::strerror(errno));
    }
    // gzdopen takes the descriptor over; a dup keeps ours for the fsync after gzclose.
    const int kept = ::dup(out);
    // Level 1: the capture log is JSON with long runs of repeated keys, so the fastest level
    // already shrinks a mixed log about 10x (bench/RESULTS-history.md) at several times the speed
    // of level 6.
    gzFile gz = ::gzdopen(out, "wb1");
    std::string buffer(1u << 20, '\0');
    std::string error;
    while (error.empty()) {
        const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error = std::strerror(errno);
            break;
        }
        if (n == 0) {
            break;
        }
        if (::gzwrite(gz, buffer.data(), static_cast<unsigned>(n)) != static_cast<int>(n)) {
            int code = 0;
            error = ::gzerror(gz, &code);
        }
    }
    if (::gzclose(gz) != Z_OK && error.empty()) {
        error = "write failed (disk full?)";
    }
    if (error.empty() && ::fsync(kept) != 0) {
        error = std::strerror(errno);
    }
    ::close(kept);
    if (!error.empty()) {
        throw fail(error);
    }
    if (::rename(temporary.c_str(), final_path.c_str()) != 0) {
        throw fail(std::strerror(errno));
    }
    ::unlink(plain_path.c_str());
}

} // namespace blandhook::capture
