// `blandhook replay` run as a user runs it, against real handlers on 127.0.0.1: what arrives on
// the wire, what the reports say, which exit code comes back.
#include "capture/capture.hpp"
#include "http_test_server.hpp"
#include "payload/fixtures.hpp"
#include "payload/json.hpp"
#include "payload/signature.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fmt/core.h>
#include <mutex>
#include <regex>
#include <thread>

using namespace blandhook;
using namespace blandhook::test;

namespace {

const std::string k_secret = "whsec_test";

struct Received {
    std::string method;
    std::string path;
    std::string body;
    std::string signature;
    std::string user_agent;
    std::string content_type;
};

// A handler that records what arrives and answers through `answer`.
class Handler {
public:
    using Answer = std::function<void(const httplib::Request&, httplib::Response&, int call)>;
    explicit Handler(Answer answer) : m_answer(std::move(answer)) {
        auto handle = [this](const httplib::Request& request, httplib::Response& response) {
            int call = 0;
            {
                std::lock_guard lock(m_mutex);
                m_received.push_back({request.method, request.path, request.body,
                                      request.get_header_value("X-Webhook-Signature"),
                                      request.get_header_value("User-Agent"),
                                      request.get_header_value("Content-Type")});
                call = static_cast<int>(m_received.size());
            }
            m_answer(request, response, call);
        };
        m_server.server().Post(".*", handle);
        m_server.server().Put(".*", handle);
        m_server.start();
    }
    std::string url(const std::string& path = "/webhook") const { return m_server.url(path); }
    std::vector<Received> received() {
        std::lock_guard lock(m_mutex);
        return m_received;
    }

private:
    Answer m_answer;
    LoopbackServer<> m_server;
    std::mutex m_mutex;
    std::vector<Received> m_received;
};

// Verifies the signature over the raw body, as a careful receiver does.
void raw_verifier(const httplib::Request& request, httplib::Response& response, int) {
    bool ok = payload::signature_matches(k_secret, request.body,
                                         request.get_header_value("X-Webhook-Signature"));
    response.status = ok ? 200 : 401;
    response.set_content(ok ? "{\"stored\":true}" : "{\"error\":\"bad signature\"}",
                         "application/json");
}

// Verifies over JSON.stringify(JSON.parse(body)), as Bland's own example does.
void reserialising_verifier(const httplib::Request& request, httplib::Response& response, int) {
    std::string again = payload::canonical_json(std::string_view(request.body));
    bool ok = payload::signature_matches(k_secret, again,
                                         request.get_header_value("X-Webhook-Signature"));
    response.status = ok ? 200 : 401;
}

ProcessResult replay(std::vector<std::string> args) {
    args.insert(args.begin(), "replay");
    ProcessOptions options;
    options.unset_env = {"BLAND_WEBHOOK_SECRET"};
    options.timeout = std::chrono::seconds(60);
    return run_blandhook(args, options);
}

nlohmann::json read_json(const std::string& path) {
    return nlohmann::json::parse(read_file(path));
}

std::string fixture(const std::string& name) {
    return source_dir() + "/fixtures/" + name + ".json";
}

// Capture number `i` (1 to 9) of a log: received `i` seconds after 10:00, sent to /hooks/i.
capture::Capture numbered_capture(int i, std::string method, std::string body) {
    capture::Capture capture;
    capture.id = static_cast<std::uint64_t>(i);
    capture.received_at = "2026-11-27T10:00:0" + std::to_string(i) + ".000Z";
    capture.method = std::move(method);
    capture.path = "/hooks/" + std::to_string(i);
    capture.body = std::move(body);
    return capture;
}

} // namespace

