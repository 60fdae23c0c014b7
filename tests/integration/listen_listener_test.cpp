// The listener in-process on 127.0.0.1, port 0: what a sender gets back and what the capture log
// holds, observed through raw sockets and the log file.
#include "capture/store.hpp"
#include "integration/listen_raw_socket.hpp"
#include "listen/listener.hpp"
#include "payload/fixtures.hpp"
#include "payload/signature.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

using namespace blandhook;
using test::post_request;
using test::RawConnection;
using test::round_trip;
using test::start_listener;

namespace {

std::string fixture(const char* name) {
    auto body = payload::fixture_body(name);
    REQUIRE(body.has_value());
    return std::string(*body);
}

std::vector<std::string> log_lines(const std::string& path) {
    std::vector<std::string> lines;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

std::string call_body(const std::string& call_id) {
    return R"({"call_id":")" + call_id + R"(","completed":true,"status":"completed"})";
}

// The status `listener` answers a POST of `body` to `target` with (0: no answer).
int post_status(const listen::Listener& listener, const std::string& target,
                const std::string& body) {
    return round_trip(listener.port(), post_request(target, body)).status;
}

// The URL of `path` (with its query) on the listener `app`.
std::string url_of(const listen::Listener& app, const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(app.port()) + path;
}

// An app (a listener logging into dir/app.ndjson) and, in front of it, a listener logging into
// dir/c.ndjson with `options` that forwards to `path` on the app.
struct AppBehind {
    std::unique_ptr<listen::Listener> app;
    std::unique_ptr<listen::Listener> listener;
};
AppBehind app_behind(const test::TempDir& dir, const std::string& path,
                     listen::ListenerOptions options = {}) {
    AppBehind started;
    started.app = start_listener(dir.file("app.ndjson"), {});
    options.forward_to = url_of(*started.app, path);
    started.listener = start_listener(dir.file("c.ndjson"), std::move(options));
    return started;
}

} // namespace

TEST_CASE("listen: a webhook's exact bytes, target and headers are in the log before the 200") {
    test::TempDir dir;
    auto listener = start_listener(dir.file("captures.ndjson"));
    const std::string body = fixture("completed-outbound");
    const test::RawAnswer answer =
        round_trip(listener->port(), post_request("/hooks/bland?attempt=1&x=%20y", body,
                                                  "X-Trace: a\r\nX-Trace: b\r\n"));
    REQUIRE(answer.answered);
    CHECK(answer.status == 200);
    CHECK(answer.body.find("\"received\":true") != std::string::npos);
    CHECK(answer.body.find("\"call_id\":\"7f3c2a91") != std::string::npos);

    // The line was written before the answer left: read it now, without waiting.
    const auto lines = log_lines(dir.file("captures.ndjson"));
    REQUIRE(lines.size() == 1);
    const capture::Capture captured = capture::from_json_line(lines[0]);
    CHECK(captured.id == 1);
    CHECK(captured.method == "POST");
    CHECK(captured.path == "/hooks/bland");
    CHECK(captured.query == "attempt=1&x=%20y");
    CHECK(captured.body == body);
    CHECK(captured.payload.kind == "post-call");
    CHECK(captured.payload.call_id == "7f3c2a91-4d5e-4b8a-9c1f-2e6d8a0b5c34");
    CHECK(captured.response_status == 200);
    CHECK(captured.peer.rfind("127.0.0.1:", 0) == 0);
    std::vector<std::string> traces;
    for (const auto& header : captured.headers) {
        if (header.name == "X-Trace") {
            traces.push_back(header.value);
        }
    }
    CHECK(traces == std::vector<std::string>{"a", "b"});
    for (const auto& header : captured.headers) {
        CHECK(header.name != "REMOTE_ADDR"); // httplib's pseudo headers never reach the log
    }
}

TEST_CASE("listen: the capture log is created 0600 in a 0700 directory and ids go on after a "
          "restart") {
    test::TempDir dir;
    const std::string log = dir.file("state/blandhook/captures.ndjson");
    {
        auto listener = start_listener(log);
        CHECK(post_status(*listener, "/", call_body("a")) == 200);
        CHECK(post_status(*listener, "/", call_body("b")) == 200);
    }
    struct stat file_info {};
    REQUIRE(::stat(log.c_str(), &file_info) == 0);
    CHECK((file_info.st_mode & 0777) == 0600);
    struct stat dir_info {};
    REQUIRE(::stat(dir.file("state/blandhook").c_str(), &dir_info) == 0);
    CHECK((dir_info.st_mode & 0777) == 0700);

    auto again = start_listener(log);
    const test::RawAnswer answer = round_trip(again->port(), post_request("/", call_body("c")));
    CHECK(answer.body.find("\"id\":3") != std::string::npos);
    const auto lines = log_lines(log);
    REQUIRE(lines.size() == 3);
    CHECK(capture::from_json_line(lines[2]).id == 3);
    CHECK(again->store().get(1)->payload.call_id == "a");
}

TEST_CASE("listen: a torn last line left by a crash is removed on open") {
    test::TempDir dir;
    const std::string log = dir.file("captures.ndjson");
    {
        auto listener = start_listener(log);
        round_trip(listener->port(), post_request("/", call_body("a")));
    }
    {
        std::ofstream out(log, std::ios::app);
        out << R"({"id":2,"received_at":"2026-)"; // no newline: cut mid-write
    }
    auto listener = start_listener(log);
    round_trip(listener->port(), post_request("/", call_body("b")));
    const auto lines = log_lines(log);
    REQUIRE(lines.size() == 2);
    CHECK(capture::from_json_line(lines[1]).id == 2);
    CHECK(capture::from_json_line(lines[1]).payload.call_id == "b");
}

