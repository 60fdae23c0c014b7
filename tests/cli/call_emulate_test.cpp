// `blandhook call` against `blandhook emulate`, both run as a user runs them: exit codes, stdout,
// stderr, the delivery log. The emulator is the test double for Bland (no internet here).
#include "payload/json.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <csignal>
#include <filesystem>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace blandhook::test;
using blandhook::payload::Json;
using blandhook::payload::parse_json;
using namespace std::chrono_literals;

namespace {

// `blandhook emulate --port 0 …` in the background, with its URL read from the readiness line.
class Emulate {
public:
    explicit Emulate(std::vector<std::string> extra = {}, std::string duration = "100ms") {
        std::vector<std::string> args = {"emulate", "--port",    "0",          "--call-duration",
                                         duration,  "--secret",  "whsec_cli",  "--retry-backoff",
                                         "20ms",    "--api-key", "sk-test-key"};
        args.insert(args.end(), extra.begin(), extra.end());
        m_child = start_blandhook(args);
        m_url = "http://127.0.0.1:" + std::to_string(wait_for_port(*m_child, "Bland API on", 10s));
    }
    const std::string& url() const { return m_url; }
    Child& child() { return *m_child; }

private:
    std::unique_ptr<Child> m_child;
    std::string m_url;
};

ProcessResult call(const Emulate& emulate, std::vector<std::string> args,
                   std::string key = "sk-test-key") {
    std::vector<std::string> full = {"call", "--api-url", emulate.url(), "--timeout", "20s"};
    full.insert(full.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env["BLAND_API_KEY"] = key;
    options.unset_env = {"BLAND_BASE_URL", "BLAND_WEBHOOK_SECRET"};
    options.timeout = 60s;
    return run_blandhook(full, options);
}

// `blandhook listen` in the background; `hook` is its /hook URL.
struct Listener {
    std::unique_ptr<Child> child;
    std::string hook;
};

Listener start_listener(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"listen", "--port", "0", "--no-save", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    Listener listener{start_blandhook(args), ""};
    auto line = listener.child->wait_for_line("http://127.0.0.1:", 10s);
    REQUIRE(line);
    listener.hook = "http://127.0.0.1:" + std::to_string(port_from_line(*line)) + "/hook";
    return listener;
}

} // namespace

TEST_CASE("call --listen against the emulator passes every check and exits 0") {
    Emulate emulate;
    auto result = call(emulate, {"--to", "+15555550100", "--task", "Confirm", "--listen",
                                 "--secret", "whsec_cli", "--check-delivery"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("  queued ") != std::string::npos);
    CHECK(result.out.find("  completed ") != std::string::npos);
    CHECK(result.out.find("PASS  signature X-Webhook-Signature valid-raw") != std::string::npos);
    CHECK(result.out.find("PASS  schema") != std::string::npos);
    CHECK(result.out.find("PASS  status    status completed (expected completed)") !=
          std::string::npos);
    CHECK(result.out.find("PASS  delivery  Bland recorded 200") != std::string::npos);
    CHECK(result.out.find("result: pass (5 checks)") != std::string::npos);
    CHECK(result.out.find("sk-test-key") == std::string::npos);
    CHECK(result.err.find("sk-test-key") == std::string::npos);
}

TEST_CASE("a wrong signing secret is a failed check: exit 1") {
    Emulate emulate;
    auto result = call(emulate, {"--to", "+15555550100", "--task", "hi", "--listen", "--secret",
                                 "not-the-secret"});
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("FAIL  signature X-Webhook-Signature invalid") != std::string::npos);
}

TEST_CASE("every failure outcome fails the default expectation with exit 1") {
    Emulate emulate;
    const std::vector<std::pair<std::string, std::string>> outcomes = {
        {"+15555550486", "busy"},   {"+15555550404", "failed"}, {"+15555550480", "failed"},
        {"+15555550608", "failed"}, {"+15555550500", "failed"}, {"+15555550408", "no-answer"},
        {"+15555550503", ""},       {"+15555550507", ""},       {"+15555550599", ""}};
    for (const auto& [number, status] : outcomes) {
        CAPTURE(number);
        auto result = call(emulate, {"--to", number, "--task", "hi", "--listen", "--json"});
        CHECK(result.exit_code == 1);
        Json json = parse_json(result.out);
        CHECK(json["verdict"] == "fail");
        if (!status.empty()) {
            CHECK(json["webhook"]["status"] == status);
        }
    }
}

TEST_CASE("--expect-status matches the outcome asked for: exit 0") {
    Emulate emulate;
    auto busy = call(
        emulate, {"--to", "+15555550486", "--task", "hi", "--listen", "--expect-status", "busy"});
    CHECK(busy.exit_code == 0);
    auto voicemail = call(emulate, {"--to", "+15555550100", "--task", "hi", "--request-data",
                                    R"({"blandhook_scenario":"voicemail"})", "--wait"});
    CHECK(voicemail.exit_code == 0);
}

TEST_CASE("--expect-delayed passes with the delayed webhook and fails with a citations event") {
    Emulate delayed({"--delay-webhook"});
    auto pass = call(delayed, {"--to", "+15555550100", "--task", "hi", "--listen",
                               "--webhook-events", "citations", "--expect-delayed"});
    CHECK(pass.exit_code == 0);
    CHECK(pass.out.find("PASS  delayed") != std::string::npos);
    Emulate separate;
    auto fail = call(separate, {"--to", "+15555550100", "--task", "hi", "--listen",
                                "--webhook-events", "citations", "--expect-delayed"});
    CHECK(fail.exit_code == 1);
    CHECK(fail.out.find("FAIL  delayed") != std::string::npos);
}

TEST_CASE("a receiver answering 500 twice gets three attempts; call --check-delivery sees them") {
    auto listener = start_listener({"--respond-sequence", "500,500,200"});
    const std::string& hook = listener.hook;
    Emulate emulate;
    auto result = call(emulate, {"--to", "+15555550100", "--task", "hi", "--webhook", hook,
                                 "--wait", "--check-delivery", "--json"});
    CHECK(result.exit_code == 0);
    Json json = parse_json(result.out);
    REQUIRE(json["delivery_log"].is_array());
    std::vector<int> codes;
    for (const auto& attempt : json["delivery_log"]) {
        codes.push_back(attempt["response_code"].get<int>());
        CHECK(attempt["send_type"] == "spawn");
    }
    CHECK(codes == std::vector<int>{500, 500, 200});
    // The emulator's own log shows the same three attempts.
    emulate.child().wait_for_line("attempt 3 (spawn) -> 200", 5s);
    CHECK(emulate.child().out().find("attempt 1 (spawn) -> 500") != std::string::npos);
    CHECK(emulate.child().out().find("attempt 2 (spawn) -> 500") != std::string::npos);
}

TEST_CASE("API errors exit 6 with the HTTP status, Bland's message and a hint") {
    Emulate emulate;
    auto wrong_key = call(emulate, {"--to", "+15555550100", "--task", "hi"}, "sk-wrong-key");
    CHECK(wrong_key.exit_code == 6);
    CHECK(wrong_key.err.find("HTTP 401: Unauthorized (AUTH_FAILURE)") != std::string::npos);
    CHECK(wrong_key.err.find("hint: check the API key") != std::string::npos);
    CHECK(wrong_key.err.find("sk-wrong-key") == std::string::npos);

    auto limited = call(emulate, {"--to", "+15555550429", "--task", "hi"});
    CHECK(limited.exit_code == 6);
    CHECK(limited.err.find("HTTP 429: Rate limit exceeded") != std::string::npos);
    CHECK(limited.err.find("hint: rate limit") != std::string::npos);

    auto broke = call(emulate, {"--to", "+15555550402", "--task", "hi"});
    CHECK(broke.exit_code == 6);
    CHECK(broke.err.find("HTTP 402: Insufficient balance.") != std::string::npos);
}

TEST_CASE("an unreachable API exits 3") {
    ProcessOptions options;
    options.env["BLAND_API_KEY"] = "k";
    options.unset_env = {"BLAND_BASE_URL"};
    // Port 1 on loopback: nothing listens there for an unprivileged test.
    auto result = run_blandhook(
        {"call", "--api-url", "http://127.0.0.1:1", "--to", "+15555550100", "--task", "hi"},
        options);
    CHECK(result.exit_code == 3);
    CHECK(result.err.find("cannot reach http://127.0.0.1:1") != std::string::npos);
}

TEST_CASE("a call not done before --timeout exits 4, with a JUnit report of the timeout") {
    Emulate emulate({}, "60s");
    TempDir dir;
    auto result = call(emulate, {"--to", "+15555550100", "--task", "hi", "--wait", "--timeout",
                                 "1s", "--report", "junit:" + dir.file("call.xml")});
    CHECK(result.exit_code == 4);
    CHECK(result.out.find("result: timeout: the call was not done within 1s") != std::string::npos);
    std::string xml = read_file(dir.file("call.xml"));
    CHECK(xml.find(R"(<testcase classname="blandhook.call" name="timeout">)") != std::string::npos);
}

TEST_CASE("--dry-run prints the exact request with the key redacted and sends nothing") {
    ProcessOptions options;
    options.env["BLAND_API_KEY"] = "sk-live-very-secret";
    options.unset_env = {"BLAND_BASE_URL"};
    auto result =
        run_blandhook({"call", "--to", "+15551234567", "--task", "Confirm", "--metadata",
                       R"({"order":"A-17"})", "--webhook-events", "queue,call", "--dry-run"},
                      options);
    CHECK(result.exit_code == 0);
    CHECK(result.out.rfind("POST https://api.bland.ai/v1/calls\nauthorization: [redacted]\n", 0) ==
          0);
    CHECK(result.out.find("sk-live-very-secret") == std::string::npos);
    auto body = parse_json(result.out.substr(result.out.find("\n\n") + 2));
    CHECK(body == Json{{"phone_number", "+15551234567"},
                       {"task", "Confirm"},
                       {"max_duration", 2},
                       {"webhook_events", {"queue", "call"}},
                       {"metadata", {{"order", "A-17"}}}});
}

TEST_CASE("a number that is not E.164, or no task, is a usage error: exit 2") {
    auto bad_number = run_blandhook({"call", "--to", "5551234567", "--task", "hi", "--dry-run"});
    CHECK(bad_number.exit_code == 2);
    CHECK(bad_number.err.find("--to: '5551234567' is not an E.164 number") != std::string::npos);
    auto no_task = run_blandhook({"call", "--to", "+15551234567", "--dry-run"});
    CHECK(no_task.exit_code == 2);
    auto bad_event = run_blandhook(
        {"call", "--to", "+15551234567", "--task", "hi", "--webhook-events", "bogus", "--dry-run"});
    CHECK(bad_event.exit_code == 2);
}

TEST_CASE("emulate answers 401 in Bland's shape and validates like Bland") {
    Emulate emulate;
    auto unauthorized = run_process({"curl", "-s", "-m", "10", emulate.url() + "/v1/calls/x"});
    if (unauthorized.exit_code == 127) {
        return; // no curl on this machine: covered by the integration tests
    }
    CHECK(unauthorized.out ==
          R"({"data":null,"errors":[{"error":"AUTH_FAILURE","message":"Unauthorized"}]})");
}

TEST_CASE("call get prints the call details; --as fixture writes a post-call fixture that "
          "validates, leaving out what only call details carry") {
    Emulate emulate;
    auto placed = call(emulate, {"--to", "+15555550100", "--task", "hi", "--record",
                                 "--request-data", R"({"customer":"Ada"})", "--listen", "--json"});
    REQUIRE(placed.exit_code == 0);
    const std::string id = parse_json(placed.out)["call_id"].get<std::string>();

    auto details = call(emulate, {"get", id});
    CHECK(details.exit_code == 0);
    Json json = parse_json(details.out);
    CHECK(json["call_id"] == id);
    CHECK(json["completed"] == true);
    CHECK(json["request_data"] == Json{{"customer", "Ada"}});
    CHECK(details.out.find("sk-test-key") == std::string::npos);
    CHECK(details.err.find("sk-test-key") == std::string::npos);

    TempDir dir;
    const std::string file = dir.file("real.json");
    auto saved = call(emulate, {"get", id, "--as", "fixture", "-o", file});
    CHECK(saved.exit_code == 0);
    CHECK(saved.out.empty());
    CHECK(saved.err.find("left out (call details only): request_data") != std::string::npos);
    CHECK(saved.err.find("wrote " + file) != std::string::npos);
    Json fixture = parse_json(read_file(file));
    CHECK(fixture["call_id"] == id);
    CHECK_FALSE(fixture.contains("request_data"));
    CHECK(fixture["variables"]["customer"] == "Ada");
    CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::group_read) ==
          std::filesystem::perms::none);
    auto validated = run_blandhook({"fixtures", "validate", file});
    CHECK(validated.exit_code == 0);
    CHECK(validated.out == "1 file: 0 errors, 0 warnings\n");

    // Never over an existing file without --force.
    auto again = call(emulate, {"get", id, "--as", "fixture", "-o", file});
    CHECK(again.exit_code == 2);
    CHECK(again.err.find("already exists") != std::string::npos);
    CHECK(call(emulate, {"get", id, "--as", "fixture", "-o", file, "--force"}).exit_code == 0);
}