TEST_CASE("a fixture arrives as canonical compact JSON signed over exactly the bytes sent") {
    Handler handler(raw_verifier);
    auto result = replay({fixture("error-busy"), "--to", handler.url(), "--secret", k_secret});
    CHECK(result.exit_code == 0);
    auto received = handler.received();
    REQUIRE(received.size() == 1);
    const std::string file = read_file(fixture("error-busy"));
    CHECK(received[0].body == payload::canonical_json(std::string_view(file)));
    CHECK(received[0].signature == payload::sign(k_secret, received[0].body));
    CHECK(received[0].path == "/webhook");
    CHECK(received[0].content_type == "application/json");
    CHECK(received[0].user_agent == std::string("blandhook/") + BLANDHOOK_VERSION);
    CHECK(result.out.find("1 passed") != std::string::npos);
}

TEST_CASE("--raw sends the file's bytes as they are, signed over those; the secret may come "
          "from BLAND_WEBHOOK_SECRET") {
    Handler handler(raw_verifier);
    ProcessOptions options;
    options.env = {{"BLAND_WEBHOOK_SECRET", k_secret}};
    auto result =
        run_blandhook({"replay", fixture("error-busy"), "--to", handler.url(), "--raw"}, options);
    CHECK(result.exit_code == 0);
    auto received = handler.received();
    REQUIRE(received.size() == 1);
    CHECK(received[0].body == read_file(fixture("error-busy")));
    CHECK(received[0].signature == payload::sign(k_secret, received[0].body));
}

TEST_CASE("signature-variants: a raw-verifying handler accepts all four, a re-serialising one is "
          "caught and named") {
    Handler good(raw_verifier);
    Handler bad(reserialising_verifier);
    TempDir dir;
    auto passed = replay({"completed-outbound", "--to", good.url(), "--secret", k_secret,
                          "--scenario", "signature-variants"});
    CHECK(passed.exit_code == 0);
    CHECK(good.received().size() == 4);

    auto caught =
        replay({"completed-outbound", "--to", bad.url(), "--secret", k_secret, "--scenario",
                "signature-variants", "--report", "json:" + dir.file("r.json")});
    CHECK(caught.exit_code == 1);
    CHECK(caught.out.find("re-serialises the body") != std::string::npos);
    auto report = read_json(dir.file("r.json"));
    REQUIRE(report["cases"].size() == 1);
    const auto& the_case = report["cases"][0];
    CHECK(the_case["outcome"] == "failed");
    CHECK(the_case["message"].get<std::string>().find("re-serialises") != std::string::npos);
    std::map<std::string, int> statuses;
    for (const auto& delivery : the_case["deliveries"]) {
        statuses[delivery["label"]] = delivery["attempts"].back()["status"];
    }
    CHECK(statuses["compact"] == 200);
    CHECK(statuses["pretty"] == 401);
    CHECK(statuses["u-escaped"] == 401);
}

TEST_CASE("bad-signature and no-signature must be refused; a handler that accepts them fails") {
    Handler strict(raw_verifier);
    Handler lax(
        [](const httplib::Request&, httplib::Response& response, int) { response.status = 200; });
    auto refused = replay({"error-busy", "--to", strict.url(), "--secret", k_secret, "--scenario",
                           "bad-signature", "--scenario", "no-signature"});
    CHECK(refused.exit_code == 0);
    CHECK(refused.out.find("2 passed") != std::string::npos);

    auto accepted = replay({"error-busy", "--to", lax.url(), "--secret", k_secret, "--scenario",
                            "bad-signature", "--scenario", "no-signature"});
    CHECK(accepted.exit_code == 1);
    CHECK(accepted.out.find("does not verify X-Webhook-Signature") != std::string::npos);
    CHECK(accepted.out.find("accepts unsigned requests") != std::string::npos);
    auto received = lax.received();
    REQUIRE(received.size() == 2);
    CHECK(received[0].signature.size() == 64);
    CHECK(received[0].signature != payload::sign(k_secret, received[0].body));
    CHECK(received[1].signature.empty());
}

