// The live lines of `blandhook listen`: written in order on a thread of their own, and counted
// instead of queued without bound when the output does not keep up.
#include "listen/printer.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fmt/core.h>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>

using namespace blandhook;

namespace {

// Everything written to `file` from its start.
std::string contents(std::FILE* file) {
    std::rewind(file);
    std::string text;
    char buffer[4096];
    for (std::size_t n = 0; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) {
        text.append(buffer, n);
    }
    return text;
}

} // namespace

TEST_CASE("the printer writes every line in the order given, all of them by finish()") {
    std::FILE* out = std::tmpfile();
    REQUIRE(out != nullptr);
    std::string expected;
    {
        listen::Printer printer({out});
        for (int i = 0; i < 500; ++i) {
            const std::string line = fmt::format("line {}\n", i);
            printer.print(line);
            expected += line;
        }
        printer.finish();
    }
    CHECK(contents(out) == expected);
    std::fclose(out);
}

TEST_CASE("wait_written returns once the lines queued so far are in the output") {
    std::FILE* out = std::tmpfile();
    REQUIRE(out != nullptr);
    listen::Printer printer({out});
    printer.print("blandhook listening on http://127.0.0.1:4000\n");
    printer.wait_written();
    CHECK(contents(out) == "blandhook listening on http://127.0.0.1:4000\n");
    printer.finish();
    std::fclose(out);
}

TEST_CASE("lines beyond the queue's bound are counted and said, and the others stay in order") {
    // A pipe nobody reads yet: the writer blocks once the pipe is full, the queue fills up to its
    // bound of 4 KiB, and later lines are dropped. Far more than the pipe, the queue and a batch
    // hold together is printed, so some must be dropped.
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::FILE* write_end = ::fdopen(fds[1], "w");
    REQUIRE(write_end != nullptr);
    std::string read;
    const std::size_t lines = 20'000; // 20 bytes each: 400 KB against a 64 KiB pipe
    {
        listen::Printer printer({write_end, 4096});
        for (std::size_t i = 0; i < lines; ++i) {
            printer.print(fmt::format("capture {:>10}\n", i));
        }
        printer.print("the last line\n");
        std::thread reader([&] {
            char buffer[4096];
            for (ssize_t n = 0; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) {
                read.append(buffer, static_cast<std::size_t>(n));
            }
        });
        printer.finish();
        std::fclose(write_end); // the reader sees the end
        reader.join();
    }
    ::close(fds[0]);

    // Notices say how many lines are missing (one per time the output caught up again), and
    // they add up to the lines not shown; the lines shown stay in order.
    std::size_t notices = 0;
    std::size_t dropped = 0;
    std::size_t shown = 0;
    std::size_t next = 0; // the lowest number the next line shown may have
    bool in_order = true;
    std::istringstream lines_read(read);
    for (std::string line; std::getline(lines_read, line);) {
        if (line.rfind("capture ", 0) == 0) {
            const std::size_t number = std::stoul(line.substr(8));
            in_order = in_order && number >= next;
            next = number + 1;
            ++shown;
        } else if (line == "the last line") {
            ++shown;
        } else {
            ++notices;
            const std::size_t space = line.find(' ', 11);
            REQUIRE(space != std::string::npos);
            const std::size_t count = std::stoul(line.substr(11, space - 11));
            CHECK(line == fmt::format("blandhook: {} line{} not shown: the terminal could not "
                                      "keep up (the capture log has them)",
                                      count, count == 1 ? "" : "s"));
            dropped += count;
        }
    }
    CHECK(notices >= 1);
    CHECK(in_order);
    CHECK(dropped > 0);
    CHECK(shown + dropped == lines + 1);
}
