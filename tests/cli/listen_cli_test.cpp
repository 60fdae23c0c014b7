// `blandhook listen` and `blandhook captures` run as a user runs them: the readiness line, the
// terminal line, exit codes, signals, the log file, and the exports.
#include "capture/capture.hpp"
#include "integration/listen_raw_socket.hpp"
#include "payload/signature.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace blandhook;
using test::post_request;
using test::round_trip;

namespace {

const std::string k_body =
    R"({"call_id":"cli-1","c_id":"cli-1","completed":true,"status":"completed",)"
    R"("corrected_duration":"95","concatenated_transcript":"assistant: Hello \n user: Hi",)"
    R"("transcripts":[{"id":1,"user":"assistant","text":"Hello"},{"id":2,"user":"user","text":"Hi"}]})";

// One line of a capture log, with its line break.
std::string capture_line(std::uint64_t id) {
    capture::Capture capture;
    capture.id = id;
    capture.received_at = "2026-11-27T10:00:01.000Z";
    capture.method = "POST";
    capture.path = "/webhook";
    return capture::to_json_line(capture) + "\n";
}

std::size_t count_lines(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

// A small tmpfs mounted on `path` (inside the test's scratch directory) when running as root;
// unmounted on destruction, before the scratch directory is removed.
class SmallDisk {
public:
    SmallDisk(std::string path, const char* size) : m_path(std::move(path)) {
        ::mkdir(m_path.c_str(), 0700);
        const std::string data = std::string("size=") + size + ",mode=0700";
        m_mounted = ::geteuid() == 0 && ::mount("tmpfs", m_path.c_str(), "tmpfs",
                                                MS_NOSUID | MS_NODEV, data.c_str()) == 0;
    }
    ~SmallDisk() {
        if (m_mounted) {
            ::umount2(m_path.c_str(), MNT_DETACH);
        }
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    bool mounted() const { return m_mounted; }

    /// Writes `name` until the disk is full; returns its path.
    std::string fill(const std::string& name) const {
        const std::string path = m_path + "/" + name;
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        const std::string block(4096, 'f');
        while (::write(fd, block.data(), block.size()) > 0) {
        }
        // The last page may still take a few bytes.
        while (::write(fd, "f", 1) > 0) {
        }
        CHECK(errno == ENOSPC);
        ::close(fd);
        return path;
    }

private:
    std::string m_path;
    bool m_mounted = false;
};

} // namespace

TEST_CASE("listen --count exits 0 after the matching capture and prints its line") {
    test::TempDir dir;
    auto child =
        test::start_blandhook({"listen", "--port", "0", "--save", dir.file("c.ndjson"), "--count",
                               "1", "--match", "call_id=cli-1", "--secret", "s3cret"});
    const int port = test::wait_for_port(*child);
    CHECK(round_trip(port, post_request("/x", R"({"call_id":"other"})")).status == 200);
    CHECK(round_trip(port, post_request("/webhook", k_body,
                                        "X-Webhook-Signature: " + payload::sign("s3cret", k_body) +
                                            "\r\n"))
              .status == 200);
    CHECK(child->wait() == 0);
    const std::string& out = child->out();
    CHECK(out.find(" #2     POST /webhook           200  post-call cli-1    completed  sig ok      "
                   "valid\n") != std::string::npos);
    CHECK(child->err().find("2 captures") != std::string::npos);
    CHECK(count_lines(test::read_file(dir.file("c.ndjson"))) == 2);
    struct stat info {};
    REQUIRE(::stat(dir.file("c.ndjson").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("listen's line keeps to $COLUMNS off a terminal, and -q prints the banner on one "
          "line") {
    for (const auto& [columns, expected] :
         {std::pair<std::string, std::string>{
              "100",
              " #1     POST /webhook           200  post-call cli-1    completed  sig off     "
              "valid\n"},
          {"60", " #1     POST /webhook  200  completed  valid\n"}}) {
        CAPTURE(columns);
        test::ProcessOptions options;
        options.env["COLUMNS"] = columns;
        auto child = test::start_blandhook(
            {"listen", "--port", "0", "--no-save", "--no-inspector", "--count", "1"}, options);
        const int port = test::wait_for_port(*child);
        CHECK(round_trip(port, post_request("/webhook", k_body)).status == 200);
        CHECK(child->wait() == 0);
        std::istringstream lines(child->out());
        std::string line;
        std::getline(lines, line); // the readiness line
        REQUIRE(std::getline(lines, line));
        // 10:06:04 then the columns; the time of day varies.
        CHECK(line.size() >= 8);
        CHECK(line.substr(8) + "\n" == expected);
        CHECK(line.size() <= std::stoul(columns));
        CHECK(child->err().find("Bland only delivers webhooks to https URLs") != std::string::npos);
    }
    auto quiet =
        test::start_blandhook({"listen", "--port", "0", "--no-save", "--count", "1", "-q"});
    const int port = test::wait_for_port(*quiet);
    CHECK(round_trip(port, post_request("/webhook", k_body)).status == 200);
    CHECK(quiet->wait() == 0);
    const std::string& err = quiet->err();
    const auto banner_end = err.find('\n');
    REQUIRE(banner_end != std::string::npos);
    CHECK(err.rfind("  inspector: http://127.0.0.1:", 0) == 0);
    CHECK(err.substr(0, banner_end).find(", captures: in memory, signatures: not checked") !=
          std::string::npos);
    CHECK(err.find("Bland only delivers") == std::string::npos);
    CHECK(err.find("  captures:") == std::string::npos);
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
    const int port = test::wait_for_port(*child);
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
    const int port = test::wait_for_port(*child);
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
        const int port = test::wait_for_port(*child);
        REQUIRE(round_trip(port, post_request("/a?q=1", k_body)).status == 200);
        REQUIRE(round_trip(port, post_request("/b", "not json at all")).status == 200);
        REQUIRE(child->wait() == 0);
    }

    const test::ProcessResult list = test::run_blandhook({"captures", "list", "--log", log});
    CHECK(list.exit_code == 0);
    REQUIRE(count_lines(list.out) == 2);
    CHECK(list.out.find("#2     POST /b") < list.out.find("#1     POST /a?q=1")); // newest first

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

namespace {

// Captures `body` POSTed to `path`, runs the command `captures export 1 --as curl` prints (in
// `dir`, signing with `secret` when one is given) against a second listener, and returns what
// that listener received.
capture::Capture resent_by_curl(const test::TempDir& dir, const std::string& path,
                                const std::string& body, const std::string& secret = "") {
    const std::string log = dir.file("c.ndjson");
    {
        auto child =
            test::start_blandhook({"listen", "--port", "0", "--save", log, "--count", "1", "-q"});
        const int port = test::wait_for_port(*child);
        REQUIRE(round_trip(port, post_request(path, body)).status == 200);
        REQUIRE(child->wait() == 0);
    }
    const std::string log2 = dir.file("d.ndjson");
    std::vector<std::string> target_args{"listen", "--port",  "0", "--save",
                                         log2,     "--count", "1", "-q"};
    std::vector<std::string> export_args{"captures", "export", "1", "--as", "curl", "--log", log};
    if (!secret.empty()) {
        for (auto* args : {&target_args, &export_args}) {
            args->insert(args->end(), {"--secret", secret});
        }
    }
    auto target = test::start_blandhook(target_args);
    export_args.insert(
        export_args.end(),
        {"--url", "http://127.0.0.1:" + std::to_string(test::wait_for_port(*target))});
    const test::ProcessResult curl = test::run_blandhook(export_args);
    REQUIRE(curl.exit_code == 0);
    test::ProcessOptions in_dir;
    in_dir.cwd = dir.path();
    CHECK(test::run_process({"sh", "-c", curl.out}, in_dir).exit_code == 0);
    CHECK(target->wait() == 0);
    return capture::from_json_line(test::read_file(log2));
}

} // namespace

TEST_CASE("captures export --as curl re-sends the exact bytes, signed") {
    test::TempDir dir;
    const std::string body = "{\"call_id\":\"it's\",\n \"completed\": true}";
    const capture::Capture resent = resent_by_curl(dir, "/orig", body, "k");
    CHECK(resent.body == body);
    CHECK(resent.path == "/orig");
    CHECK(resent.payload.signature == "valid-raw");
}

TEST_CASE("captures export --as curl sends a body that starts with @ literally, never a file") {
    test::TempDir dir;
    // curl reads `--data-binary @name` from the file `name`: a body naming a file that exists must
    // still travel as its own bytes.
    test::write_file(dir.file("secret.txt"), "local file contents");
    const capture::Capture resent = resent_by_curl(dir, "/at", "@secret.txt");
    CHECK(resent.body == "@secret.txt");
    CHECK(resent.path == "/at");
}

TEST_CASE("the inspector's copy as curl is captures export --as curl: custom headers included") {
    test::TempDir dir;
    const std::string log = dir.file("c.ndjson");
    auto child = test::start_blandhook(
        {"listen", "--port", "0", "--inspector-port", "0", "--save", log, "-q"});
    const int port = test::wait_for_port(*child);
    const int inspector = test::inspector_port(*child);
    REQUIRE(round_trip(port, post_request("/h", k_body, "X-Custom: kept\r\n")).status == 200);

    const std::string host = "Host: 127.0.0.1:" + std::to_string(inspector) + "\r\n";
    const test::RawAnswer page =
        round_trip(inspector, "GET /_blandhook/ HTTP/1.1\r\n" + host + "\r\n");
    const std::string token_meta = "name=\"blandhook-token\" content=\"";
    const auto at = page.body.find(token_meta);
    REQUIRE(at != std::string::npos);
    const std::string token = page.body.substr(at + token_meta.size(), 32);
    const std::string url = "http://127.0.0.1:3000/h";
    const std::string request_body = R"({"url":")" + url + R"("})";
    const test::RawAnswer answer =
        round_trip(inspector, "POST /_blandhook/api/captures/1/curl HTTP/1.1\r\n" + host +
                                  "Origin: http://127.0.0.1:" + std::to_string(inspector) +
                                  "\r\nX-Blandhook-Token: " + token +
                                  "\r\nContent-Type: application/json\r\nContent-Length: " +
                                  std::to_string(request_body.size()) + "\r\n\r\n" + request_body);
    REQUIRE(answer.status == 200);
    const std::string from_inspector = nlohmann::json::parse(answer.body).at("curl");
    CHECK(from_inspector.find("-H 'X-Custom: kept'") != std::string::npos);

    const test::ProcessResult exported = test::run_blandhook(
        {"captures", "export", "1", "--as", "curl", "--url", url, "--log", log});
    REQUIRE(exported.exit_code == 0);
    CHECK(from_inspector == exported.out);
    child->signal(SIGINT);
    CHECK(child->wait() == 0);
}

TEST_CASE("listen on a full disk: the error is printed once, health and the inspector say not "
          "saving, senders never get a 2xx for an unsaved capture, saving resumes by itself and "
          "the summary counts exactly") {
    test::TempDir dir;
    SmallDisk disk(dir.file("disk"), "256k");
    if (!disk.mounted()) {
        MESSAGE("skipped: mounting a tmpfs needs root");
        return;
    }
    const std::string log = dir.file("disk/c.ndjson");
    auto child = test::start_blandhook(
        {"listen", "--port", "0", "--inspector-port", "0", "--save", log, "--quiet"});
    const int port = test::wait_for_port(*child);
    const int inspector = test::inspector_port(*child);
    const auto health = [](int to) {
        return round_trip(to, "GET /_blandhook/health HTTP/1.1\r\nHost: 127.0.0.1:" +
                                  std::to_string(to) + "\r\n\r\n");
    };
    CHECK(round_trip(port, post_request("/", k_body)).status == 200);

    const std::string filler = disk.fill("filler");
    // Bigger than what is left of the log's last page (tmpfs gives out whole pages): each write
    // starts, then fails, and must leave nothing behind.
    const std::string big = R"({"call_id":"big","pad":")" + std::string(20'000, 'p') + "\"}";
    for (int i = 0; i < 3; ++i) {
        const test::RawAnswer refused = round_trip(port, post_request("/", big));
        CHECK(refused.status == 503);
        CHECK(refused.body.find("not saved: no space left on device") != std::string::npos);
        CHECK(refused.body.find(log) == std::string::npos); // no local path to a remote sender
    }
    for (const int to : {port, inspector}) {
        const test::RawAnswer state = health(to);
        CHECK(state.status == 503);
        CHECK(state.body.find("not saving: no space left on device") != std::string::npos);
    }

    REQUIRE(::unlink(filler.c_str()) == 0);
    CHECK(round_trip(port, post_request("/", k_body)).status == 200);
    CHECK(health(port).status == 200);
    CHECK(health(inspector).body.find("\"status\":\"ok\"") != std::string::npos);

    child->signal(SIGTERM);
    CHECK(child->wait() == 0);
    const std::string& err = child->err();
    CHECK(occurrences(err, "no space left on device") == 1 + 1); // the error, and the summary
    CHECK(err.find("saving to " + log + " again") != std::string::npos);
    CHECK(err.find("2 captures (2 post-call), 3 not saved (no space left on device) and answered "
                   "503") != std::string::npos);
    // The log holds exactly the saved captures, each line whole, ids without gaps.
    const std::string text = test::read_file(log);
    REQUIRE(count_lines(text) == 2);
    CHECK(text.back() == '\n');
    std::istringstream lines(text);
    std::string line;
    std::uint64_t expected_id = 1;
    while (std::getline(lines, line)) {
        CHECK(capture::from_json_line(line).id == expected_id++);
    }
}
TEST_CASE(
    "listen --save refuses a file that is not a capture log, exit 5, and leaves it as it was") {
    test::TempDir dir;
    const std::string notes = "meeting notes\nsecond line, no line break at the end";
    const std::string fixture = test::read_file(test::source_dir() + "/fixtures/error-busy.json");
    const std::string no_newline_json = fixture.substr(0, fixture.find_last_not_of('\n') + 1);
    for (const std::string& content : {notes, no_newline_json, std::string("{")}) {
        CAPTURE(content.substr(0, 20));
        test::write_file(dir.file("precious.txt"), content);
        const test::ProcessResult result =
            test::run_blandhook({"listen", "--port", "0", "--save", dir.file("precious.txt"),
                                 "--count", "1", "--timeout", "200ms"});
        CHECK(result.exit_code == 5);
        CHECK(result.err.find("blandhook: error: capture log: " + dir.file("precious.txt") +
                              " is not a capture log") == 0);
        CHECK(test::read_file(dir.file("precious.txt")) == content);
    }
}

TEST_CASE("listen --save does not follow a symbolic link, to a file or to nowhere") {
    test::TempDir dir;
    const std::string log = capture_line(1);
    test::write_file(dir.file("target.ndjson"), log);
    REQUIRE(::symlink(dir.file("target.ndjson").c_str(), dir.file("link.ndjson").c_str()) == 0);
    REQUIRE(::symlink(dir.file("absent.ndjson").c_str(), dir.file("dangling.ndjson").c_str()) == 0);
    for (const char* name : {"link.ndjson", "dangling.ndjson"}) {
        CAPTURE(name);
        const test::ProcessResult result =
            test::run_blandhook({"listen", "--port", "0", "--save", dir.file(name), "--count", "1",
                                 "--timeout", "200ms"});
        CHECK(result.exit_code == 5);
        CHECK(result.err.find("is a symbolic link") != std::string::npos);
    }
    CHECK(test::read_file(dir.file("target.ndjson")) == log);
    struct stat info {};
    CHECK(::stat(dir.file("absent.ndjson").c_str(), &info) != 0);
}

TEST_CASE("listen --save removes only a torn last line of a capture log, and refuses other tails") {
    test::TempDir dir;
    const std::string line = capture_line(7);
    test::write_file(dir.file("torn.ndjson"), line + line.substr(0, 30));
    test::write_file(dir.file("tail.ndjson"), line + "a note typed by hand");
    const auto run = [&](const std::string& name) {
        return test::run_blandhook({"listen", "--port", "0", "--save", dir.file(name), "--count",
                                    "1", "--timeout", "200ms"});
    };
    CHECK(run("torn.ndjson").exit_code == 4);
    CHECK(test::read_file(dir.file("torn.ndjson")) == line);
    const test::ProcessResult tail = run("tail.ndjson");
    CHECK(tail.exit_code == 5);
    CHECK(tail.err.find("ends with a line that is not a capture") != std::string::npos);
    CHECK(test::read_file(dir.file("tail.ndjson")) == line + "a note typed by hand");
}

TEST_CASE("the capture log is 0600 and the directories made for it 0700, whatever the umask") {
    test::TempDir dir;
    const mode_t previous = ::umask(0);
    const test::ProcessResult result =
        test::run_blandhook({"listen", "--port", "0", "--save", dir.file("a/b/c.ndjson"), "--count",
                             "1", "--timeout", "200ms"});
    ::umask(previous);
    CHECK(result.exit_code == 4);
    struct stat info {};
    REQUIRE(::stat(dir.file("a").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0700);
    REQUIRE(::stat(dir.file("a/b").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0700);
    REQUIRE(::stat(dir.file("a/b/c.ndjson").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("a 500 answered to a remote sender never reveals a local path") {
    test::TempDir dir;
    // A file size limit makes the log's writes fail (EFBIG) as a full disk would.
    const std::string command = "ulimit -f 1; trap '' XFSZ; exec '" + test::binary_path() +
                                "' listen --port 0 --save '" + dir.file("c.ndjson") + "'";
    test::Child child({"sh", "-c", command});
    const int port = test::wait_for_port(child);
    const std::string big(4000, 'x');
    const test::RawAnswer answer =
        round_trip(port, post_request("/webhook", "{\"call_id\":\"" + big + "\"}"));
    CHECK(answer.status >= 500); // 503 "not saved: …" since the disk-full handling
    CHECK(answer.body.find(dir.path()) == std::string::npos);
    CHECK(answer.body.find("c.ndjson") == std::string::npos);
    CHECK(answer.head.find(dir.path()) == std::string::npos);
    child.signal(SIGTERM);
    child.wait();
}