TEST_CASE("two-phase with fresh ids: both phases share one new call_id, each repeat gets another") {
    Handler handler(raw_verifier);
    auto result = replay({"completed-outbound", "--to", handler.url(), "--secret", k_secret,
                          "--scenario", "two-phase", "--fresh-ids", "--repeat", "2"});
    CHECK(result.exit_code == 0);
    auto received = handler.received();
    REQUIRE(received.size() == 4);
    std::vector<nlohmann::json> bodies;
    for (const auto& r : received) {
        bodies.push_back(nlohmann::json::parse(r.body));
    }
    auto original = nlohmann::json::parse(read_file(fixture("completed-outbound")));
    CHECK(bodies[0]["call_id"] != original["call_id"]);
    CHECK(bodies[0]["call_id"] == bodies[1]["call_id"]);
    CHECK(bodies[0]["c_id"] == bodies[0]["call_id"]);
    CHECK(bodies[0]["variables"]["call_id"] == bodies[0]["call_id"]);
    CHECK_FALSE(bodies[0].contains("citations"));
    REQUIRE(bodies[1].contains("citations"));
    CHECK(bodies[1]["citations"][0]["call_id"] == bodies[1]["call_id"]);
    CHECK(bodies[2]["call_id"] == bodies[3]["call_id"]);
    CHECK(bodies[2]["call_id"] != bodies[0]["call_id"]);
}

TEST_CASE("--set overrides fields in what is sent; a duplicate is sent twice with both answers "
          "reported") {
    Handler handler(raw_verifier);
    TempDir dir;
    auto result = replay({"error-busy", "--to", handler.url(), "--secret", k_secret, "--set",
                          "metadata.ticket_id=T-77", "--set", "/price=1.25", "--scenario",
                          "duplicate", "--report", "json:" + dir.file("r.json")});
    CHECK(result.exit_code == 0);
    auto received = handler.received();
    REQUIRE(received.size() == 2);
    CHECK(received[0].body == received[1].body);
    auto body = nlohmann::json::parse(received[0].body);
    CHECK(body["metadata"]["ticket_id"] == "T-77");
    CHECK(body["price"] == 1.25);
    auto report = read_json(dir.file("r.json"));
    REQUIRE(report["cases"][0]["deliveries"].size() == 2);
    CHECK(report["cases"][0]["deliveries"][1]["label"] == "retry");
    CHECK(report["cases"][0]["deliveries"][1]["attempts"][0]["status"] == 200);
}

TEST_CASE("500 then 200 is retried and passes; every attempt is in the report") {
    Handler handler([](const httplib::Request&, httplib::Response& response, int call) {
        response.status = call == 1 ? 500 : 200;
    });
    TempDir dir;
    auto result = replay({"error-busy", "--to", handler.url(), "--retries", "3", "--backoff",
                          "20ms", "--report", "json:" + dir.file("r.json")});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("attempt 1: 500") != std::string::npos);
    CHECK(result.out.find("attempt 2 (after 0.0 s): 200") != std::string::npos);
    auto attempts = read_json(dir.file("r.json"))["cases"][0]["deliveries"][0]["attempts"];
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0]["status"] == 500);
    CHECK(attempts[1]["status"] == 200);
    CHECK(attempts[1]["waited_ms"].get<int>() >= 16);
    CHECK(attempts[1]["waited_ms"].get<int>() <= 24);
}