TEST_CASE("call get and call resend report API errors as call does: exit 6, key never printed") {
    Emulate emulate;
    auto unknown = call(emulate, {"get", "no-such-call"});
    CHECK(unknown.exit_code == 6);
    CHECK(unknown.err.find("blandhook: error: GET /v1/calls/no-such-call: HTTP 404") == 0);
    auto wrong_key = call(emulate, {"get", "no-such-call"}, "sk-wrong-key");
    CHECK(wrong_key.exit_code == 6);
    CHECK(wrong_key.err.find("HTTP 401") != std::string::npos);
    CHECK(wrong_key.err.find("sk-wrong-key") == std::string::npos);
    auto resend = call(emulate, {"resend", "no-such-call"});
    CHECK(resend.exit_code == 6);
    CHECK(resend.err.find("not found") != std::string::npos);
    auto bad_id = call(emulate, {"get", "../v1/calls"});
    CHECK(bad_id.exit_code == 2);
    CHECK(bad_id.err.find("is not a call id") != std::string::npos);

    ProcessOptions options;
    options.env["BLAND_API_KEY"] = "k";
    options.unset_env = {"BLAND_BASE_URL"};
    // Port 1 on loopback, as above; --api-url after the subcommand's name is `call`'s.
    auto down = run_blandhook({"call", "get", "abc", "--api-url", "http://127.0.0.1:1"}, options);
    CHECK(down.exit_code == 3);
}

