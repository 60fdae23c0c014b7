// The renamed options (docs/cli.md) under both spellings, and the built-in fixtures reachable by
// name from a directory far from the source tree: what a user running the binary observes.
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace blandhook::test;

namespace {

std::size_t lines_of(const std::string& text) {
    std::size_t count = 0;
    for (char c : text) {
        count += c == '\n' ? 1 : 0;
    }
    return count;
}

struct Spelling {
    const char* name;
    std::vector<std::string> listen;   ///< log, answer status
    std::vector<std::string> replay;   ///< expected answer status, timeout, backoffs
    std::vector<std::string> list;     ///< count, call status
    std::vector<std::string> exporter; ///< output file
};

} // namespace

TEST_CASE("renamed options work under their new names and their old spellings alike") {
    const Spelling spellings[] = {
        {"new",
         {"--log", "LOG", "--answer-status", "202"},
         {"--expect-answer-status", "202", "--delivery-timeout", "5s", "--retry-backoff", "10ms",
          "--retry-max-backoff", "20ms"},
         {"--count", "1", "--call-status", "busy"},
         {"--output", "OUT"}},
        {"old",
         {"--save", "LOG", "--status", "202"},
         {"--expect-status", "202", "--timeout", "5s", "--backoff", "10ms", "--max-backoff",
          "20ms"},
         {"--limit", "1", "--status", "busy"},
         {"--out", "OUT"}},
    };
    for (const Spelling& spelling : spellings) {
        CAPTURE(spelling.name);
        TempDir dir;
        const auto fill = [&](std::vector<std::string> args) {
            for (auto& arg : args) {
                arg = arg == "LOG" ? dir.file("c.ndjson") : arg == "OUT" ? dir.file("o.json") : arg;
            }
            return args;
        };
        std::vector<std::string> listen = {"listen", "--port", "0", "--count", "2", "-q"};
        for (const auto& arg : fill(spelling.listen)) {
            listen.push_back(arg);
        }
        auto listener = start_blandhook(listen);
        const std::string url = "http://127.0.0.1:" + std::to_string(wait_for_port(*listener));

        // The listener answers 202 (the answer status); replay accepts exactly that.
        std::vector<std::string> replay = {"replay", "completed-outbound", "error-busy", "--to",
                                           url,      "--retries",          "1"};
        for (const auto& arg : fill(spelling.replay)) {
            replay.push_back(arg);
        }
        const ProcessResult sent = run_blandhook(replay);
        CHECK(sent.exit_code == 0);
        CHECK(listener->wait() == 0);
        CHECK(lines_of(read_file(dir.file("c.ndjson"))) == 2);

        // Only the busy call is listed, and only one line.
        std::vector<std::string> list = {"captures", "list", "--log", dir.file("c.ndjson")};
        for (const auto& arg : fill(spelling.list)) {
            list.push_back(arg);
        }
        const ProcessResult listed = run_blandhook(list);
        CHECK(listed.exit_code == 0);
        CHECK(listed.out.find("#2 ") != std::string::npos);
        CHECK(listed.out.find("#1 ") == std::string::npos);

        std::vector<std::string> exporter = {"captures", "export", "2", "--log",
                                             dir.file("c.ndjson")};
        for (const auto& arg : fill(spelling.exporter)) {
            exporter.push_back(arg);
        }
        CHECK(run_blandhook(exporter).exit_code == 0);
        CHECK(read_file(dir.file("o.json")).find("\"busy\"") != std::string::npos);
    }
}

TEST_CASE("fixtures validate: --kind, and -k as its old spelling; -k means --insecure elsewhere") {
    CHECK(run_blandhook({"fixtures", "validate", "--kind", "post-call", "builtin:error-busy"})
              .exit_code == 0);
    CHECK(run_blandhook({"fixtures", "validate", "-k", "post-call", "builtin:error-busy"})
              .exit_code == 0);
    CHECK(
        run_blandhook({"fixtures", "validate", "-k", "nonsense", "builtin:error-busy"}).exit_code ==
        2);
    const ProcessResult help = run_blandhook({"fixtures", "validate", "--help"});
    CHECK(help.out.find("-k,") == std::string::npos);
}

TEST_CASE("replay and emulate print the same delivery options with the same defaults") {
    const ProcessResult replay = run_blandhook({"replay", "--help"});
    const ProcessResult emulate = run_blandhook({"emulate", "--help"});
    for (const char* line :
         {"--delivery-timeout TEXT=10s", "--retries INT=2", "--retry-backoff TEXT=1s",
          "--retry-multiplier FLOAT=2", "--retry-max-backoff TEXT=30s"}) {
        CAPTURE(line);
        CHECK(replay.out.find(line) != std::string::npos);
        CHECK(emulate.out.find(line) != std::string::npos);
    }
}

TEST_CASE("every built-in fixture is reachable by name from a directory outside the checkout") {
    TempDir elsewhere;
    ProcessOptions options;
    options.cwd = elsewhere.path();
    const ProcessResult listed = run_blandhook({"fixtures", "list", "--json"}, options);
    REQUIRE(listed.exit_code == 0);
    std::size_t fixtures = 0;
    for (std::size_t at = listed.out.find("\"name\""); at != std::string::npos;
         at = listed.out.find("\"name\"", at + 1)) {
        ++fixtures;
    }
    REQUIRE(fixtures >= 16);

    auto listener = start_blandhook({"listen", "--port", "0", "--no-log", "-q", "--count",
                                     std::to_string(fixtures + 1), "--timeout", "20s"},
                                    options);
    const std::string url = "http://127.0.0.1:" + std::to_string(wait_for_port(*listener));
    const ProcessResult sent =
        run_blandhook({"replay", "builtin:all", "builtin:error-busy", "--to", url}, options);
    CHECK(sent.exit_code == 0);
    CHECK(sent.out.find(std::to_string(fixtures + 1) + " cases") != std::string::npos);
    CHECK(listener->wait() == 0); // every one of them arrived

    const ProcessResult missing =
        run_blandhook({"replay", "builtin:no-such-thing", "--to", url}, options);
    CHECK(missing.exit_code == 5);
    CHECK(missing.out.find("no such built-in fixture") != std::string::npos);

    const ProcessResult validated = run_blandhook({"fixtures", "validate", "builtin:all"}, options);
    CHECK(validated.exit_code == 0);
    CHECK(validated.out.find(std::to_string(fixtures) + " files: 0 errors, 0 warnings") !=
          std::string::npos);
}
