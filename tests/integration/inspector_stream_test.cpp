// The inspector's event stream on the wire, against the built `blandhook listen`: new captures
// arrive as server-sent events, and a stream whose browser went away gives its slot back.
#include "inspector/inspector.hpp"
#include "listen/listener.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using blandhook::test::start_blandhook;

// A raw TCP connection to 127.0.0.1:port, closed on destruction.
class Connection {
public:
    explicit Connection(int port) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    }
    ~Connection() { close(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void send(const std::string& data) {
        REQUIRE(::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(data.size()));
    }
    // Reads until `needle` appears in what was received, or the deadline passes.
    bool read_until(const std::string& needle, std::chrono::milliseconds timeout = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (m_received.find(needle) == std::string::npos) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                return false;
            }
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return false;
            }
            char buffer[4096];
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                return m_received.find(needle) != std::string::npos;
            }
            m_received.append(buffer, static_cast<std::size_t>(n));
        }
        return true;
    }
    const std::string& received() const { return m_received; }
    // Reads until the peer closes the connection; false when the deadline passes first.
    bool read_until_closed(std::chrono::milliseconds timeout = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{m_fd, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return false;
            }
            char buffer[4096];
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                return true;
            }
            m_received.append(buffer, static_cast<std::size_t>(n));
        }
    }
    void close() {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }

private:
    int m_fd = -1;
    std::string m_received;
};

std::string events_request(int port) {
    return "GET /_blandhook/api/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nAccept: text/event-stream\r\n\r\n";
}

void post_webhook(int port, const std::string& body) {
    Connection connection(port);
    connection.send("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body);
    REQUIRE(connection.read_until("\r\n\r\n"));
    CHECK(connection.received().starts_with("HTTP/1.1 200"));
}

} // namespace

TEST_CASE("inspector: a capture arrives on an open event stream as a server-sent event") {
    auto listener = start_blandhook({"listen", "--port", "0", "--no-save", "--quiet"});
    const int port = blandhook::test::wait_for_port(*listener);
    const int inspector = blandhook::test::inspector_port(*listener);

    Connection stream(inspector);
    stream.send(events_request(inspector));
    REQUIRE(stream.read_until("retry:"));
    CHECK(stream.received().starts_with("HTTP/1.1 200"));
    CHECK(stream.received().find("Content-Type: text/event-stream") != std::string::npos);

    post_webhook(port, R"({"call_id":"sse-1","message":"Call connected","category":"call",)"
                       R"("log_level":"info"})");
    REQUIRE(stream.read_until("\"call_id\":\"sse-1\""));
    const std::string& wire = stream.received();
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
    std::vector<std::unique_ptr<Connection>> streams;
    for (int i = 0; i < k_cap; ++i) {
        streams.push_back(std::make_unique<Connection>(inspector));
        streams.back()->send(events_request(inspector));
        REQUIRE(streams.back()->read_until("retry:"));
    }
    {
        Connection refused(inspector);
        refused.send(events_request(inspector));
        REQUIRE(refused.read_until("\r\n\r\n"));
        CHECK(refused.received().starts_with("HTTP/1.1 503"));
    }
    // Webhook capture is not starved by open streams.
    post_webhook(port, R"({"call_id":"while-streaming"})");

    streams.clear(); // every browser goes away
    bool accepted = false;
    for (int attempt = 0; attempt < 100 && !accepted; ++attempt) {
        Connection again(inspector);
        again.send(events_request(inspector));
        REQUIRE(again.read_until("\r\n\r\n"));
        accepted = again.received().starts_with("HTTP/1.1 200");
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

    Connection stream(listener.inspector_port());
    stream.send(events_request(listener.inspector_port()));
    REQUIRE(stream.read_until("retry:"));
    listener.stop();
    CHECK(stream.read_until_closed());
    CHECK_FALSE(listener.running());
}