TEST_CASE("429 with Retry-After waits as asked; a 404 is final and fails the expectation") {
    Handler handler([](const httplib::Request& request, httplib::Response& response, int call) {
        if (request.path == "/gone") {
            response.status = 404;
        } else if (call == 1) {
            response.status = 429;
            response.set_header("Retry-After", "1");
        } else {
            response.status = 200;
        }
    });
    TempDir dir;
    auto result = replay({"error-busy", "--to", handler.url(), "--retries", "2", "--backoff",
                          "10ms", "--report", "json:" + dir.file("r.json")});
    CHECK(result.exit_code == 0);
    auto attempts = read_json(dir.file("r.json"))["cases"][0]["deliveries"][0]["attempts"];
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0]["status"] == 429);
    CHECK(attempts[1]["waited_ms"] == 1000);

    auto gone = replay({"error-busy", "--to", handler.url("/gone"), "--retries", "2", "--report",
                        "json:" + dir.file("g.json")});
    CHECK(gone.exit_code == 1);
    CHECK(gone.out.find("answered 404, expected 2xx") != std::string::npos);
    CHECK(read_json(dir.file("g.json"))["cases"][0]["deliveries"][0]["attempts"].size() == 1);
}

TEST_CASE("a handler resetting connections: named, exit 3, the JUnit report still written") {
    ResettingServer target;
    TempDir dir;
    auto result = replay({"error-busy", "--to", target.url("/webhook"), "--retries", "1",
                          "--backoff", "10ms", "--report", "junit:" + dir.file("r.xml")});
    CHECK(result.exit_code == 3);
    CHECK(result.out.find("connection reset") != std::string::npos);
    std::string xml = read_file(dir.file("r.xml"));
    CHECK(xml.find("<error type=\"unreachable\"") != std::string::npos);
    CHECK(xml.find("connection reset") != std::string::npos);
    CHECK(target.accepted() >= 2);
}

TEST_CASE("a dead target: connection refused named, no case skipped silently, exit 3") {
    TempDir dir;
    std::string url = "http://127.0.0.1:" + std::to_string(dead_port()) + "/webhook";
    auto result = replay({source_dir() + "/fixtures", "--to", url, "--retries", "1", "--backoff",
                          "10ms", "--report", "json:" + dir.file("r.json")});
    CHECK(result.exit_code == 3);
    CHECK(result.out.find("connection refused") != std::string::npos);
    auto report = read_json(dir.file("r.json"));
    std::size_t fixtures = payload::builtin_fixtures().size();
    CHECK(report["cases"].size() == fixtures);
    CHECK(report["summary"]["unreachable"] == fixtures);
    for (const auto& the_case : report["cases"]) {
        CHECK(the_case["outcome"] == "unreachable");
    }
}

TEST_CASE("an unreadable input is an error case naming it; the rest is still delivered") {
    Handler handler(raw_verifier);
    TempDir dir;
    write_file(dir.file("broken.json"), "{\"call_id\": ");
    write_file(dir.file("ok.json"), read_file(fixture("error-busy")));
    write_file(dir.file("notes.txt"), "not a fixture");
    auto result = replay({dir.path(), "no-such-fixture", "--to", handler.url(), "--secret",
                          k_secret, "--report", "junit:" + dir.file("r.xml")});
    CHECK(result.exit_code == 5);
    CHECK(result.out.find("broken.json") != std::string::npos);
    CHECK(result.out.find("not JSON") != std::string::npos);
    CHECK(result.out.find("no-such-fixture") != std::string::npos);
    CHECK(result.err.find("notes.txt") != std::string::npos); // skipped, and said so
    CHECK(handler.received().size() == 1);
    std::string xml = read_file(dir.file("r.xml"));
    CHECK(xml.find("<error type=\"input\"") != std::string::npos);
    CHECK(xml.find("tests=\"3\"") != std::string::npos);
}

TEST_CASE("-j 4 with --repeat keeps the report in input order") {
    Handler handler(raw_verifier);
    TempDir dir;
    auto result =
        replay({"error-busy", "voicemail", "--to", handler.url(), "--secret", k_secret, "--repeat",
                "10", "-j", "4", "--quiet", "--report", "json:" + dir.file("r.json")});
    CHECK(result.exit_code == 0);
    auto cases = read_json(dir.file("r.json"))["cases"];
    REQUIRE(cases.size() == 20);
    for (int i = 0; i < 20; ++i) {
        std::string expected =
            std::string(i < 10 ? "error-busy" : "voicemail") + " #" + std::to_string(i % 10 + 1);
        CHECK(cases[i]["name"] == expected);
    }
    CHECK(handler.received().size() == 20);
}

