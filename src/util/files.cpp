#include "util/files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace blandhook::util {
namespace {

// Reads `fd` to its end; "" or the reason it failed.
std::string drain(int fd, std::string& out) {
    char buffer[65536];
    while (true) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return std::strerror(errno);
        }
        if (n == 0) {
            return {};
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
}

} // namespace

std::string input_name(const std::string& path) {
    return path == "-" ? "stdin" : path;
}

std::optional<std::string> read_whole_file(const std::string& path, std::string& out) {
    out.clear();
    if (path == "-") {
        std::string error = drain(STDIN_FILENO, out);
        return error.empty() ? std::nullopt : std::optional<std::string>(error);
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return std::string(std::strerror(errno));
    }
    struct stat info {};
    std::string error;
    if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
        error = "it is a directory, not a file";
    } else {
        error = drain(fd, out);
    }
    ::close(fd);
    return error.empty() ? std::nullopt : std::optional<std::string>(error);
}

int read_at(int fd, std::uint64_t offset, std::size_t size, std::string& out) {
    out.resize(size);
    std::size_t done = 0;
    int error = 0;
    while (done < size) {
        const ssize_t n =
            ::pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error = n < 0 ? errno : 0;
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return error;
}

std::string read_file(const std::string& path, std::string_view what, ErrorKind kind,
                      std::string_view hint) {
    std::string body;
    if (auto error = read_whole_file(path, body)) {
        throw Error(kind, std::string(what), "cannot read " + input_name(path) + ": " + *error,
                    std::string(hint));
    }
    return body;
}

} // namespace blandhook::util
