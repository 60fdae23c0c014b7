// The inspector's event stream on the wire, against the built `blandhook listen`: new captures
// arrive as server-sent events, and a stream whose browser went away gives its slot back.
#include "inspector/inspector.hpp"
#include "integration/listen_raw_socket.hpp"
#include "listen/listener.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using blandhook::test::RawConnection;
using blandhook::test::start_blandhook;

std::string events_request(int port) {
    return "GET /_blandhook/api/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nAccept: text/event-stream\r\n\r\n";
}

void post_webhook(int port, const std::string& body) {
    CHECK(
        blandhook::test::round_trip(port, blandhook::test::post_request("/webhook", body)).status ==
        200);
}

// A connection to the inspector at `port` that asked for its event stream.
std::unique_ptr<RawConnection> events_stream(int port) {
    auto connection = std::make_unique<RawConnection>(port);
    REQUIRE(connection->connected());
    REQUIRE(connection->send(events_request(port)));
    return connection;
}

} // namespace

TEST_CASE("inspector: a capture arrives on an open event stream as a server-sent event") {
    auto listener = start_blandhook({"listen", "--port", "0", "--no-save", "--quiet"});
    const int port = blandhook::test::wait_for_port(*listener);
    const int inspector = blandhook::test::inspector_port(*listener);

    auto stream = events_stream(inspector);
    REQUIRE(stream->read_until("retry:"));
    CHECK(stream->received().starts_with("HTTP/1.1 200"));
    CHECK(stream->received().find("Content-Type: text/event-stream") != std::string::npos);

    post_webhook(port, R"({"call_id":"sse-1","message":"Call connected","category":"call",)"
                       R"("log_level":"info"})");
    REQUIRE(stream->read_until("\"call_id\":\"sse-1\""));
    const std::string& wire = stream->received();
    const auto event = wire.find("event: capture\ndata: {");
    REQUIRE(event != std::string::npos);
    CHECK(wire.rfind("id: 1\n", event) != std::string::npos);
    CHECK(wire.find("\"kind\":\"live-event\"", event) != std::string::npos);
}

TEST_CASE("inspector: streams are capped, and a stream whose client left frees its slot") {
    auto listener = start_blandhook({"listen", "--port", "0", "--no-save", "--quiet"});
    const int port = blandhook::test::wait_for_port(*listener);
    const int inspector = blandhook::test::inspector_port(*listener);

    constexpr int k_cap = 64; // inspector::Feed::k_max_streams
    std::vector<std::unique_ptr<RawConnection>> streams;
    for (int i = 0; i < k_cap; ++i) {
        streams.push_back(events_stream(inspector));
        REQUIRE(streams.back()->read_until("retry:"));
    }
    {
        auto refused = events_stream(inspector);
        REQUIRE(refused->read_until("\r\n\r\n"));
        CHECK(refused->received().starts_with("HTTP/1.1 503"));
    }
    // Webhook capture is not starved by open streams.
    post_webhook(port, R"({"call_id":"while-streaming"})");

    streams.clear(); // every browser goes away
    bool accepted = false;
    for (int attempt = 0; attempt < 100 && !accepted; ++attempt) {
        auto again = events_stream(inspector);
        REQUIRE(again->read_until("\r\n\r\n"));
        accepted = again->received().starts_with("HTTP/1.1 200");
        if (!accepted) {
            std::this_thread::sleep_for(200ms);
        }
    }
    CHECK(accepted);
}

TEST_CASE("inspector: stopping the listener ends open event streams and closes their connections") {
    blandhook::listen::ListenerOptions options;
    options.port = 0;
    options.store.path = ""; // memory only
    options.inspector = blandhook::listen::InspectorBind{};
    blandhook::listen::Listener listener(options);
    blandhook::inspector::mount(listener);
    listener.start();

    auto stream = events_stream(listener.inspector_port());
    REQUIRE(stream->read_until("retry:"));
    listener.stop();
    CHECK(stream->closed_by_server());
    CHECK_FALSE(listener.running());
}