TEST_CASE("a capture log is replayed with each capture's method, path and exact bytes") {
    Handler handler(raw_verifier);
    TempDir dir;
    std::string log;
    for (int i = 1; i <= 3; ++i) {
        capture::Capture capture = numbered_capture(
            i, i == 3 ? "PUT" : "POST", "{ \"call_id\" : \"c" + std::to_string(i) + "\" }");
        capture.headers = {{"Content-Type", "application/json"},
                           {"X-Webhook-Signature", payload::sign(k_secret, capture.body)}};
        log += capture::to_json_line(capture) + "\n";
    }
    log += "{\"id\": \"not a capture\"\n";
    write_file(dir.file("captures.ndjson"), log);
    auto result = replay({dir.file("captures.ndjson"), "--to", handler.url("/")});
    CHECK(result.exit_code == 5); // the malformed last line
    auto received = handler.received();
    REQUIRE(received.size() == 3);
    CHECK(received[0].path == "/hooks/1");
    CHECK(received[2].method == "PUT");
    CHECK(received[1].body == "{ \"call_id\" : \"c2\" }");
    CHECK(received[1].signature == payload::sign(k_secret, received[1].body));
    CHECK(result.out.find("captures.ndjson:4") != std::string::npos);
}

TEST_CASE("stdin is read with '-'; expectations on status and body are checked") {
    Handler handler(raw_verifier);
    ProcessOptions options;
    options.stdin_data = read_file(fixture("voicemail"));
    auto ok = run_blandhook({"replay", "-", "--to", handler.url(), "--secret", k_secret,
                             "--expect-status", "200", "--expect-body-contains", "stored"},
                            options);
    CHECK(ok.exit_code == 0);
    auto missing = run_blandhook({"replay", "-", "--to", handler.url(), "--secret", k_secret,
                                  "--expect-body-contains", "queued"},
                                 options);
    CHECK(missing.exit_code == 1);
    CHECK(missing.out.find("answer body lacks \"queued\"") != std::string::npos);
}

TEST_CASE("a manifest runs a suite: per-entry scenario, overrides and expectations") {
    Handler handler(raw_verifier);
    TempDir dir;
    std::filesystem::create_directory(dir.file("suite"));
    write_file(dir.file("suite/busy.json"), read_file(fixture("error-busy")));
    write_file(dir.file("suite/replay.json"), R"({
      "to": ")" + handler.url() + R"(",
      "cases": [
        {"name": "busy call is stored", "input": "busy.json", "set": {"metadata.run": "m1"},
         "expect": {"status": 200, "body_contains": "stored"}},
        {"input": "completed-outbound", "scenarios": ["signature-variants", "bad-signature"]}
      ]})");
    auto result = replay({"--manifest", dir.file("suite/replay.json"), "--secret", k_secret,
                          "--report", "json:" + dir.file("r.json")});
    CHECK(result.exit_code == 0);
    auto cases = read_json(dir.file("r.json"))["cases"];
    REQUIRE(cases.size() == 3);
    CHECK(cases[0]["name"].get<std::string>().rfind("busy call is stored", 0) == 0);
    CHECK(cases[1]["scenario"] == "signature-variants");
    CHECK(cases[2]["scenario"] == "bad-signature");
    auto first = nlohmann::json::parse(handler.received()[0].body);
    CHECK(first["metadata"]["run"] == "m1");
}