TEST_CASE("listen: any method and path is captured; /_blandhook/health answers and is not") {
    test::TempDir dir;
    auto listener = start_listener(dir.file("c.ndjson"));
    const int port = listener->port();
    for (const char* method : {"GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}) {
        const test::RawAnswer answer =
            round_trip(port, std::string(method) + " /any/where?q=1 HTTP/1.1\r\nHost: x\r\n"
                                                   "Content-Length: 3\r\n\r\nabc");
        CHECK_MESSAGE(answer.status == 200, method);
    }
    const test::RawAnswer health =
        round_trip(port, "GET /_blandhook/health HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(health.status == 200);
    CHECK(health.body.find("\"status\":\"ok\"") != std::string::npos);
    CHECK(round_trip(port, "GET /_blandhook/nothing HTTP/1.1\r\nHost: x\r\n\r\n").status == 404);

    const auto lines = log_lines(dir.file("c.ndjson"));
    REQUIRE(lines.size() == 6);
    CHECK(capture::from_json_line(lines[5]).method == "TRACE");
    CHECK(capture::from_json_line(lines[1]).body == "abc");
}

TEST_CASE("listen: binary and invalid UTF-8 bodies round-trip through the log byte for byte") {
    test::TempDir dir;
    auto listener = start_listener(dir.file("c.ndjson"));
    std::string body;
    for (int i = 0; i < 256; ++i) {
        body.push_back(static_cast<char>(i));
    }
    body += "\xff\xfe\xc3(";
    REQUIRE(post_status(*listener, "/bin", body) == 200);
    const auto lines = log_lines(dir.file("c.ndjson"));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("\"body_encoding\":\"base64\"") != std::string::npos);
    const capture::Capture captured = capture::from_json_line(lines[0]);
    CHECK(captured.body == body);
    CHECK_FALSE(captured.payload.is_json);
}

TEST_CASE("listen: signatures are reported raw or JSON.stringify, and --require-signature "
          "answers 401") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.secret = "whsec_test";
    options.answer.require_signature = true;
    auto listener = start_listener(dir.file("c.ndjson"), options);
    const int port = listener->port();
    const std::string body = "{\"call_id\": \"s1\", \"completed\": true}";
    const std::string compact = "{\"call_id\":\"s1\",\"completed\":true}";

    auto signed_with = [&](const std::string& signature) {
        return round_trip(port,
                          post_request("/", body, "X-Webhook-Signature: " + signature + "\r\n"));
    };
    CHECK(signed_with(payload::sign("whsec_test", body)).status == 200);
    CHECK(signed_with(payload::sign("whsec_test", compact)).status == 200);
    CHECK(signed_with(payload::sign("other", body)).status == 401);
    CHECK(round_trip(port, post_request("/", body)).status == 401);

    const auto lines = log_lines(dir.file("c.ndjson"));
    REQUIRE(lines.size() == 4);
    CHECK(capture::from_json_line(lines[0]).payload.signature == "valid-raw");
    CHECK(capture::from_json_line(lines[1]).payload.signature == "valid-canonical");
    CHECK(capture::from_json_line(lines[2]).payload.signature == "invalid");
    CHECK(capture::from_json_line(lines[3]).payload.signature == "missing");
    CHECK(capture::from_json_line(lines[3]).response_status == 401);
}

