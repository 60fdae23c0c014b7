// The capture history as a user reaches it: `captures list` searches, `captures call`, `stats`,
// `prune`, `listen --max-log-size` rotation read back by every reader, and `replay capture:ID`.
// Logs are written with the real writer (capture::Store) or by a real listener, in a scratch
// directory; the binary is run as a user runs it.
#include "capture/capture.hpp"
#include "capture/store.hpp"
#include "integration/listen_raw_socket.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <dirent.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <string>
#include <vector>

using namespace blandhook;
using test::post_request;
using test::round_trip;

namespace {

capture::Capture webhook(const std::string& body, const std::string& time) {
    capture::Capture c;
    c.received_at = time;
    c.method = "POST";
    c.path = "/webhook";
    c.peer = "127.0.0.1:5000";
    c.headers = {{"Content-Type", "application/json"}};
    c.body = body;
    c.response_status = 200;
    capture::analyze_into(c, "");
    return c;
}

// Writes `bodies` (with their receive times) through the real writer.
void write_log(const std::string& path,
               const std::vector<std::pair<std::string, std::string>>& bodies) {
    capture::StoreOptions options;
    options.path = path;
    capture::Store store(options);
    for (const auto& [body, time] : bodies) {
        capture::Capture c = webhook(body, time);
        store.append(c);
    }
}

// Writes captures 1 to `count` through the real writer: capture i holds body(i), received at
// time(i).
template <typename Body, typename Time>
void write_numbered_log(const std::string& path, int count, Body body, Time time) {
    std::vector<std::pair<std::string, std::string>> bodies;
    for (int i = 1; i <= count; ++i) {
        bodies.emplace_back(body(i), time(i));
    }
    write_log(path, bodies);
}

std::vector<std::uint64_t> listed_ids(const test::ProcessResult& result) {
    std::vector<std::uint64_t> ids;
    std::size_t start = 0;
    while (start < result.out.size()) {
        const std::size_t end = result.out.find('\n', start);
        ids.push_back(nlohmann::json::parse(result.out.substr(start, end - start))["id"]);
        start = end + 1;
    }
    return ids;
}

std::vector<std::string> files_in(const std::string& dir) {
    std::vector<std::string> names;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (const dirent* entry = ::readdir(d)) {
            if (entry->d_name[0] != '.') {
                names.emplace_back(entry->d_name);
            }
        }
        ::closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
}

const std::string k_post_call =
    R"({"call_id":"call-a","c_id":"call-a","completed":true,"status":"completed",)"
    R"("summary":"first draft","concatenated_transcript":"assistant: Hello","variables":{"x":1}})";
const std::string k_delayed =
    R"({"call_id":"call-a","c_id":"call-a","completed":true,"status":"completed",)"
    R"("summary":"final","concatenated_transcript":"assistant: Hello","variables":{"x":1},)"
    R"("citations":[{"variable":"x"}],"corrected_transcript":"assistant: Hello."})";

} // namespace

