// What the listener's own HTTP/1.1 server does on the wire: headers kept as sent, bodies never
// decoded beyond chunked framing, interim and pipelined answers, keep-alive rules, timeouts,
// /_blandhook/ reserved, and handlers that block moved off the event loop.
#include "capture/store.hpp"
#include "integration/listen_raw_socket.hpp"
#include "listen/listener.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace blandhook;
using test::post_request;
using test::RawConnection;

namespace {

// A listener on 127.0.0.1, port 0, with `options`, logging into a scratch directory.
struct Logged {
    explicit Logged(listen::ListenerOptions options = {})
        : listener(test::start_listener(dir.file("c.ndjson"), std::move(options))) {}

    int port() const { return listener->port(); }
    /// What the log holds now, in order.
    std::vector<capture::Capture> captures() const {
        std::vector<capture::Capture> found;
        capture::read_log(dir.file("c.ndjson"), [&](capture::Capture&& capture) {
            found.push_back(std::move(capture));
            return true;
        });
        return found;
    }

    test::TempDir dir; ///< declared first: it outlives the listener that writes into it
    std::unique_ptr<listen::Listener> listener;
};

} // namespace

TEST_CASE("wire: headers are logged in the order sent, with duplicates and their case") {
    const Logged wire;
    const std::string request = "POST /h HTTP/1.1\r\nZeta: 1\r\nhost: 127.0.0.1\r\nX-Dup: first\r\n"
                                "accept: */*\r\nX-Dup: second\r\nX-Empty:\r\n"
                                "X-Spaces:   padded value \t\r\nContent-Length: 2\r\n\r\n{}";
    const test::RawAnswer answer = test::round_trip(wire.port(), request);
    CHECK(answer.status == 200);
    const auto logged = wire.captures();
    REQUIRE(logged.size() == 1);
    const std::vector<capture::Header> expected = {{"Zeta", "1"},
                                                   {"host", "127.0.0.1"},
                                                   {"X-Dup", "first"},
                                                   {"accept", "*/*"},
                                                   {"X-Dup", "second"},
                                                   {"X-Empty", ""},
                                                   {"X-Spaces", "padded value"},
                                                   {"Content-Length", "2"}};
    REQUIRE(logged[0].headers.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(logged[0].headers[i].name == expected[i].name);
        CHECK(logged[0].headers[i].value == expected[i].value);
    }
}

TEST_CASE("wire: a Content-Encoding body is kept as its bytes, never decoded") {
    const Logged wire;
    const std::string gzip_bytes("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\xae\x05\x00", 14);
    const test::RawAnswer answer = test::round_trip(
        wire.port(), post_request("/gz", gzip_bytes, "Content-Encoding: gzip\r\n"));
    CHECK(answer.status == 200);
    const auto logged = wire.captures();
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].body == gzip_bytes);
    CHECK(logged[0].header("content-encoding") == std::optional<std::string_view>("gzip"));
}