TEST_CASE("listen: --respond-sequence is walked per call_id, so each retried delivery moves on") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.answer.sequence = {500, 503, 200};
    auto listener = start_listener(dir.file("c.ndjson"), options);
    const int port = listener->port();
    std::vector<int> first;
    std::vector<int> second;
    for (int i = 0; i < 4; ++i) {
        first.push_back(round_trip(port, post_request("/", call_body("call-1"))).status);
        if (i < 2) {
            second.push_back(round_trip(port, post_request("/", call_body("call-2"))).status);
        }
    }
    CHECK(first == std::vector<int>{500, 503, 200, 200});
    CHECK(second == std::vector<int>{500, 503});
}

TEST_CASE("listen: --fail-rate with a seed fails the same requests on every run") {
    auto run = [] {
        test::TempDir dir;
        listen::ListenerOptions options;
        options.answer.fail_rate = 0.5;
        options.answer.fail_status = 502;
        options.answer.seed = 42;
        auto listener = start_listener(dir.file("c.ndjson"), options);
        std::vector<int> statuses;
        for (int i = 0; i < 20; ++i) {
            statuses.push_back(
                round_trip(listener->port(), post_request("/", call_body(std::to_string(i))))
                    .status);
        }
        return statuses;
    };
    const std::vector<int> once = run();
    CHECK(once == run());
    CHECK(std::count(once.begin(), once.end(), 502) > 0);
    CHECK(std::count(once.begin(), once.end(), 200) > 0);
}

TEST_CASE("listen: --drop closes the connection without an answer and still keeps the capture") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.answer.drop = true;
    auto listener = start_listener(dir.file("c.ndjson"), options);
    const test::RawAnswer answer =
        round_trip(listener->port(), post_request("/", call_body("dropped")));
    CHECK_FALSE(answer.answered);
    CHECK(answer.closed);
    const auto lines = log_lines(dir.file("c.ndjson"));
    REQUIRE(lines.size() == 1);
    CHECK(capture::from_json_line(lines[0]).response_status == 0);
}

TEST_CASE("listen: custom status, answer body and headers; the answer can change while serving") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.answer.status = 202;
    options.answer.body = "accepted";
    options.answer.headers = {{"Content-Type", "text/plain"}, {"Retry-After", "7"}};
    auto listener = start_listener(dir.file("c.ndjson"), options);
    test::RawAnswer answer = round_trip(listener->port(), post_request("/", call_body("x")));
    CHECK(answer.status == 202);
    CHECK(answer.body == "accepted");
    CHECK(answer.head.find("Retry-After: 7") != std::string::npos);
    CHECK(answer.head.find("Content-Type: text/plain") != std::string::npos);

    listen::AnswerConfig changed;
    changed.status = 429;
    listener->set_answer(changed);
    CHECK(listener->answer().status == 429);
    answer = round_trip(listener->port(), post_request("/", call_body("x")));
    CHECK(answer.status == 429);
}

TEST_CASE("listen: bodies over the limit get 413 and the listener goes on") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.max_body_bytes = 1024;
    auto listener = start_listener(dir.file("c.ndjson"), options);
    CHECK(post_status(*listener, "/", std::string(2048, 'x')) == 413);
    CHECK(post_status(*listener, "/", call_body("ok")) == 200);
}

