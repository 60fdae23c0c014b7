// http::RouteServer, the route interface the inspector and the emulator register on: what a
// handler is given, what goes out on the wire, and the answers it gives on its own (no route,
// a body it would not read, a handler that throws).
#include "http/router.hpp"

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

using namespace blandhook::http;

namespace {

// Starts `server` on 127.0.0.1, port 0, and returns a client of it that never waits long.
httplib::Client start_on_loopback(RouteServer& server) {
    const int port = server.bind("127.0.0.1", 0);
    REQUIRE(port > 0);
    server.start();
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(std::chrono::seconds(5));
    client.set_read_timeout(std::chrono::seconds(5));
    client.set_write_timeout(std::chrono::seconds(5));
    return client;
}

} // namespace

TEST_CASE("routes: the pattern's groups, the query and the headers reach the handler, and its "
          "status, headers and body go out") {
    RouteServer server(RouteServerOptions{});
    server.get(R"(/items/(\d+))", [](const RouteRequest& request, RouteResponse& response) {
        response.status = 203;
        response.set_header("X-Seen", request.header("x-token") + "|" + request.param("q"));
        response.set_content(request.method + " " + request.path + " " + request.matches[1],
                             "text/plain; charset=utf-8");
    });
    httplib::Client client = start_on_loopback(server);
    CHECK(server.running());
    const auto answer = client.Get("/items/42?q=two%20words", {{"X-Token", "t0k"}});
    REQUIRE(answer);
    CHECK(answer->status == 203);
    CHECK(answer->body == "GET /items/42 42");
    CHECK(answer->get_header_value("X-Seen") == "t0k|two words");
    CHECK(answer->get_header_value("Content-Type") == "text/plain; charset=utf-8");

    const auto other = client.Get("/items/4x2");
    REQUIRE(other);
    CHECK(other->status == 404); // the whole path must match
    server.stop();
    CHECK_FALSE(server.running());
}

TEST_CASE("routes: a POST body is read whole before the handler; one over max_body_bytes is "
          "answered by bad_body and the connection closed, the handler never running") {
    RouteServerOptions options;
    options.max_body_bytes = 16;
    options.bad_body = [](BodyProblem problem, const RouteRequest&, RouteResponse& response) {
        response.status = problem == BodyProblem::too_large ? 413 : 400;
        response.set_content("{\"refused\":true}", "application/json");
    };
    std::atomic<int> handled{0};
    RouteServer server(options);
    server.post("/echo", [&handled](const RouteRequest& request, RouteResponse& response) {
        ++handled;
        response.set_content("got " + request.body, "text/plain");
    });

    httplib::Client client = start_on_loopback(server);
    const auto small = client.Post("/echo", "0123456789", "text/plain");
    REQUIRE(small);
    CHECK(small->status == 200);
    CHECK(small->body == "got 0123456789");

    const auto large = client.Post("/echo", std::string(1000, 'x'), "text/plain");
    REQUIRE(large);
    CHECK(large->status == 413);
    CHECK(large->body == "{\"refused\":true}");
    CHECK(large->get_header_value("Connection") == "close");
    CHECK(handled == 1);
}

TEST_CASE("routes: no route gets not_found's answer; a handler that throws gets failed's, and "
          "its message stays out of the answer") {
    RouteServerOptions options;
    options.not_found = [](const RouteRequest& request, RouteResponse& response) {
        response.status = 404;
        response.set_content("no " + request.path, "text/plain");
    };
    std::string logged;
    options.failed = [&logged](const RouteRequest&, RouteResponse& response,
                               const std::string& what) {
        logged = what;
        response.status = 500;
        response.set_content("{\"error\":\"internal error\"}", "application/json");
    };
    RouteServer server(options);
    server.get("/boom", [](const RouteRequest&, RouteResponse&) {
        throw std::runtime_error("cannot open /home/someone/secret.log");
    });

    httplib::Client client = start_on_loopback(server);
    const auto missing = client.Get("/nowhere");
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(missing->body == "no /nowhere");

    const auto boom = client.Get("/boom");
    REQUIRE(boom);
    CHECK(boom->status == 500);
    CHECK(boom->body == "{\"error\":\"internal error\"}");
    server.stop(); // joins the thread that wrote `logged`
    CHECK(logged == "cannot open /home/someone/secret.log");
}

TEST_CASE("routes: a streamed body goes out in chunks until the stream says it is complete, and "
          "stream_ended runs once") {
    std::atomic<int> ended{0};
    RouteServer server(RouteServerOptions{});
    server.get("/events", [&ended](const RouteRequest&, RouteResponse& response) {
        response.content_type = "text/event-stream";
        auto count = std::make_shared<int>(0);
        response.stream = [count](const StreamWriter& write) {
            ++*count;
            if (*count == 2) {
                return write(""); // nothing this time
            }
            return write("data: " + std::to_string(*count) + "\n\n") && *count < 4;
        };
        response.stream_ended = [&ended] { ++ended; };
    });

    httplib::Client client = start_on_loopback(server);
    const auto answer = client.Get("/events");
    REQUIRE(answer);
    CHECK(answer->status == 200);
    CHECK(answer->get_header_value("Transfer-Encoding") == "chunked");
    CHECK(answer->get_header_value("Content-Type") == "text/event-stream");
    CHECK(answer->body == "data: 1\n\ndata: 3\n\ndata: 4\n\n");
    server.stop();
    CHECK(ended == 1);
}