TEST_CASE("captures list --grep, --since, --until, --kind and --call-id search the whole history "
          "and combine") {
    test::TempDir dir;
    const std::string log = dir.file("c.ndjson");
    write_numbered_log(
        log, 300,
        [](int i) -> std::string {
            if (i == 42) {
                return "{\n  \"call_id\": \"call-42\",\n  \"status\": \"Failed\"\n}"; // pretty JSON
            }
            return R"({"call_id":"call-)" + std::to_string(i) + R"(","message":"Event )" +
                   std::to_string(i) + R"("})";
        },
        [](int i) {
            return "2026-11-" + std::string(i <= 100 ? "25" : (i <= 200 ? "26" : "27")) +
                   "T10:00:00.000Z";
        });

    auto result = test::run_blandhook(
        {"captures", "list", "--log", log, "--json", "--grep", "\"status\": \"failed\""});
    CHECK(result.exit_code == 0);
    CHECK(listed_ids(result) == std::vector<std::uint64_t>{42});

    result = test::run_blandhook({"captures", "list", "--log", log, "--json", "--since",
                                  "2026-11-26", "--until", "2026-11-27", "--limit", "1000"});
    CHECK(result.exit_code == 0);
    const auto day26 = listed_ids(result);
    REQUIRE(day26.size() == 100);
    CHECK(day26.front() == 200);
    CHECK(day26.back() == 101);

    result = test::run_blandhook({"captures", "list", "--log", log, "--json", "--call-id",
                                  "call-15", "--since", "2026-11-26", "--limit", "1000"});
    CHECK(listed_ids(result) ==
          std::vector<std::uint64_t>{159, 158, 157, 156, 155, 154, 153, 152, 151, 150});

    result = test::run_blandhook(
        {"captures", "list", "--log", log, "--grep", "Event 7", "--kind", "post-call"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.empty());
    CHECK(result.err.find("no captures") != std::string::npos);

    result = test::run_blandhook({"captures", "list", "--log", log, "--since", "yesterdayish"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("blandhook: error: --since: 'yesterdayish' is neither a time nor a "
                          "duration ago") != std::string::npos);
}

TEST_CASE("captures call shows a call's captures in order and what the delayed webhook changed") {
    test::TempDir dir;
    const std::string log = dir.file("c.ndjson");
    write_log(log,
              {{R"({"call_id":"call-a","message":"Call connected"})", "2026-11-27T10:00:00.000Z"},
               {R"({"call_id":"call-b","message":"Other call"})", "2026-11-27T10:00:01.000Z"},
               {k_post_call, "2026-11-27T10:01:00.000Z"},
               {k_delayed, "2026-11-27T10:03:00.000Z"}});
    auto result = test::run_blandhook({"captures", "call", "call-a", "--log", log});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("call call-a: 3 captures") != std::string::npos);
    CHECK(result.out.find("#1     POST") < result.out.find("#3     POST"));
    CHECK(result.out.find("#2     POST") == std::string::npos);
    CHECK(result.out.find("post-call #3 -> delayed #4: 3 changes") != std::string::npos);
    CHECK(result.out.find("~ /summary: \"first draft\" -> \"final\"") != std::string::npos);
    CHECK(result.out.find("+ /citations: [{\"variable\":\"x\"}]") != std::string::npos);
    CHECK(result.out.find("+ /corrected_transcript") != std::string::npos);

    result = test::run_blandhook({"captures", "call", "call-a", "--log", log, "--json"});
    const auto story = nlohmann::json::parse(result.out);
    CHECK(story["captures"].size() == 3);
    CHECK(story["delayed_id"] == 4);
    CHECK(story["changes"][0]["pointer"] == "/summary");

    result = test::run_blandhook({"captures", "call", "call-zzz", "--log", log});
    CHECK(result.exit_code == 5);
    CHECK(result.err.find("no capture in") != std::string::npos);
}

