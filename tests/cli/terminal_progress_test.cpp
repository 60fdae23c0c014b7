// Progress on a terminal: `blandhook replay` run inside a real pseudo-terminal (forkpty), the
// bytes it writes there checked as a terminal would receive them.
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace blandhook::test;

namespace {

struct PtyRun {
    std::string bytes; ///< stdout and stderr as they reached the terminal
    int exit_code = -1;
};

// Runs the blandhook binary with `args` on a pseudo-terminal `columns` wide, reading until it
// exits (killed after 30 s).
PtyRun run_on_terminal(const std::vector<std::string>& args, unsigned short columns) {
    winsize size{};
    size.ws_row = 40;
    size.ws_col = columns;
    int master = -1;
    const pid_t pid = forkpty(&master, nullptr, nullptr, &size);
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::vector<std::string> argv = {binary_path()};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<char*> raw;
        for (auto& arg : argv) {
            raw.push_back(arg.data());
        }
        raw.push_back(nullptr);
        setenv("NO_COLOR", "1", 1);
        unsetenv("COLUMNS");
        unsetenv("BLAND_WEBHOOK_SECRET");
        execv(raw[0], raw.data());
        _exit(127);
    }
    PtyRun run;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    char buffer[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd fd{master, POLLIN, 0};
        if (poll(&fd, 1, 200) <= 0) {
            continue;
        }
        const ssize_t n = read(master, buffer, sizeof buffer);
        if (n <= 0) {
            break; // EIO once the child and its terminal are gone
        }
        run.bytes.append(buffer, static_cast<std::size_t>(n));
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    close(master);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return run;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

} // namespace

TEST_CASE("replay on a terminal draws a progress bar in place with done/total, rate and ETA, "
          "clears it before each case line, and -q draws none") {
    // Answers are slowed down so that the run lasts long enough for the bar to be drawn.
    auto listener = start_blandhook({"listen", "--port", "0", "--no-save", "--quiet", "--delay",
                                     "10ms", "--fail-rate", "0.2", "--seed", "7"});
    const std::string to =
        "http://127.0.0.1:" + std::to_string(wait_for_port(*listener, "listening on")) + "/webhook";

    const PtyRun run = run_on_terminal(
        {"replay", "completed-outbound", "--repeat", "80", "--retries", "0", "--to", to}, 70);
    CHECK(run.exit_code == 1); // --fail-rate failed some cases
    const std::string bar = "\r\x1b[K[";
    REQUIRE(run.bytes.find(bar) != std::string::npos);
    // Each drawing of the bar: up to the next "\r" (redrawn or cleared in place), never a line
    // break, and never wider than the terminal less one column.
    for (auto at = run.bytes.find(bar); at != std::string::npos; at = run.bytes.find(bar, at + 1)) {
        const std::string drawn = run.bytes.substr(at + 4, run.bytes.find('\r', at + 1) - (at + 4));
        CAPTURE(drawn);
        CHECK(drawn.find('\n') == std::string::npos);
        CHECK(drawn.find("/80 ") != std::string::npos);
        CHECK(drawn.find('%') != std::string::npos);
        CHECK(drawn.find("/s") != std::string::npos);
        std::size_t columns = 0;
        for (unsigned char c : drawn) {
            columns += (c & 0xc0) != 0x80 ? 1 : 0;
        }
        CHECK(columns <= 69);
    }
    CHECK(run.bytes.find("ETA ") != std::string::npos);
    CHECK(run.bytes.find(" failed  ") != std::string::npos);
    // Every case line starts on a clean line: after a line break or after the bar was cleared.
    for (const std::string mark : {"PASS ", "FAIL "}) {
        for (auto at = run.bytes.find(mark); at != std::string::npos;
             at = run.bytes.find(mark, at + 1)) {
            const bool after_newline = at > 0 && run.bytes[at - 1] == '\n';
            const bool after_clear = at >= 4 && run.bytes.compare(at - 4, 4, "\r\x1b[K") == 0;
            CHECK((after_newline || after_clear));
        }
    }
    // Past the first screenful only failures are listed.
    CHECK(count(run.bytes, "PASS ") == 40);
    CHECK(run.bytes.find("more passing cases are counted in the summary") != std::string::npos);

    const PtyRun quiet = run_on_terminal(
        {"replay", "completed-outbound", "--repeat", "80", "--retries", "0", "--to", to, "-q"}, 70);
    CHECK(quiet.exit_code == 1);
    CHECK(quiet.bytes.find("\x1b[K") == std::string::npos);
    CHECK(quiet.bytes.find("done") == std::string::npos);
    CHECK(quiet.bytes.find("FAIL ") != std::string::npos); // failures still listed
}
