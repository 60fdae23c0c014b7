// Bad inputs a careless user (or a script gone wrong) gives any command: a directory where a file
// goes, numbers that overflow or are NaN, zero or negative limits, URLs of the wrong kind, secrets
// given in several ways. Each gets a clear error and a documented exit code, never a crash or
// exit 70 ("a bug"), and nothing is placed, sent or written.
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <string>
#include <vector>

using namespace blandhook::test;
using namespace std::chrono_literals;

namespace {

struct Case {
    std::vector<std::string> args; ///< "{dir}" and "{file}" are replaced by scratch paths
    int exit_code;
    std::string says; ///< text stderr (or, for a report on stdout, stdout) must hold
};

// Runs each case with the scratch directory (and a file in it) substituted; a command that
// wrongly accepted its input would serve or wait, so every run has a short deadline.
void run_cases(const std::vector<Case>& cases) {
    TempDir dir;
    write_file(dir.file("body.json"), "{\"call_id\":\"c\"}");
    ProcessOptions options;
    options.unset_env = {"BLAND_WEBHOOK_SECRET", "BLAND_API_KEY", "BLAND_BASE_URL"};
    options.env["XDG_STATE_HOME"] = dir.path();
    options.timeout = 10s;
    for (const Case& the_case : cases) {
        std::vector<std::string> args;
        std::string shown;
        for (std::string arg : the_case.args) {
            for (const auto& [key, value] :
                 {std::pair<std::string, std::string>{"{dir}", dir.path()},
                  {"{file}", dir.file("body.json")}}) {
                if (auto at = arg.find(key); at != std::string::npos) {
                    arg.replace(at, key.size(), value);
                }
            }
            shown += arg + " ";
            args.push_back(arg);
        }
        CAPTURE(shown);
        const ProcessResult result = run_blandhook(args, options);
        CHECK_FALSE(result.timed_out);
        CHECK(result.exit_code == the_case.exit_code);
        // `fixtures validate` reports unreadable files in its findings on stdout, like a compiler.
        const bool report = args.at(0) == "fixtures";
        CHECK((report || result.err.find("blandhook: error: ") == 0));
        CHECK((report ? result.out : result.err).find(the_case.says) != std::string::npos);
        CHECK(result.err.find("a bug") == std::string::npos);
    }
}

const std::vector<std::string> k_listen = {"listen",  "--port", "0",         "--no-save",
                                           "--count", "1",      "--timeout", "300ms"};

std::vector<std::string> listen_with(std::vector<std::string> extra) {
    std::vector<std::string> args = k_listen;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

const std::string k_dead = "http://127.0.0.1:9/webhook";

} // namespace

TEST_CASE("a directory where a file is expected: exit 5 naming it, never exit 70") {
    run_cases({
        {{"sign", "--secret", "s", "{dir}"}, 5, "it is a directory, not a file"},
        {{"verify", "--secret", "s", "-S", "ab", "{dir}"}, 5, "it is a directory"},
        {{"fixtures", "validate", "{dir}"}, 5, "it is a directory"},
        {{"replay", "--manifest", "{dir}", "--to", k_dead}, 5, "it is a directory"},
        {{"captures", "list", "--log", "{dir}"}, 5, "it is a directory"},
        {{"captures", "show", "1", "--log", "{dir}"}, 5, "it is a directory"},
        {{"listen", "--port", "0", "--save", "{dir}", "--count", "1", "--timeout", "300ms"},
         5,
         "capture log"},
        {{"sign", "--secret-file", "{dir}", "{file}"}, 5, "--secret-file: cannot read"},
        {{"call", "--api-key-file", "{dir}", "--to", "+15555550100", "--task", "hi", "--dry-run"},
         5,
         "--api-key-file: cannot read"},
    });
}

TEST_CASE("durations that overflow or are NaN, zero or negative limits: usage errors, exit 2") {
    run_cases({
        {{"replay", "error-busy", "--to", k_dead, "--timeout", "1e308s"}, 2, "--delivery-timeout"},
        {{"replay", "error-busy", "--to", k_dead, "--timeout", "99999999999999999999"},
         2,
         "is not a duration"},
        {{"replay", "error-busy", "--to", k_dead, "--timeout", "nan"}, 2, "is not a duration"},
        {{"replay", "error-busy", "--to", k_dead, "--backoff", "-1s"}, 2, "--retry-backoff"},
        {{"replay", "error-busy", "--to", k_dead, "--phase-delay", "9999999h"},
         2,
         "30 days at most"},
        {listen_with({"--delay", "inf"}), 2, "--delay"},
        {listen_with({"--forward-timeout", "1e400s"}), 2, "--forward-timeout"},
        {{"emulate", "--port", "0", "--call-duration", "99999999999999999999s"},
         2,
         "--call-duration"},
        {{"call", "--to", "+15555550100", "--task", "hi", "--api-key", "k", "--api-url",
          "http://127.0.0.1:1", "--timeout", "nan"},
         2,
         "--timeout"},
    });
}

TEST_CASE("sizes that overflow or are zero, and --max-connections 0: usage errors, exit 2") {
    run_cases({
        {listen_with({"--max-body", "99999999999999999999999"}), 2, "--max-body"},
        {listen_with({"--max-body", "18014398509481984KiB"}), 2, "1 TiB at most"},
        {listen_with({"--max-body", "0"}), 2, "--max-body"},
        {listen_with({"--max-body", "-1"}), 2, "--max-body"},
        {listen_with({"--max-connections", "0"}), 2, "--max-connections"},
        {listen_with({"--max-connections", "-1"}), 2, "--max-connections"},
        {listen_with({"--fail-rate", "nan"}), 2, "--fail-rate"},
        {{"emulate", "--port", "0", "--retry-multiplier", "nan"}, 2, "--retry-multiplier"},
        {{"emulate", "--port", "0", "--workers", "0"}, 2, "--workers"},
        {{"emulate", "--port", "0", "--per-receiver", "-1"}, 2, "--per-receiver"},
        {{"emulate", "--port", "70000"}, 2, "--port"},
    });
}

TEST_CASE("--answer-body @DIR, a non-http URL for curl export, two sources for one secret: "
          "usage errors, exit 2") {
    run_cases({
        {listen_with({"--answer-body", "@{dir}"}), 2, "--answer-body: cannot read"},
        {{"captures", "export", "1", "--as", "curl", "--url", "ftp://example.com/x"},
         2,
         "--url: 'ftp://example.com/x' is not a valid URL"},
        {{"captures", "export", "1", "--as", "curl", "--url", "localhost:3000"}, 2, "--url"},
        {{"sign", "--secret", "s", "--secret-file", "{file}", "{file}"}, 2, "not both"},
        {{"sign", "--secret-file", "-", "-"}, 2, "stdin cannot hold both"},
    });
}