TEST_CASE("listen: --forward-to relays byte-exact with the query, and --forward-status hands back "
          "the app's answer") {
    test::TempDir dir;
    listen::ListenerOptions app_options;
    app_options.answer.status = 201;
    app_options.answer.body = "{\"app\":true}";
    auto app = start_listener(dir.file("app.ndjson"), app_options);

    listen::ListenerOptions options;
    options.forward_to = "http://localhost:" + std::to_string(app->port()) + "/app";
    options.answer.forward_status = true;
    auto listener = start_listener(dir.file("c.ndjson"), options);
    const std::string body = "{\"call_id\":\"fw\",  \"completed\": true}\n";
    const test::RawAnswer answer = round_trip(
        listener->port(), post_request("/hook?a=1", body, "X-Webhook-Signature: abc\r\n"));
    CHECK(answer.status == 201);
    CHECK(answer.body == "{\"app\":true}");

    const auto app_lines = log_lines(dir.file("app.ndjson"));
    REQUIRE(app_lines.size() == 1);
    const capture::Capture relayed = capture::from_json_line(app_lines[0]);
    CHECK(relayed.body == body);
    // The URL as given, as stripe listen --forward-to does; the captured query is kept.
    CHECK(relayed.path == "/app");
    CHECK(relayed.query == "a=1");
    CHECK(relayed.header("X-Webhook-Signature") == std::optional<std::string_view>("abc"));

    const capture::Capture captured =
        capture::from_json_line(log_lines(dir.file("c.ndjson")).at(0));
    REQUIRE(captured.forward.has_value());
    CHECK(captured.forward->status == 201);
}

TEST_CASE("listen: --forward-to http://host/webhook reaches /webhook, not /webhook/webhook; the "
          "URL's query comes first, then the captured one") {
    test::TempDir dir;
    auto [app, listener] = app_behind(dir, "/webhook?source=listen");
    CHECK(post_status(*listener, "/webhook?attempt=2", call_body("w")) == 200);
    CHECK(post_status(*listener, "/", call_body("r")) == 200);

    const auto app_lines = log_lines(dir.file("app.ndjson"));
    REQUIRE(app_lines.size() == 2);
    const capture::Capture first = capture::from_json_line(app_lines[0]);
    CHECK(first.path == "/webhook");
    CHECK(first.query == "source=listen&attempt=2");
    const capture::Capture second = capture::from_json_line(app_lines[1]);
    CHECK(second.path == "/webhook");
    CHECK(second.query == "source=listen");
    const capture::Capture captured =
        capture::from_json_line(log_lines(dir.file("c.ndjson")).at(0));
    REQUIRE(captured.forward.has_value());
    CHECK(captured.forward->url == url_of(*app, "/webhook?source=listen&attempt=2"));
}

TEST_CASE("listen: --forward-path keep appends the captured path to the --forward-to URL") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.forward_path = listen::ForwardPath::keep;
    auto [app, listener] = app_behind(dir, "/app/", options);
    CHECK(post_status(*listener, "/hooks/bland?a=1", call_body("k")) == 200);
    CHECK(post_status(*listener, "/", call_body("k2")) == 200);
    const auto app_lines = log_lines(dir.file("app.ndjson"));
    REQUIRE(app_lines.size() == 2);
    CHECK(capture::from_json_line(app_lines[0]).path == "/app/hooks/bland");
    CHECK(capture::from_json_line(app_lines[0]).query == "a=1");
    CHECK(capture::from_json_line(app_lines[1]).path == "/app/");
}

TEST_CASE("listen: --forward-to localhost reaches an app that listens on ::1 only") {
    test::TempDir dir;
    listen::ListenerOptions app_options;
    app_options.host = "::1";
    app_options.answer.status = 202;
    auto app = start_listener(dir.file("app.ndjson"), app_options);

    listen::ListenerOptions options;
    options.forward_to = "http://localhost:" + std::to_string(app->port()) + "/v6";
    options.answer.forward_status = true;
    auto listener = start_listener(dir.file("c.ndjson"), options);
    CHECK(post_status(*listener, "/", call_body("six")) == 202);
    CHECK(post_status(*listener, "/", call_body("six")) == 202);
    CHECK(log_lines(dir.file("app.ndjson")).size() == 2);
}

TEST_CASE("listen: a dead app is reported in the capture, which is kept and answered") {
    test::TempDir dir;
    int dead_port = 0;
    {
        auto gone = start_listener("", {});
        dead_port = gone->port();
    }
    listen::ListenerOptions options;
    options.forward_to = "http://127.0.0.1:" + std::to_string(dead_port) + "/";
    auto listener = start_listener(dir.file("c.ndjson"), options);
    CHECK(post_status(*listener, "/", call_body("dead")) == 200);
    const capture::Capture captured =
        capture::from_json_line(log_lines(dir.file("c.ndjson")).at(0));
    REQUIRE(captured.forward.has_value());
    CHECK(captured.forward->status == 0);
    CHECK_FALSE(captured.forward->error.empty());
}