TEST_CASE("listen --max-log-size rotates into gzipped segments; every acknowledged capture is "
          "read back across segments by list, show, stats, call and replay, ids increasing") {
    test::TempDir dir;
    const std::string log = dir.file("c.ndjson");
    auto child = test::start_blandhook(
        {"listen", "--port", "0", "--save", log, "--quiet", "--max-log-size", "4KiB"});
    const int port = test::wait_for_port(*child, "listening on http://127.0.0.1:");
    for (int i = 1; i <= 40; ++i) {
        const std::string body =
            i == 20 ? k_post_call
                    : (i == 30 ? k_delayed
                               : R"({"call_id":"call-a","message":"event )" + std::to_string(i) +
                                     R"(","pad":")" + std::string(300, 'x') + R"("})");
        REQUIRE(round_trip(port, post_request("/webhook", body)).status == 200);
    }
    child->signal(SIGTERM);
    CHECK(child->wait() == 0);

    const std::vector<std::string> files = files_in(dir.path());
    CHECK(files.size() > 3);
    CHECK(std::find(files.begin(), files.end(), "c.ndjson.1.gz") != files.end());
    CHECK(std::find(files.begin(), files.end(), "c.ndjson") != files.end());

    auto result = test::run_blandhook({"captures", "list", "--log", log, "--json", "-n", "100"});
    CHECK(result.exit_code == 0);
    std::vector<std::uint64_t> expected;
    for (std::uint64_t id = 40; id >= 1; --id) {
        expected.push_back(id);
    }
    CHECK(listed_ids(result) == expected);

    result = test::run_blandhook({"captures", "show", "1", "--log", log, "--json"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("event 1\\\"") != std::string::npos);

    result = test::run_blandhook({"captures", "stats", "--log", log, "--json"});
    const auto stats = nlohmann::json::parse(result.out);
    CHECK(stats["captures"] == 40);
    CHECK(stats["first_id"] == 1);
    CHECK(stats["last_id"] == 40);
    CHECK(stats["segments"].get<int>() == static_cast<int>(files.size()));

    result = test::run_blandhook({"captures", "call", "call-a", "--log", log});
    CHECK(result.out.find("call call-a: 40 captures") != std::string::npos);
    CHECK(result.out.find("post-call #20 -> delayed #30") != std::string::npos);

    // A listener started again on the rotated log continues the ids.
    auto again = test::start_blandhook({"listen", "--port", "0", "--save", log, "--quiet"});
    REQUIRE(round_trip(test::wait_for_port(*again, "listening on http://127.0.0.1:"),
                       post_request("/webhook", "{}"))
                .status == 200);
    again->signal(SIGTERM);
    CHECK(again->wait() == 0);
    result = test::run_blandhook({"captures", "list", "--log", log, "--json", "-n", "1"});
    CHECK(listed_ids(result) == std::vector<std::uint64_t>{41});

    // replay capture:ID reads across segments too: three deliveries to a second listener.
    const std::string target_log = dir.file("target.ndjson");
    auto target = test::start_blandhook({"listen", "--port", "0", "--save", target_log, "--quiet"});
    const std::string url =
        "http://127.0.0.1:" +
        std::to_string(test::wait_for_port(*target, "listening on http://127.0.0.1:"));
    result = test::run_blandhook(
        {"replay", "capture:2", "capture:39-40", "--log", log, "--to", url, "--quiet"});
    CHECK(result.exit_code == 0);
    target->signal(SIGTERM);
    CHECK(target->wait() == 0);
    const std::string replayed = test::read_file(target_log);
    CHECK(std::count(replayed.begin(), replayed.end(), '\n') == 3);
    CHECK(replayed.find("event 2\\\"") != std::string::npos);
    CHECK(replayed.find("event 39\\\"") != std::string::npos);

    result = test::run_blandhook({"replay", "capture:99", "--log", log, "--to", url});
    CHECK(result.exit_code != 0);
    CHECK((result.out + result.err).find("no capture 99 in") != std::string::npos);
}

TEST_CASE("captures prune --keep and --before remove the oldest captures across segments; "
          "--dry-run changes nothing") {
    test::TempDir dir;
    const std::string log = dir.file("c.ndjson");
    write_numbered_log(
        log, 30, [](int i) { return R"({"call_id":"p)" + std::to_string(i) + R"("})"; },
        [](int i) { return "2026-11-" + std::to_string(10 + i / 10) + "T10:00:00.000Z"; });
    const std::string before = test::read_file(log);

    auto result =
        test::run_blandhook({"captures", "prune", "--log", log, "--keep", "5", "--dry-run"});
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("would remove 25 captures (ids below 26)") != std::string::npos);
    CHECK(test::read_file(log) == before);

    result = test::run_blandhook({"captures", "prune", "--log", log, "--before", "2026-11-12"});
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("removed 19 captures (ids below 20)") != std::string::npos);
    result = test::run_blandhook({"captures", "list", "--log", log, "--json", "-n", "100"});
    CHECK(listed_ids(result).size() == 11);
    CHECK(listed_ids(result).back() == 20);

    result = test::run_blandhook({"captures", "prune", "--log", log, "--keep", "5"});
    CHECK(result.err.find("removed 6 captures") != std::string::npos);
    result = test::run_blandhook({"captures", "show", "25", "--log", log});
    CHECK(result.exit_code == 5);
    result = test::run_blandhook({"captures", "show", "26", "--log", log, "--json"});
    CHECK(result.exit_code == 0);

    result = test::run_blandhook({"captures", "prune", "--log", log});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("give one of --before WHEN or --keep N") != std::string::npos);
}
