#include "support/process.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <poll.h>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace blandhook::test {
namespace {

using Clock = std::chrono::steady_clock;

struct Spawned {
    int pid;
    int in_fd;
    int out_fd;
    int err_fd;
};

std::vector<std::string> build_env(const ProcessOptions& options) {
    std::map<std::string, std::string> merged;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        std::string item(*entry);
        auto eq = item.find('=');
        if (eq != std::string::npos) {
            merged[item.substr(0, eq)] = item.substr(eq + 1);
        }
    }
    for (const auto& name : options.unset_env) {
        merged.erase(name);
    }
    for (const auto& [name, value] : options.env) {
        merged[name] = value;
    }
    std::vector<std::string> out;
    for (const auto& [name, value] : merged) {
        out.push_back(name + "=" + value);
    }
    return out;
}

Spawned spawn(const std::vector<std::string>& argv, const ProcessOptions& options) {
    int in_pipe[2];
    int out_pipe[2];
    int err_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
        pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    std::vector<std::string> env = build_env(options);
    std::vector<char*> c_argv;
    for (const auto& arg : argv) {
        c_argv.push_back(const_cast<char*>(arg.c_str()));
    }
    c_argv.push_back(nullptr);
    std::vector<char*> c_env;
    for (const auto& item : env) {
        c_env.push_back(const_cast<char*>(item.c_str()));
    }
    c_env.push_back(nullptr);

    pid_t pid = fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        setpgid(0, 0);
        if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) {
            _exit(127);
        }
        execvpe(c_argv[0], c_argv.data(), c_env.data());
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
    return {pid, in_pipe[1], out_pipe[0], err_pipe[0]};
}

void write_all_and_close(int fd, const std::string& data) {
    // The child may exit without reading stdin: ignore SIGPIPE for this write.
    struct sigaction ignore {};
    struct sigaction previous {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &previous);
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = write(fd, data.data() + done, data.size() - done);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    close(fd);
    sigaction(SIGPIPE, &previous, nullptr);
}

// Drains what is readable from fd into buffer; returns false at EOF.
bool drain(int fd, std::string& buffer) {
    char chunk[65536];
    while (true) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n > 0) {
            buffer.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) {
            return false;
        }
        return errno == EAGAIN || errno == EINTR;
    }
}

int decode_status(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return -1;
}

} // namespace

std::string binary_path() {
    if (const char* override_path = std::getenv("BLANDHOOK_TEST_BINARY")) {
        return override_path;
    }
    return BLANDHOOK_BINARY;
}

std::string source_dir() {
    return BLANDHOOK_SOURCE_DIR;
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
    Spawned child = spawn(argv, options);
    write_all_and_close(child.in_fd, options.stdin_data);
    ProcessResult result;
    auto deadline = Clock::now() + options.timeout;
    bool out_open = true;
    bool err_open = true;
    while (out_open || err_open) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            kill(-child.pid, SIGKILL);
            kill(child.pid, SIGKILL);
            break;
        }
        pollfd fds[2] = {{child.out_fd, POLLIN, 0}, {child.err_fd, POLLIN, 0}};
        poll(fds, 2, static_cast<int>(std::min<long>(left.count(), 100)));
        if (out_open) {
            out_open = drain(child.out_fd, result.out);
        }
        if (err_open) {
            err_open = drain(child.err_fd, result.err);
        }
    }
    close(child.out_fd);
    close(child.err_fd);
    int status = 0;
    waitpid(child.pid, &status, 0);
    result.exit_code = decode_status(status);
    return result;
}

ProcessResult run_blandhook(const std::vector<std::string>& args, const ProcessOptions& options) {
    std::vector<std::string> argv{binary_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, options);
}

Child::Child(const std::vector<std::string>& argv, const ProcessOptions& options) {
    Spawned child = spawn(argv, options);
    write_all_and_close(child.in_fd, options.stdin_data);
    m_pid = child.pid;
    m_out_fd = child.out_fd;
    m_err_fd = child.err_fd;
}

Child::~Child() {
    if (!m_exit_code) {
        kill(m_pid, SIGKILL);
        int status = 0;
        waitpid(m_pid, &status, 0);
    }
    close(m_out_fd);
    close(m_err_fd);
}