TEST_CASE("listen: 300 idle keep-alive connections do not starve a new sender") {
    test::TempDir dir;
    auto listener = start_listener(dir.file("c.ndjson"));
    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < 300; ++i) {
        auto connection = std::make_unique<RawConnection>(listener->port());
        REQUIRE(connection->connected());
        // One request each so every connection is in its keep-alive wait, holding a thread.
        connection->send(post_request("/", call_body("idle")));
        REQUIRE(connection->read_answer().status == 200);
        idle.push_back(std::move(connection));
    }
    const test::RawAnswer answer =
        round_trip(listener->port(), post_request("/", call_body("new")), std::chrono::seconds(3));
    CHECK(answer.status == 200);
}

TEST_CASE("listen: wait_for finds a capture by call_id for an embedding command") {
    auto listener = start_listener("", {});
    std::thread sender([port = listener->port()] {
        round_trip(port, post_request("/", call_body("other")));
        round_trip(port, post_request("/", call_body("wanted")));
    });
    const auto found =
        listener->wait_for([](const capture::Capture& c) { return c.payload.call_id == "wanted"; },
                           std::chrono::seconds(10));
    sender.join();
    REQUIRE(found.has_value());
    CHECK(found->id == 2);
}

TEST_CASE("listen: store list filters newest first and reads old captures from the log") {
    test::TempDir dir;
    capture::StoreOptions options;
    options.path = dir.file("c.ndjson");
    options.cache_bytes = 1; // force reads from the file
    {
        auto listener = start_listener(options.path);
        for (int i = 0; i < 6; ++i) {
            round_trip(listener->port(), post_request("/", call_body(i % 2 ? "odd" : "even")));
        }
    }
    capture::Store store(options);
    CHECK(store.last_id() == 6);
    capture::Filter filter;
    filter.call_id = "odd";
    filter.limit = 2;
    const auto found = store.list(filter);
    REQUIRE(found.size() == 2);
    CHECK(found[0].id == 6);
    CHECK(found[1].id == 4);
    filter = {};
    filter.before = 3;
    const auto older = store.list(filter);
    REQUIRE(older.size() == 2);
    CHECK(older[0].id == 2);
}

TEST_CASE("listen: a bare CR in a header is answered 400 and never relayed by --forward-to "
          "(header injection into the app)") {
    test::TempDir dir;
    auto [app, listener] = app_behind(dir, "/app");
    const test::RawAnswer answer =
        round_trip(listener->port(), "POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Evil: "
                                     "a\rInjected: 1\r\nContent-Length: 2\r\n\r\n{}");
    CHECK(answer.status == 400);
    CHECK(log_lines(dir.file("app.ndjson")).empty());
    CHECK(log_lines(dir.file("c.ndjson")).empty());
}

TEST_CASE("listen: --forward-path keep never pastes an absolute-form or * request target onto "
          "the forward path") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.forward_path = listen::ForwardPath::keep;
    auto [app, listener] = app_behind(dir, "/app", options);
    CHECK(round_trip(listener->port(), "POST http://evil.example/x/y?q=1 HTTP/1.1\r\nHost: "
                                       "evil.example\r\nContent-Length: 2\r\n\r\n{}")
              .status == 200);
    CHECK(round_trip(listener->port(), "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").status == 200);
    CHECK(round_trip(listener->port(), "POST https://evil.example HTTP/1.1\r\nHost: "
                                       "evil.example\r\nContent-Length: 2\r\n\r\n{}")
              .status == 200);
    const auto relayed = log_lines(dir.file("app.ndjson"));
    REQUIRE(relayed.size() == 3);
    const capture::Capture absolute = capture::from_json_line(relayed[0]);
    CHECK(absolute.path == "/app/x/y");
    CHECK(absolute.query == "q=1");
    CHECK(capture::from_json_line(relayed[1]).path == "/app");
    CHECK(capture::from_json_line(relayed[2]).path == "/app");
    // The capture itself keeps the target as it was sent.
    CHECK(capture::from_json_line(log_lines(dir.file("c.ndjson")).at(0)).target() ==
          "http://evil.example/x/y?q=1");
}