TEST_CASE("wire: chunked bodies are joined, and Expect: 100-continue is answered before the body") {
    const Logged wire;

    RawConnection chunked(wire.port());
    REQUIRE(chunked.send("POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "4\r\n{\"a\"\r\n3;name=ext\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n"));
    CHECK(chunked.read_answer().status == 200);

    RawConnection expecting(wire.port());
    REQUIRE(expecting.send("POST /expect HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                           "Content-Length: 7\r\n\r\n"));
    const test::RawAnswer interim = expecting.read_answer();
    CHECK(interim.status == 100);
    REQUIRE(expecting.send("{\"b\":2}"));
    CHECK(expecting.read_answer().status == 200);

    const auto logged = wire.captures();
    REQUIRE(logged.size() == 2);
    CHECK(logged[0].body == "{\"a\":1}");
    CHECK(logged[0].payload.is_json);
    CHECK(logged[1].body == "{\"b\":2}");
}

TEST_CASE("wire: pipelined requests are answered in order; HEAD has no body; Connection: close "
          "closes") {
    const Logged wire;
    RawConnection connection(wire.port());
    REQUIRE(connection.send(post_request("/one", "{\"n\":1}") +
                            "HEAD /two HTTP/1.1\r\nHost: x\r\n\r\n" +
                            post_request("/three", "{\"n\":3}", "Connection: close\r\n")));
    const test::RawAnswer one = connection.read_answer();
    const test::RawAnswer two = connection.read_answer(test::Asked::head);
    const test::RawAnswer three = connection.read_answer();
    CHECK(one.status == 200);
    CHECK(one.body.find("\"id\":1") != std::string::npos);
    CHECK(two.status == 200);
    CHECK(two.head.find("Content-Length: ") != std::string::npos);
    CHECK(two.body.empty());
    CHECK(three.status == 200);
    CHECK(three.body.find("\"id\":3") != std::string::npos); // the HEAD's body did not go out
    CHECK(three.head.find("Connection: close") != std::string::npos);
    CHECK(connection.closed_by_server());
    const auto logged = wire.captures();
    REQUIRE(logged.size() == 3);
    CHECK(logged[0].path == "/one");
    CHECK(logged[1].method == "HEAD");
    CHECK(logged[2].path == "/three");
}

TEST_CASE("wire: HTTP/1.0 closes after the answer unless it asks for keep-alive") {
    const Logged wire;
    RawConnection plain(wire.port());
    REQUIRE(plain.send("POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}"));
    CHECK(plain.read_answer().status == 200);
    CHECK(plain.closed_by_server());

    RawConnection kept(wire.port());
    REQUIRE(kept.send("POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}"));
    const test::RawAnswer first = kept.read_answer();
    CHECK(first.head.find("Connection: keep-alive") != std::string::npos);
    REQUIRE(kept.send("POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}"));
    CHECK(kept.read_answer().status == 200);
}

TEST_CASE("wire: a body that stops arriving is cut off after the read timeout; others go on") {
    listen::ListenerOptions options;
    options.read_timeout = std::chrono::seconds(1);
    const Logged wire(options);
    RawConnection stalled(wire.port(), std::chrono::seconds(6));
    REQUIRE(stalled.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"partial\""));
    CHECK(test::round_trip(wire.port(), post_request("/", "{}")).status == 200);
    CHECK(stalled.closed_by_server());
    CHECK(wire.listener->store().appended() == 1);
}

TEST_CASE("wire: an unknown /_blandhook path is a 404 that keeps the connection, and a capture on "
          "it keeps the sender's own address") {
    const Logged wire;
    RawConnection connection(wire.port());
    REQUIRE(connection.send("GET /_blandhook/nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"));
    const test::RawAnswer page = connection.read_answer();
    CHECK(page.status == 404);
    CHECK(page.body.find("no such blandhook endpoint") != std::string::npos);
    REQUIRE(connection.send(post_request("/after", "{\"call_id\":\"after-404\"}")));
    CHECK(connection.read_answer().status == 200);
    const auto logged = wire.captures();
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].path == "/after");
    CHECK(logged[0].peer == "127.0.0.1:" + std::to_string(connection.local_port()));
}

TEST_CASE("wire: a --delay runs off the event loop, so other senders are answered meanwhile") {
    listen::ListenerOptions options;
    options.answer.delay = std::chrono::milliseconds(1500);
    const Logged wire(options);
    RawConnection delayed(wire.port());
    REQUIRE(delayed.send(post_request("/slow", "{}")));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // The health check answers while the delayed capture is still waiting to be written.
    const test::RawAnswer health =
        test::round_trip(wire.port(), "GET /_blandhook/health HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(health.status == 200);
    CHECK(health.body.find("\"captures\":0") != std::string::npos);
    CHECK(delayed.read_answer().status == 200);
    CHECK(wire.listener->store().appended() == 1);
}

TEST_CASE("wire: beyond --max-connections a new connection gets 503 and a close, and a slot frees "
          "when one closes") {
    listen::ListenerOptions options;
    options.max_threads = 4;
    const Logged wire(options);
    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < 4; ++i) {
        idle.push_back(std::make_unique<RawConnection>(wire.port()));
        REQUIRE(idle.back()->send(post_request("/", "{}")));
        REQUIRE(idle.back()->read_answer().status == 200);
    }
    const test::RawAnswer refused = test::round_trip(wire.port(), post_request("/", "{}"));
    CHECK(refused.status == 503);
    CHECK(refused.body.find("too many open connections") != std::string::npos);
    idle.pop_back();
    test::RawAnswer after;
    for (int attempt = 0; attempt < 50 && after.status != 200; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20)); // the close reaches the server
        after = test::round_trip(wire.port(), post_request("/", "{}"));
    }
    CHECK(after.status == 200);
}

TEST_CASE("wire: a sender still uploading a body over the limit reads its 413, not a reset") {
    listen::ListenerOptions options;
    options.max_body_bytes = 64 * 1024;
    const Logged wire(options);
    RawConnection uploading(wire.port());
    REQUIRE(uploading.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n"));
    // The answer is decided from the head; the body keeps coming meanwhile, and every byte of it
    // is accepted (a listener that closed at once would reset the connection under the sender).
    const std::string piece(256 * 1024, 'x');
    for (int i = 0; i < 15; ++i) {
        CHECK(uploading.send(piece));
    }
    const test::RawAnswer answer = uploading.read_answer();
    CHECK(answer.status == 413);
    CHECK(answer.body.find("body larger than 65536 bytes") != std::string::npos);
    CHECK(wire.listener->store().appended() == 0);
}