void Child::pump(int timeout_ms) {
    pollfd fds[2] = {{m_out_fd, POLLIN, 0}, {m_err_fd, POLLIN, 0}};
    poll(fds, 2, timeout_ms);
    drain(m_out_fd, m_out);
    drain(m_err_fd, m_err);
}

std::optional<std::string> Child::wait_for_err_line(const std::string& needle,
                                                    std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        std::size_t at = m_err.find(needle);
        if (at != std::string::npos) {
            const std::size_t start = m_err.rfind('\n', at);
            const std::size_t end = m_err.find('\n', at);
            if (end != std::string::npos) {
                const std::size_t from = start == std::string::npos ? 0 : start + 1;
                return m_err.substr(from, end - from);
            }
        }
        int status = 0;
        if (!m_exit_code && waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_exit_code = decode_status(status);
        }
        if (m_exit_code || Clock::now() >= deadline) {
            return std::nullopt;
        }
        pump(20);
    }
}

std::optional<std::string> Child::wait_for_line(const std::string& needle,
                                                std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (true) {
        // Look for a complete line containing the needle after what was already consumed.
        std::size_t line_start = m_scanned;
        while (true) {
            std::size_t newline = m_out.find('\n', line_start);
            if (newline == std::string::npos) {
                break;
            }
            std::string line = m_out.substr(line_start, newline - line_start);
            line_start = newline + 1;
            m_scanned = line_start;
            if (line.find(needle) != std::string::npos) {
                return line;
            }
        }
        if (Clock::now() >= deadline) {
            return std::nullopt;
        }
        int status = 0;
        if (!m_exit_code && waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_exit_code = decode_status(status);
        }
        if (m_exit_code) {
            drain(m_out_fd, m_out);
            drain(m_err_fd, m_err);
            if (m_out.find('\n', m_scanned) == std::string::npos) {
                return std::nullopt;
            }
            continue;
        }
        pump(20);
    }
}

void Child::signal(int signal) {
    kill(m_pid, signal);
}

int Child::wait(std::chrono::milliseconds timeout) {
    if (m_exit_code) {
        return *m_exit_code;
    }
    auto deadline = Clock::now() + timeout;
    int status = 0;
    while (Clock::now() < deadline) {
        pump(20);
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_exit_code = decode_status(status);
            drain(m_out_fd, m_out);
            drain(m_err_fd, m_err);
            return *m_exit_code;
        }
    }
    kill(m_pid, SIGKILL);
    waitpid(m_pid, &status, 0);
    m_exit_code = decode_status(status);
    drain(m_out_fd, m_out);
    drain(m_err_fd, m_err);
    return *m_exit_code;
}

const std::string& Child::out() {
    drain(m_out_fd, m_out);
    return m_out;
}

const std::string& Child::err() {
    drain(m_err_fd, m_err);
    return m_err;
}

std::unique_ptr<Child> start_blandhook(const std::vector<std::string>& args,
                                       const ProcessOptions& options) {
    std::vector<std::string> argv{binary_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<Child>(argv, options);
}

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/blandhook-test-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    m_path = buffer.data();
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

void write_file(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
}

bool make_self_signed_cert(const TempDir& dir) {
    const ProcessResult made = run_process(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", dir.file("key.pem"), "-out", dir.file("cert.pem"), "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"});
    return made.exit_code == 0;
}

int wait_for_port(Child& child, const std::string& needle, std::chrono::milliseconds timeout) {
    const std::optional<std::string> line = child.wait_for_line(needle, timeout);
    REQUIRE_MESSAGE(line, "no line with \"" << needle << "\" on stdout; stderr: " << child.err());
    const int port = port_from_line(*line);
    REQUIRE_MESSAGE(port > 0, "no port in \"" << *line << "\"");
    return port;
}

int inspector_port(Child& listener) {
    const std::optional<std::string> line = listener.wait_for_err_line("inspector:");
    REQUIRE_MESSAGE(line, "no inspector: line on stderr: " << listener.err());
    const int port = port_from_line(*line);
    REQUIRE_MESSAGE(port > 0, "no port in \"" << *line << "\"");
    return port;
}

int port_from_line(const std::string& line) {
    static const std::regex pattern(R"(https?://[^/\s]+:(\d+))");
    std::smatch match;
    if (std::regex_search(line, match, pattern)) {
        return std::stoi(match[1]);
    }
    return -1;
}

} // namespace blandhook::test
