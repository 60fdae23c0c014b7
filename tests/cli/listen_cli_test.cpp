// `blandhook listen` and `blandhook captures` run as a user runs them: the readiness line, the
// terminal line, exit codes, signals, the log file, and the exports.
#include "capture/capture.hpp"
#include "integration/listen_raw_socket.hpp"
#include "payload/signature.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <sys/stat.h>
#include <thread>

using namespace blandhook;
using test::post_request;
using test::round_trip;

namespace {

const std::string k_body =
    R"({"call_id":"cli-1","c_id":"cli-1","completed":true,"status":"completed",)"
    R"("corrected_duration":"95","concatenated_transcript":"assistant: Hello \n user: Hi",)"
    R"("transcripts":[{"id":1,"user":"assistant","text":"Hello"},{"id":2,"user":"user","text":"Hi"}]})";

int ready_port(test::Child& child) {
    const auto line = child.wait_for_line("listening on http://127.0.0.1:");
    REQUIRE(line.has_value());
    return test::port_from_line(*line);
}

std::size_t count_lines(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

} // namespace

TEST_CASE("listen --count exits 0 after the matching capture and prints its line") {
    test::TempDir dir;
    auto child =
        test::start_blandhook({"listen", "--port", "0", "--save", dir.file("c.ndjson"), "--count",
                               "1", "--match", "call_id=cli-1", "--secret", "s3cret"});
    const int port = ready_port(*child);
    CHECK(round_trip(port, post_request("/x", R"({"call_id":"other"})")).status == 200);
    CHECK(round_trip(port, post_request("/webhook", k_body,
                                        "X-Webhook-Signature: " + payload::sign("s3cret", k_body) +
                                            "\r\n"))
              .status == 200);
    CHECK(child->wait() == 0);
    const std::string& out = child->out();
    CHECK(out.find("#2 POST /webhook -> 200") != std::string::npos);
    CHECK(out.find("cli-1") != std::string::npos);
    CHECK(out.find("1m35s") != std::string::npos);
    CHECK(out.find("sig valid (raw)") != std::string::npos);
    CHECK(child->err().find("2 captures") != std::string::npos);
    CHECK(count_lines(test::read_file(dir.file("c.ndjson"))) == 2);
    struct stat info {};
    REQUIRE(::stat(dir.file("c.ndjson").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("listen --timeout exits 4 when the captures did not come") {
    test::TempDir dir;
    const test::ProcessResult result = test::run_blandhook(
        {"listen", "--port", "0", "--no-save", "--count", "1", "--timeout", "300ms"});
    CHECK(result.exit_code == 4);
    CHECK(result.err.find("0 of 1 matching capture came within 300ms") != std::string::npos);
}

TEST_CASE("listen stops cleanly on SIGTERM with a summary, every answered request in the log") {
    test::TempDir dir;
    auto child = test::start_blandhook({"listen", "--port", "0", "--save", dir.file("c.ndjson")});
    const int port = ready_port(*child);
    for (int i = 0; i < 5; ++i) {
        REQUIRE(round_trip(port, post_request("/", k_body)).status == 200);
    }
    // An idle keep-alive connection must not hold the stop.
    test::RawConnection idle(port);
    idle.send(post_request("/", k_body));
    REQUIRE(idle.read_answer().status == 200);
    child->signal(SIGTERM);
    CHECK(child->wait(std::chrono::seconds(4)) == 0);
    CHECK(child->err().find("6 captures (6 post-call)") != std::string::npos);
    const std::string log = test::read_file(dir.file("c.ndjson"));
    CHECK(count_lines(log) == 6);
    CHECK(log.back() == '\n');
}

TEST_CASE("listen --json prints each capture as one log line on stdout") {
    test::TempDir dir;
    auto child =
        test::start_blandhook({"listen", "--port", "0", "--no-save", "--json", "--count", "1"});
    // The readiness line goes to stderr with --json; poll stderr for it.
    int port = 0;
    for (int i = 0; i < 200 && port == 0; ++i) {
        const std::string& err = child->err();
        if (auto at = err.find("http://127.0.0.1:"); at != std::string::npos) {
            port = test::port_from_line(err.substr(at, err.find('\n', at) - at));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }
    REQUIRE(port > 0);
    REQUIRE(round_trip(port, post_request("/j", k_body)).status == 200);
    CHECK(child->wait() == 0);
    const capture::Capture parsed = capture::from_json_line(child->out());
    CHECK(parsed.body == k_body);
    CHECK(parsed.payload.kind == "post-call");
}

TEST_CASE("listen -v --transcript shows headers, the pretty body and the conversation") {
    auto child = test::start_blandhook(
        {"listen", "--port", "0", "--no-save", "-v", "--transcript", "--count", "1"});
    const int port = ready_port(*child);
    REQUIRE(round_trip(port, post_request("/", k_body, "X-Custom: yes\r\n")).status == 200);
    CHECK(child->wait() == 0);
    const std::string& out = child->out();
    CHECK(out.find("X-Custom: yes") != std::string::npos);
    CHECK(out.find("|   \"call_id\": \"cli-1\",") != std::string::npos);
    CHECK(out.find("assistant: Hello") != std::string::npos);
    CHECK(out.find("user: Hi") != std::string::npos);
}

TEST_CASE("listen refuses bad options with exit 2 and a hint") {
    test::ProcessOptions no_secret;
    no_secret.unset_env = {"BLAND_WEBHOOK_SECRET"};
    CHECK(test::run_blandhook({"listen", "--require-signature"}, no_secret).exit_code == 2);
    CHECK(test::run_blandhook({"listen", "--respond-sequence", "500,abc"}).exit_code == 2);
    CHECK(test::run_blandhook({"listen", "--delay", "soon"}).exit_code == 2);
    const test::ProcessResult both = test::run_blandhook({"listen", "--save", "x", "--no-save"});
    CHECK(both.exit_code == 2);
    CHECK(both.err.find("blandhook: error:") != std::string::npos);
}

TEST_CASE("captures list, show and export read the log") {
    test::TempDir dir;
    const std::string log = dir.file("c.ndjson");
    {
        auto child =
            test::start_blandhook({"listen", "--port", "0", "--save", log, "--count", "2", "-q"});
        const int port = ready_port(*child);
        REQUIRE(round_trip(port, post_request("/a?q=1", k_body)).status == 200);
        REQUIRE(round_trip(port, post_request("/b", "not json at all")).status == 200);
        REQUIRE(child->wait() == 0);
    }

    const test::ProcessResult list = test::run_blandhook({"captures", "list", "--log", log});
    CHECK(list.exit_code == 0);
    REQUIRE(count_lines(list.out) == 2);
    CHECK(list.out.find("#2 POST /b") < list.out.find("#1 POST /a?q=1")); // newest first

    const test::ProcessResult show = test::run_blandhook({"captures", "show", "1", "--log", log});
    CHECK(show.exit_code == 0);
    CHECK(show.out.find("\"call_id\": \"cli-1\"") != std::string::npos);

    const test::ProcessResult missing =
        test::run_blandhook({"captures", "show", "9", "--log", log});
    CHECK(missing.exit_code == 5);

    const std::string fixture = dir.file("f.json");
    const test::ProcessResult exported = test::run_blandhook(
        {"captures", "export", "1", "--as", "fixture", "-o", fixture, "--log", log});
    CHECK(exported.exit_code == 0);
    const std::string written = test::read_file(fixture);
    CHECK(written.rfind("{\n  \"call_id\": \"cli-1\",\n", 0) == 0);
    CHECK(test::run_blandhook(
              {"captures", "export", "1", "--as", "fixture", "-o", fixture, "--log", log})
              .exit_code == 5); // no overwrite without --force
    CHECK(
        test::run_blandhook({"captures", "export", "2", "--as", "fixture", "-o", "-", "--log", log})
            .exit_code == 5); // not JSON

    // Without -o the fixture goes to stdout (`captures export 1 > my-call.json`), and nothing
    // is written beside; -O keeps the former default file name.
    test::ProcessOptions in_dir;
    in_dir.cwd = dir.path();
    const test::ProcessResult to_stdout =
        test::run_blandhook({"captures", "export", "1", "--log", log}, in_dir);
    CHECK(to_stdout.exit_code == 0);
    CHECK(to_stdout.out == written);
    CHECK(test::read_file(dir.file("capture-1.json")).empty());
    const test::ProcessResult named =
        test::run_blandhook({"captures", "export", "1", "-O", "--log", log}, in_dir);
    CHECK(named.exit_code == 0);
    CHECK(named.out.empty());
    CHECK(test::read_file(dir.file("capture-1.json")) == written);
    CHECK(
        test::run_blandhook({"captures", "export", "1", "-O", "-o", "x.json", "--log", log}, in_dir)
            .exit_code == 2);

    const test::ProcessResult curl =
        test::run_blandhook({"captures", "export", "1", "--as", "curl", "--secret", "k", "--url",
                             "http://localhost:3000", "--log", log});
    CHECK(curl.exit_code == 0);
    CHECK(curl.out.find("'http://localhost:3000/a?q=1'") != std::string::npos);
    CHECK(curl.out.find("X-Webhook-Signature: " + payload::sign("k", k_body)) != std::string::npos);
}

TEST_CASE("captures export --as curl re-sends the exact bytes, signed") {
    test::TempDir dir;
    const std::string log = dir.file("c.ndjson");
    const std::string body = "{\"call_id\":\"it's\",\n \"completed\": true}";
    {
        auto child =
            test::start_blandhook({"listen", "--port", "0", "--save", log, "--count", "1", "-q"});
        const int port = ready_port(*child);
        REQUIRE(round_trip(port, post_request("/orig", body)).status == 200);
        REQUIRE(child->wait() == 0);
    }
    const std::string log2 = dir.file("d.ndjson");
    auto target = test::start_blandhook(
        {"listen", "--port", "0", "--save", log2, "--count", "1", "-q", "--secret", "k"});
    const int port = ready_port(*target);
    const test::ProcessResult curl =
        test::run_blandhook({"captures", "export", "1", "--as", "curl", "--secret", "k", "--url",
                             "http://127.0.0.1:" + std::to_string(port), "--log", log});
    REQUIRE(curl.exit_code == 0);
    const test::ProcessResult sent = test::run_process({"sh", "-c", curl.out});
    CHECK(sent.exit_code == 0);
    CHECK(target->wait() == 0);
    const capture::Capture resent = capture::from_json_line(test::read_file(log2));
    CHECK(resent.body == body);
    CHECK(resent.path == "/orig");
    CHECK(resent.payload.signature == "valid-raw");
}