TEST_CASE("redirects are reported, not followed, unless --follow-redirects") {
    LoopbackServer<> target;
    target.server().Post("/old", [](const httplib::Request&, httplib::Response& response) {
        response.set_redirect("/new", 308);
    });
    target.server().Post("/new", [](const httplib::Request&, httplib::Response& response) {
        response.status = 204;
    });
    target.start();
    auto kept = replay({"error-busy", "--to", target.url("/old")});
    CHECK(kept.exit_code == 1);
    CHECK(kept.out.find("answered 308") != std::string::npos);
    auto followed = replay({"error-busy", "--to", target.url("/old"), "--follow-redirects"});
    CHECK(followed.exit_code == 0);
}

TEST_CASE("replay fixtures/ --scenario two-phase skips events and unconnected calls: reported as "
          "skipped, exit 0, table and totals agree, JUnit <skipped> (test failed before this "
          "change)") {
    Handler handler(raw_verifier);
    TempDir dir;
    auto result = replay({source_dir() + "/fixtures", "--to", handler.url(), "--secret", k_secret,
                          "--scenario", "two-phase", "--report", "junit:" + dir.file("r.xml"),
                          "--report", "json:" + dir.file("r.json")});
    INFO(result.out);
    INFO(result.err);
    CHECK(result.exit_code == 0);

    // Which fixtures apply: post-call bodies of calls that connected.
    std::size_t applies = 0;
    std::size_t all = 0;
    for (const auto& info : payload::builtin_fixtures()) {
        ++all;
        const auto body = payload::parse_json(*payload::fixture_body(info.name));
        const std::string status = body.value("status", "");
        const bool post_call =
            info.kind == payload::Kind::post_call || info.kind == payload::Kind::delayed_post_call;
        applies += post_call && status == "completed" ? 1 : 0;
    }
    REQUIRE(applies > 0);
    const std::size_t skipped = all - applies;
    CHECK(handler.received().size() == 2 * applies);
    for (const auto& received : handler.received()) {
        CHECK(received.body.find("\"status\":\"busy\"") == std::string::npos);
    }
    CHECK(result.out.find("SKIP ") != std::string::npos);
    CHECK(result.out.find("ERROR") == std::string::npos);
    CHECK(result.out.find(fmt::format("{} passed, 0 failed, 0 unreachable, 0 errors, {} skipped",
                                      applies, skipped)) != std::string::npos);
    // The summary rows (CASES PASSED FAILED SKIPPED, one per file) add up to the totals line.
    std::size_t rows = 0;
    std::size_t sums[4] = {0, 0, 0, 0};
    const std::regex row(R"(two-phase +(\d+) +(\d+) +(\d+) +(\d+) )");
    for (std::sregex_iterator it(result.out.begin(), result.out.end(), row), end; it != end; ++it) {
        ++rows;
        for (int i = 0; i < 4; ++i) {
            sums[i] += std::stoul((*it)[i + 1].str());
        }
        CHECK(std::stoul((*it)[1].str()) ==
              std::stoul((*it)[2].str()) + std::stoul((*it)[3].str()) + std::stoul((*it)[4].str()));
    }
    CHECK(rows == all);
    CHECK(sums[0] == all);
    CHECK(sums[1] == applies);
    CHECK(sums[2] == 0);
    CHECK(sums[3] == skipped);

    auto report = read_json(dir.file("r.json"));
    CHECK(report["summary"]["skipped"] == skipped);
    CHECK(report["summary"]["errors"] == 0);
    std::string xml = read_file(dir.file("r.xml"));
    std::size_t skipped_elements = 0;
    for (auto at = xml.find("<skipped message="); at != std::string::npos;
         at = xml.find("<skipped message=", at + 1)) {
        ++skipped_elements;
    }
    CHECK(skipped_elements == skipped);
    CHECK(xml.find(fmt::format("skipped=\"{}\"", skipped)) != std::string::npos);
    CHECK(xml.find("never connected (status busy)") != std::string::npos);
}