TEST_CASE("call resend asks for the post-call webhook again: it arrives a second time") {
    auto listener = start_listener();
    const std::string& hook = listener.hook;
    Emulate emulate;
    auto placed = call(emulate, {"--to", "+15555550100", "--task", "hi", "--webhook", hook,
                                 "--wait", "--check-delivery", "--json"});
    REQUIRE(placed.exit_code == 0);
    const std::string id = parse_json(placed.out)["call_id"].get<std::string>();

    auto resent = call(emulate, {"resend", id});
    CHECK(resent.exit_code == 0);
    CHECK(resent.out.find("resend requested: the post-call webhook of " + id + " goes again to " +
                          hook) != std::string::npos);
    emulate.child().wait_for_line("(resend) -> 200", 10s);
    CHECK(emulate.child().out().find("attempt 1 (resend) -> 200") != std::string::npos);
}

TEST_CASE("call --report to a path that cannot be written is refused before a call is placed") {
    Emulate emulate;
    auto result = call(emulate, {"--to", "+15555550100", "--task", "hi", "--report",
                                 "junit:/nonexistent-dir/call.xml"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("--report: cannot write /nonexistent-dir/call.xml") != std::string::npos);
    CHECK(emulate.child().out().find("queued") == std::string::npos); // nothing billable placed
}

TEST_CASE("call --report is written when the API answers with an error, naming it") {
    Emulate emulate;
    TempDir dir;
    auto result =
        call(emulate,
             {"--to", "+15555550100", "--task", "hi", "--report", "junit:" + dir.file("call.xml")},
             "sk-wrong-key");
    CHECK(result.exit_code == 6);
    const std::string xml = read_file(dir.file("call.xml"));
    CHECK(xml.find(R"(<testcase classname="blandhook.call" name="api">)") != std::string::npos);
    CHECK(xml.find("HTTP 401") != std::string::npos);
    CHECK(xml.find("sk-wrong-key") == std::string::npos);
}

TEST_CASE("the API key and the webhook secret come from files, kept out of argv, on both sides") {
    TempDir dir;
    write_file(dir.file("key"), "sk-from-file\n");
    write_file(dir.file("secret"), "whsec_from_file\n");
    auto emulate =
        start_blandhook({"emulate", "--port", "0", "--call-duration", "100ms", "--api-key-file",
                         dir.file("key"), "--secret-file", dir.file("secret")});
    const std::string url =
        "http://127.0.0.1:" + std::to_string(wait_for_port(*emulate, "Bland API on", 10s));
    CHECK(emulate->wait_for_line("API key required", 5s));
    ProcessOptions options;
    options.unset_env = {"BLAND_BASE_URL", "BLAND_WEBHOOK_SECRET", "BLAND_API_KEY"};
    options.timeout = 60s;
    auto passed = run_blandhook({"call", "--api-url", url, "--api-key-file", dir.file("key"),
                                 "--secret-file", dir.file("secret"), "--to", "+15555550100",
                                 "--task", "hi", "--listen", "--timeout", "20s"},
                                options);
    CHECK(passed.exit_code == 0);
    CHECK(passed.out.find("signature") != std::string::npos);
    auto refused = run_blandhook(
        {"call", "--api-url", url, "--api-key", "sk-other", "--to", "+15555550100", "--task", "hi"},
        options);
    CHECK(refused.exit_code == 6);
}

TEST_CASE("call --listen says every few seconds which webhook it is still waiting for") {
    Emulate emulate({"--webhook-delay", "6s"});
    auto result = call(
        emulate, {"--to", "+15555550100", "--task", "hi", "--listen", "--secret", "whsec_cli"});
    CHECK(result.exit_code == 0);
    const std::string all = result.out + result.err;
    INFO(all);
    CHECK(all.find("waiting for the post-call webhook of call ") != std::string::npos);
    CHECK(all.find("/webhook (5 s so far, ") != std::string::npos);
}

TEST_CASE("emulate prints one line per finished call with a running total") {
    Emulate emulate;
    CHECK(
        call(emulate, {"--to", "+15555550100", "--task", "hi", "--listen", "--secret", "whsec_cli"})
            .exit_code == 0);
    CHECK(emulate.child().wait_for_line("ended status completed  [1 of 1 calls ended; webhooks ",
                                        10s));
    CHECK(call(emulate,
               {"--to", "+15555550486", "--task", "hi", "--listen", "--expect-status", "busy"})
              .exit_code == 0);
    CHECK(emulate.child().wait_for_line("ended status busy  [2 of 2 calls ended; webhooks ", 10s));
}

TEST_CASE("call --listen says when the emulator records a failed delivery to the listener: a "
          "listener answering 500, and one that is down") {
    auto refusing = start_listener({"--status", "500"});
    Emulate emulate({"--retries", "1"});
    auto answered_500 = call(emulate, {"--to", "+15555550100", "--task", "hi", "--listen",
                                       "--public-url", refusing.hook, "--timeout", "5s"});
    CHECK(answered_500.exit_code == 4);
    std::string all = answered_500.out + answered_500.err;
    INFO(all);
    CHECK(all.find("delivery to " + refusing.hook +
                   " failed: Bland recorded 500 (attempt 1, "
                   "spawn, sent ") != std::string::npos);
    CHECK(all.find("failed: Bland recorded 500 (attempt 2, spawn") != std::string::npos);
    CHECK(all.find("(Bland recorded 2 failed deliveries)") != std::string::npos);

    // A port nothing listens on: the attempts get no answer at all.
    std::string down_url;
    {
        auto gone = start_listener();
        down_url = gone.hook;
    }
    auto down = call(emulate, {"--to", "+15555550100", "--task", "hi", "--listen", "--public-url",
                               down_url, "--timeout", "5s"});
    CHECK(down.exit_code == 4);
    all = down.out + down.err;
    CHECK(all.find("delivery to " + down_url + " failed: Bland recorded no answer (attempt 1") !=
          std::string::npos);
}

namespace {

// `blandhook call … --timeout 5m` against `emulate` in the background: a call that lasts a minute,
// so that call is still polling (or waiting for the webhook) when the test signals it.
std::unique_ptr<Child> start_long_call(const Emulate& emulate, std::vector<std::string> extra,
                                       const std::string& report) {
    std::vector<std::string> args = {"call", "--api-url", emulate.url(),    "--timeout",
                                     "5m",   "--to",      "+15555550100",   "--task",
                                     "hi",   "--report",  "junit:" + report};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessOptions options;
    options.env["BLAND_API_KEY"] = "sk-test-key";
    options.unset_env = {"BLAND_BASE_URL", "BLAND_WEBHOOK_SECRET"};
    return start_blandhook(args, options);
}

} // namespace

TEST_CASE("SIGINT or SIGTERM while call polls the call or waits for its webhook ends it at once "
          "with exit code 130, the reason on stderr and in the report") {
    Emulate emulate({}, "60s");
    TempDir scratch;
    struct Case {
        std::vector<std::string> extra;
        int signal;
        std::string name;
    };
    for (const Case& c : {Case{{"--wait"}, SIGTERM, "SIGTERM"},
                          Case{{"--listen", "--secret", "whsec_cli"}, SIGINT, "SIGINT"}}) {
        CAPTURE(c.name);
        const std::string report = scratch.file(c.name + ".xml");
        auto child = start_long_call(emulate, c.extra, report);
        REQUIRE_MESSAGE(child->wait_for_line("queued", 10s), child->err());
        child->signal(c.signal);
        // Before: SIGTERM ended call with the default action (143 here) and no word said.
        const int code = child->wait(10s);
        CHECK(code == 130);
        CHECK(child->err().find("blandhook: error: call: interrupted by " + c.name) !=
              std::string::npos);
        CHECK(read_file(report).find("stopped by " + c.name) != std::string::npos);
    }
}

TEST_CASE("SIGINT while call waits for Bland's answer to POST /v1/calls ends the request in flight "
          "with exit code 130") {
    // An API that takes the connection and never answers: the request stays in flight for its
    // whole 30 s timeout unless the stop reaches the HTTP client.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener, 4) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));

    ProcessOptions options;
    options.env["BLAND_API_KEY"] = "sk-test-key";
    options.unset_env = {"BLAND_BASE_URL", "BLAND_WEBHOOK_SECRET"};
    auto child = start_blandhook(
        {"call", "--api-url", url, "--to", "+15555550100", "--task", "hi", "--wait"}, options);
    // The kernel completes the handshake from the backlog; give call the moment to send.
    std::this_thread::sleep_for(300ms);
    child->signal(SIGINT);
    CHECK(child->wait(10s) == 130);
    CHECK(child->err().find("blandhook: error: call: interrupted by SIGINT") != std::string::npos);
    ::close(listener);
}
