// `listen --tls-cert/--tls-key`: HTTPS served by the same wire server and request parser as plain
// http, checked with a self-signed certificate made by the test and clients that verify it.
#include "capture/store.hpp"
#include "http/client.hpp"
#include "integration/listen_raw_socket.hpp"
#include "listen/listener.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

using namespace blandhook;
using test::post_request;
using test::RawConnection;

namespace {

struct TlsListener {
    test::TempDir dir;
    std::unique_ptr<listen::Listener> listener;

    explicit TlsListener(listen::ListenerOptions options = {}) {
        REQUIRE(test::make_self_signed_cert(dir));
        options.tls_cert = dir.file("cert.pem");
        options.tls_key = dir.file("key.pem");
        listener = test::start_listener(dir.file("c.ndjson"), options);
    }
    int port() const { return listener->port(); }
    std::string ca() const { return dir.file("cert.pem"); }

    test::RawAnswer send(const std::string& bytes) const {
        RawConnection connection(port(), std::chrono::seconds(5));
        REQUIRE(connection.start_tls(ca()));
        REQUIRE(connection.send(bytes));
        return connection.read_answer();
    }
};

} // namespace

TEST_CASE("tls: a client that verifies the certificate delivers a webhook, captured with its "
          "headers in wire order and its body undecoded") {
    TlsListener tls;
    CHECK(tls.listener->url().starts_with("https://127.0.0.1:"));
    http::ClientOptions options;
    options.ca_file = tls.ca();
    http::Client client(http::parse_url(tls.listener->url() + "/hook?x=1"), options);
    http::Request request;
    request.target = "/hook?x=1";
    request.headers = {{"Content-Type", "application/json"}, {"Zeta", "1"}, {"Alpha", "2"}};
    request.body = R"({"call_id":"tls-1","completed":true})";
    const http::Attempt attempt = client.send(request);
    REQUIRE(attempt.response);
    CHECK(attempt.response->status == 200);
    // A second request on the same (kept-alive) TLS connection.
    REQUIRE(client.send(request).response);

    const auto captured = tls.listener->store().wait_for(
        [](const capture::Capture& c) { return c.payload.call_id == "tls-1"; },
        std::chrono::seconds(5));
    REQUIRE(captured);
    CHECK(captured->tls == "https");
    CHECK(captured->path == "/hook");
    CHECK(captured->query == "x=1");
    CHECK(captured->body == request.body);
    CHECK(tls.listener->store().appended() == 2);

    // httplib's server sorted header names (Alpha before Zeta); the wire server keeps them as
    // sent, over TLS as over plain http.
    CHECK(tls.send("POST /order HTTP/1.1\r\nZeta: 1\r\nHost: 127.0.0.1\r\nAlpha: 2\r\n"
                   "Content-Length: 2\r\n\r\n{}")
              .status == 200);
    const auto ordered = tls.listener->store().wait_for(
        [](const capture::Capture& c) { return c.path == "/order"; }, std::chrono::seconds(5));
    REQUIRE(ordered);
    std::string names;
    for (const capture::Header& header : ordered->headers) {
        names += header.name + ",";
    }
    CHECK(names == "Zeta,Host,Alpha,Content-Length,");
}

TEST_CASE("tls: what plain http refuses is refused over TLS too (one parser): a bare CR in a "
          "header is 400 and nothing is captured") {
    TlsListener tls;
    const test::RawAnswer bare_cr = tls.send("POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Evil: "
                                             "a\rInjected: 1\r\nContent-Length: 2\r\n\r\n{}");
    CHECK(bare_cr.status == 400);
    const test::RawAnswer smuggled =
        tls.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: "
                 "chunked\r\n\r\n0\r\n\r\n");
    CHECK(smuggled.status == 400);
    CHECK(tls.listener->store().appended() == 0);
    CHECK(tls.send(post_request("/after", "{}")).status == 200);
    CHECK(tls.listener->store().appended() == 1);
}

TEST_CASE("tls: the inspector is not served on the TLS capture port either") {
    TlsListener tls;
    const std::string host = "Host: 127.0.0.1:" + std::to_string(tls.port()) + "\r\n";
    for (const char* target :
         {"/_blandhook/", "/_blandhook/api/captures", "/_blandhook/api/answer"}) {
        CAPTURE(target);
        CHECK(tls.send("GET " + std::string(target) + " HTTP/1.1\r\n" + host + "\r\n").status ==
              404);
    }
    CHECK(tls.send("GET /_blandhook/health HTTP/1.1\r\n" + host + "\r\n").status == 200);
}

TEST_CASE("tls: plain http, a garbage handshake and a client that does not trust the certificate "
          "are dropped, and the listener goes on") {
    TlsListener tls;
    {
        RawConnection plain(tls.port(), std::chrono::seconds(5));
        REQUIRE(plain.send(post_request("/plain", "{}")));
        CHECK_FALSE(plain.read_answer().status == 200);
    }
    {
        RawConnection garbage(tls.port(), std::chrono::seconds(5));
        REQUIRE(garbage.send(std::string("\x16\x03\x01\x00\x05hello", 10)));
        CHECK(garbage.closed_by_server());
    }
    {
        http::Client untrusting(http::parse_url(tls.listener->url() + "/"), {});
        const http::Attempt refused = untrusting.send(http::Request{});
        CHECK_FALSE(refused.response);
        CHECK(refused.error.find("certificate") != std::string::npos);
    }
    CHECK(tls.send(post_request("/after", "{}")).status == 200);
    CHECK(tls.listener->store().appended() == 1);
}

TEST_CASE("tls: a body sent in many small TLS records, and a large one, arrive whole") {
    TlsListener tls;
    RawConnection connection(tls.port(), std::chrono::seconds(10));
    REQUIRE(connection.start_tls(tls.ca()));
    const std::string body = "{\"call_id\":\"pieces\",\"pad\":\"" + std::string(3000, 'p') + "\"}";
    const std::string request = post_request("/pieces", body);
    for (std::size_t at = 0; at < request.size(); at += 97) {
        REQUIRE(connection.send(request.substr(at, 97)));
    }
    CHECK(connection.read_answer().status == 200);
    const std::string big(2u << 20, 'b');
    REQUIRE(connection.send(post_request("/big", big)));
    CHECK(connection.read_answer().status == 200);
    const auto captured = tls.listener->store().wait_for(
        [](const capture::Capture& c) { return c.path == "/big"; }, std::chrono::seconds(5));
    REQUIRE(captured);
    CHECK(captured->body.size() == big.size());
}