TEST_CASE("empty inputs are ERROR cases, exit 5, reports written: an empty file, an empty .json "
          "in a folder, /dev/null (read only)") {
    Handler handler(raw_verifier);
    TempDir dir;
    write_file(dir.file("empty.ndjson"), "");
    std::filesystem::create_directory(dir.file("folder"));
    write_file(dir.file("folder/empty.json"), "");
    auto result = replay({dir.file("empty.ndjson"), dir.file("folder"), "/dev/null", "--to",
                          handler.url(), "--report", "junit:" + dir.file("r.xml"), "--report",
                          "json:" + dir.file("r.json")});
    CHECK(result.exit_code == 5);
    CHECK(result.err.find("blandhook: error") == std::string::npos);
    CHECK(handler.received().empty());
    auto report = read_json(dir.file("r.json"));
    REQUIRE(report["cases"].size() == 3);
    for (const auto& the_case : report["cases"]) {
        CHECK(the_case["outcome"] == "error");
        CHECK(the_case["message"].get<std::string>().find("empty") != std::string::npos);
    }
    std::string xml = read_file(dir.file("r.xml"));
    CHECK(xml.find("tests=\"3\"") != std::string::npos);
    CHECK(xml.find("<error type=\"input\"") != std::string::npos);
}

TEST_CASE("a torn last line in a capture log (no line break) is skipped with a warning") {
    Handler handler(
        [](const httplib::Request&, httplib::Response& response, int) { response.status = 200; });
    TempDir dir;
    std::string log;
    for (int i = 1; i <= 2; ++i) {
        capture::Capture capture =
            numbered_capture(i, "POST", "{\"call_id\":\"c" + std::to_string(i) + "\"}");
        log += capture::to_json_line(capture) + "\n";
    }
    const std::string whole = log;
    log += whole.substr(0, whole.find('\n') / 2); // the listener died while writing a third line
    write_file(dir.file("captures.ndjson"), log);
    auto result = replay({dir.file("captures.ndjson"), "--to", handler.url("/"), "--report",
                          "json:" + dir.file("r.json")});
    CHECK(result.exit_code == 0);
    CHECK(handler.received().size() == 2);
    CHECK(read_json(dir.file("r.json"))["cases"].size() == 2);
    CHECK(result.err.find("captures.ndjson:3: skipped a torn last line") != std::string::npos);
}

TEST_CASE("SIGTERM ends an attempt in flight: exit 130 at once, the reports written") {
    SlowServer target(SlowServer::Mode::silent);
    TempDir dir;
    ProcessOptions options;
    options.unset_env = {"BLAND_WEBHOOK_SECRET"};
    auto child = start_blandhook({"replay", "error-busy", "voicemail", "--to", target.url("/hook"),
                                  "--timeout", "60s", "--report", "json:" + dir.file("r.json"),
                                  "--report", "junit:" + dir.file("r.xml")},
                                 options);
    for (int i = 0; i < 1000 && target.requests() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(target.requests() == 1);
    child->signal(SIGTERM);
    CHECK(child->wait(std::chrono::seconds(10)) == 130);
    auto report = read_json(dir.file("r.json"));
    REQUIRE(report["cases"].size() >= 1);
    CHECK(report["cases"][0]["message"].get<std::string>().find("interrupted") !=
          std::string::npos);
    CHECK(read_file(dir.file("r.xml")).find("interrupted") != std::string::npos);
    CHECK(target.requests() == 1); // no retry, no second case
}

TEST_CASE("--timeout bounds a whole attempt: a target trickling its answer is cut off, exit 3") {
    SlowServer target(SlowServer::Mode::trickle);
    ProcessOptions options;
    options.unset_env = {"BLAND_WEBHOOK_SECRET"};
    options.timeout = std::chrono::seconds(15); // the trickle lasts 20 s
    auto result = run_blandhook(
        {"replay", "error-busy", "--to", target.url("/hook"), "--timeout", "1s", "--retries", "0"},
        options);
    CHECK_FALSE(result.timed_out);
    CHECK(result.exit_code == 3);
    CHECK(result.out.find("timed out after 1 s") != std::string::npos);
}
