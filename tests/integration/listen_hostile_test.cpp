// A catalogue of hostile and malformed requests sent over raw sockets to an in-process listener.
// For each one: the listener must neither crash nor hang, and must then answer and capture a
// normal webhook. Where the right answer is certain, it is checked too.
#include "capture/store.hpp"
#include "integration/listen_raw_socket.hpp"
#include "listen/listener.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <fmt/core.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace blandhook;
using test::post_request;
using test::RawConnection;
using test::round_trip;

namespace {

struct Hostile {
    const char* name;
    std::string bytes;
    int expected_status = -1; ///< -1: any answer or a close is fine
    bool half_close = false;  ///< shut our sending side after the bytes
};

std::string chunked(const std::string& chunks) {
    return "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks;
}

std::vector<Hostile> catalogue() {
    std::vector<Hostile> list;
    const std::string nested_arrays = std::string(100'000, '[') + std::string(100'000, ']');
    std::string nested_objects;
    for (int i = 0; i < 100'000; ++i) {
        nested_objects += "{\"a\":";
    }
    nested_objects += "1" + std::string(100'000, '}');
    std::string many_headers = "POST / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 2000; ++i) {
        many_headers += fmt::format("X-H{}: {}\r\n", i, i);
    }
    many_headers += "Content-Length: 2\r\n\r\n{}";
    std::string duplicate_keys = "{";
    for (int i = 0; i < 20'000; ++i) {
        duplicate_keys += "\"call_id\":\"dup\",";
    }
    duplicate_keys += "\"completed\":true}";
    std::string big_chunks;
    const std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 12; ++i) {
        big_chunks += fmt::format("{:x}\r\n", chunk.size()) + chunk + "\r\n";
    }
    big_chunks += "0\r\n\r\n";

    list.push_back({"garbage request line", "GARBAGE\r\n\r\n", 400});
    list.push_back({"unknown method", "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n"});
    list.push_back({"HTTP/0.9 style request", "GET /\r\n\r\n", -1, true});
    list.push_back(
        {"10,000 byte URI", "GET /" + std::string(10'000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"});
    list.push_back(
        {"16 KB header value", "POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(16'384, 'v') +
                                   "\r\nContent-Length: 2\r\n\r\n{}"});
    list.push_back({"2,000 headers", many_headers});
    list.push_back({"header without colon",
                    "POST / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nContent-Length: 2\r\n\r\n{}"});
    list.push_back({"negative Content-Length",
                    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}", -1, true});
    list.push_back({"non-numeric Content-Length",
                    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", -1, true});
    list.push_back({"Content-Length beyond the bytes sent, then EOF",
                    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"call_id\":", -1,
                    true});
    list.push_back(
        {"two different Content-Length headers",
         "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\n{}", -1,
         true});
    list.push_back({"Content-Length and chunked together (smuggling)",
                    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: "
                    "chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
                    -1, true});
    list.push_back({"chunk size that is not hex", chunked("zz\r\nhello\r\n0\r\n\r\n"), -1, true});
    list.push_back({"chunk size of 2^64-1", chunked("ffffffffffffffff\r\nabc\r\n"), -1, true});
    list.push_back({"12 MiB in chunks (over the body limit)", chunked(big_chunks), -1, true});
    list.push_back(
        {"declared 11 MiB body",
         "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(11u << 20) + "\r\n\r\n{",
         -1, true});
    list.push_back({"NUL bytes in the path",
                    std::string("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n", 29), -1, true});
    list.push_back({"path traversal", "GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"});
    list.push_back({"broken percent-encoding", "GET /%zz%%ff% HTTP/1.1\r\nHost: x\r\n\r\n"});
    list.push_back({"100,000 nested brackets", post_request("/nested", nested_arrays), 200});
    list.push_back({"100,000 nested objects", post_request("/nested", nested_objects), 200});
    list.push_back({"invalid UTF-8 inside JSON strings",
                    post_request("/", "{\"call_id\":\"\xff\xfe\",\"completed\":true}"), 200});
    list.push_back(
        {"lone surrogate escapes", post_request("/", R"({"call_id":"\ud800\udfff\udc00"})"), 200});
    list.push_back({"a number with 100,000 digits",
                    post_request("/", "[" + std::string(100'000, '9') + "]"), 200});
    list.push_back({"1e999999 and -0", post_request("/", "[1e999999,-0,-1e-999999]"), 200});
    list.push_back({"20,000 duplicate keys", post_request("/", duplicate_keys), 200});
    list.push_back({"connect and close at once", "", -1, true});
    list.push_back({"Expect: 100-continue",
                    "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
                    "2\r\n\r\n{}"});
    list.push_back({"obsolete header folding",
                    "POST / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\nContent-Length: "
                    "2\r\n\r\n{}"});
    list.push_back({"gzip Content-Encoding with a body that is not gzip",
                    "POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: "
                    "4\r\n\r\nnope",
                    -1, true});
    list.push_back({"two pipelined requests in one write",
                    post_request("/p1", "{}") + post_request("/p2", "{}"), 200});
    list.push_back(
        {"absolute-form target",
         "POST http://evil.example/x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"});
    list.push_back({"HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", -1, true});
    list.push_back(
        {"TLS ClientHello on the plain port",
         std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11) + std::string(160, '\x00'),
         -1, true});
    list.push_back({"HTTP/1.0 without Host", "POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}"});
    list.push_back({"control characters in a header value",
                    "POST / HTTP/1.1\r\nHost: x\r\nX-Ctl: \x01\x02\x1b[31m\r\nContent-Length: "
                    "2\r\n\r\n{}"});
    list.push_back(
        {"a 4 KB garbage signature",
         post_request("/", "{}", "X-Webhook-Signature: " + std::string(4'000, 'z') + "\r\n"), 200});
    list.push_back({"HTML with script as the body",
                    post_request("/", "<script>alert(1)</script><img src=x onerror=alert(2)>"),
                    200});
    list.push_back({"bare CR in a header value (header injection when relayed)",
                    "POST / HTTP/1.1\r\nHost: x\r\nX-Evil: a\rInjected: 1\r\nContent-Length: "
                    "2\r\n\r\n{}",
                    400});
    list.push_back({"bare CR in a header name",
                    "POST / HTTP/1.1\r\nHost: x\r\nX-A\rB: 1\r\nContent-Length: 2\r\n\r\n{}", 400});
    list.push_back({"bare CR at the end of a header value",
                    "POST / HTTP/1.1\r\nHost: x\r\nX-Evil: a\r\r\nContent-Length: 2\r\n\r\n{}",
                    400});
    list.push_back({"asterisk-form target", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 200});
    list.push_back({"the inspector's API with the listener's own Host, as through a tunnel",
                    "GET /_blandhook/api/captures HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 404});
    list.push_back({"an inspector action with the listener's own Host, as through a tunnel",
                    "POST /_blandhook/api/answer HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: "
                    "http://127.0.0.1\r\nContent-Length: 14\r\n\r\n{\"status\":418}",
                    404});
    return list;
}

std::string normal_webhook(int index) {
    return R"({"call_id":"after-)" + std::to_string(index) +
           R"(","completed":true,"status":"completed","concatenated_transcript":"user: hi"})";
}

// Sends every catalogue entry on a connection of its own (TLS when `ca` names the certificate to
// verify), then a normal webhook, which must be answered and captured.
void survive_catalogue(listen::Listener& listener, const std::string& ca) {
    const int port = listener.port();
    const auto exchange = [&](const std::string& bytes, bool half_close) {
        RawConnection connection(port, std::chrono::seconds(5));
        REQUIRE(connection.connected());
        if (!ca.empty()) {
            REQUIRE(connection.start_tls(ca));
        }
        connection.send(bytes);
        if (half_close) {
            connection.finish_sending();
        }
        return connection.read_answer();
    };
    const std::vector<Hostile> hostile = catalogue();
    CHECK(hostile.size() >= 25);
    for (std::size_t i = 0; i < hostile.size(); ++i) {
        const Hostile& item = hostile[i];
        const std::string name = item.name;
        CAPTURE(name);
        const test::RawAnswer answer = exchange(item.bytes, item.half_close);
        if (item.expected_status != -1) {
            CHECK(answer.status == item.expected_status);
        }
        MESSAGE(fmt::format("{}: {}", item.name,
                            answer.answered ? std::to_string(answer.status) : "closed"));
        const test::RawAnswer after =
            exchange(post_request("/after", normal_webhook(static_cast<int>(i))), false);
        CHECK(after.status == 200);
        const auto captured = listener.store().wait_for(
            [&](const capture::Capture& c) {
                return c.payload.call_id == "after-" + std::to_string(i);
            },
            std::chrono::seconds(5));
        CHECK(captured.has_value());
    }
}

} // namespace

TEST_CASE("listen: every hostile request in the catalogue is survived, and a normal webhook is "
          "answered and captured after each") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.secret = "s";
    options.read_timeout = std::chrono::seconds(2);
    const auto started = test::start_listener(dir.file("c.ndjson"), options);
    survive_catalogue(*started, "");
}

TEST_CASE("listen --tls-cert: the same catalogue over TLS gets the same answers (one parser "
          "judges every request)") {
    test::TempDir dir;
    REQUIRE(test::make_self_signed_cert(dir));
    listen::ListenerOptions options;
    options.secret = "s";
    options.read_timeout = std::chrono::seconds(2);
    options.tls_cert = dir.file("cert.pem");
    options.tls_key = dir.file("key.pem");
    const auto started = test::start_listener(dir.file("c.ndjson"), options);
    survive_catalogue(*started, dir.file("cert.pem"));
}

TEST_CASE("listen: a slow client that never finishes its headers does not block others") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.port = 0;
    options.store.path = dir.file("c.ndjson");
    options.read_timeout = std::chrono::seconds(1);
    listen::Listener listener(options);
    listener.start();
    std::vector<std::unique_ptr<RawConnection>> slow;
    for (int i = 0; i < 50; ++i) {
        slow.push_back(std::make_unique<RawConnection>(listener.port()));
        slow.back()->send("POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    }
    CHECK(round_trip(listener.port(), post_request("/", normal_webhook(0)), std::chrono::seconds(5))
              .status == 200);
    // And the slow one is cut off by the read timeout rather than held forever.
    CHECK(slow.front()->closed_by_server());
}

TEST_CASE("listen: 600 mutated requests (bytes flipped, cut, doubled, CR LF and NUL inserted, "
          "split across writes) never crash or hang the server") {
    // A deterministic mutation fuzzer over the request parser: every input is sent on its own
    // connection, half-closed, and must get an answer or a close; a normal webhook must still be
    // answered at the end. Under AddressSanitizer (.ci/run) this also checks every byte touched.
    test::TempDir dir;
    listen::ListenerOptions options;
    options.read_timeout = std::chrono::seconds(1);
    const auto listener = test::start_listener(dir.file("c.ndjson"), options);
    const int port = listener->port();

    const std::vector<std::string> seeds = {
        post_request("/hook?x=1", normal_webhook(1), "X-Webhook-Signature: abc\r\n"),
        "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\n{\"a\":\r\n2;e=1\r\n1}\r\n0\r\nT: 1\r\n\r\n",
        "GET /_blandhook/health HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}" +
            post_request("/second", "{}"),
        "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nnull",
    };
    const std::string inserts[] = {"\r",  "\n",       "\r\n", std::string(1, '\0'), " ", ":",
                                   ";",   "\r\n\r\n", "0",    "ffffffff",           "-", "\t",
                                   "\xff"};
    std::uint32_t state = 2026;
    auto next = [&state] {
        state = state * 1103515245u + 12345u;
        return (state >> 8) & 0xffffff;
    };
    for (int round = 0; round < 600; ++round) {
        std::string bytes = seeds[next() % seeds.size()];
        const int edits = 1 + static_cast<int>(next() % 4);
        for (int e = 0; e < edits && !bytes.empty(); ++e) {
            const std::size_t at = next() % bytes.size();
            switch (next() % 5) {
            case 0:
                bytes[at] = static_cast<char>(next() & 0xff);
                break;
            case 1:
                bytes.resize(at);
                break;
            case 2:
                bytes.insert(at, bytes.substr(at, next() % 64));
                break;
            case 3:
                bytes.insert(at, inserts[next() % std::size(inserts)]);
                break;
            default:
                bytes.erase(at, 1 + next() % 8);
                break;
            }
        }
        CAPTURE(round);
        RawConnection connection(port, std::chrono::seconds(5));
        REQUIRE(connection.connected());
        // Sent in two writes so that the parser also meets the request cut at a random place.
        const std::size_t split = bytes.empty() ? 0 : next() % bytes.size();
        connection.send(bytes.substr(0, split));
        connection.send(bytes.substr(split));
        connection.finish_sending();
        REQUIRE(connection.closed_by_server()); // answered (or not) and closed, within 5 s
    }
    const test::RawAnswer after =
        round_trip(port, post_request("/after", normal_webhook(7)), std::chrono::seconds(5));
    CHECK(after.status == 200);
}

TEST_CASE("listen: through a tunnel to the capture port (a connection from 127.0.0.1 carrying the "
          "listener's own Host), /_blandhook/ reveals no capture and no token, and changes "
          "nothing; the inspector answers on its own port") {
    // `ssh -R`, cloudflared and ngrok all deliver the remote sender's connection from 127.0.0.1,
    // with whatever Host header the sender wrote.
    test::TempDir dir;
    auto child =
        test::start_blandhook({"listen", "--port", "0", "--save", dir.file("c.ndjson"), "--quiet"});
    const int port = test::wait_for_port(*child, "listening on http://127.0.0.1:");
    const std::string secret_body = R"({"call_id":"private-call-7","completed":true})";
    REQUIRE(round_trip(port, post_request("/webhook", secret_body)).status == 200);

    const std::string own_host = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    const auto get = [&](int to, const std::string& target, const std::string& host) {
        return round_trip(to, "GET " + target + " HTTP/1.1\r\n" + host + "\r\n",
                          std::chrono::seconds(5));
    };
    for (const char* target :
         {"/_blandhook/", "/_blandhook", "/_blandhook/api/captures", "/_blandhook/api/captures/1",
          "/_blandhook/api/captures/1/fixture", "/_blandhook/api/answer", "/_blandhook/app.js"}) {
        CAPTURE(target);
        const test::RawAnswer answer = get(port, target, own_host);
        CHECK(answer.status == 404);
        CHECK(answer.body.find("private-call-7") == std::string::npos);
        CHECK(answer.body.find("blandhook-token") == std::string::npos);
    }
    // The page token, were it leaked, would allow actions: ask for them with a guessed one and
    // with whatever the page handed out.
    std::string token(32, 'f');
    const test::RawAnswer page = get(port, "/_blandhook/", own_host);
    if (const auto at = page.body.find("name=\"blandhook-token\" content=\"");
        at != std::string::npos) {
        token = page.body.substr(at + 33, 32);
    }
    const auto post = [&](const std::string& target, const std::string& body) {
        return round_trip(port,
                          "POST " + target + " HTTP/1.1\r\n" + own_host +
                              "Origin: http://127.0.0.1:" + std::to_string(port) +
                              "\r\nX-Blandhook-Token: " + token +
                              "\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body,
                          std::chrono::seconds(5));
    };
    CHECK(post("/_blandhook/api/answer", R"({"status":418})").status == 404);
    CHECK(post("/_blandhook/api/captures/1/replay", R"({"url":"http://127.0.0.1:9/"})").status ==
          404);
    CHECK(post("/_blandhook/api/captures/1/curl", "{}").status == 404);
    // Nothing changed: webhooks still get the configured 200.
    CHECK(round_trip(port, post_request("/after", "{}")).status == 200);
    // The health check stays on the capture port.
    CHECK(get(port, "/_blandhook/health", own_host).status == 200);

    // The inspector is on a port of its own, on loopback, and shows the capture there.
    const int inspector = test::inspector_port(*child);
    CHECK(inspector != port);
    const test::RawAnswer list = get(inspector, "/_blandhook/api/captures",
                                     "Host: 127.0.0.1:" + std::to_string(inspector) + "\r\n");
    CHECK(list.status == 200);
    CHECK(list.body.find("private-call-7") != std::string::npos);
    // Its Host guard stands: the capture port's name is not the inspector's.
    CHECK(get(inspector, "/_blandhook/api/captures", own_host).status == 403);
}

TEST_CASE("listen: senders trickling their body a byte at a time are cut off at the request "
          "deadline, and a normal webhook is served while they are connected") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.max_threads = 10;                                  // --max-connections
    options.read_timeout = std::chrono::seconds(5);            // each byte comes well within this
    options.request_timeout = std::chrono::milliseconds(1500); // but the whole request does not
    const auto listener = test::start_listener(dir.file("c.ndjson"), options);
    const int port = listener->port();

    std::vector<std::unique_ptr<RawConnection>> slow;
    for (int i = 0; i < 8; ++i) {
        slow.push_back(std::make_unique<RawConnection>(port, std::chrono::seconds(5)));
        REQUIRE(
            slow.back()->send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"));
    }
    // While they trickle, a normal sender is answered at once.
    CHECK(round_trip(port, post_request("/", normal_webhook(0)), std::chrono::seconds(5)).status ==
          200);
    // One byte every 300 ms: each read is on time, the request as a whole is not.
    bool all_cut = false;
    for (int tick = 0; tick < 20 && !all_cut; ++tick) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        all_cut = true;
        for (auto& connection : slow) {
            all_cut = !connection->send("x") && all_cut;
        }
    }
    CHECK(all_cut);
    for (auto& connection : slow) {
        CHECK(connection->closed_by_server());
    }
    CHECK(listener->store().appended() == 1); // no partial body was captured
    // Every slot is free again.
    CHECK(round_trip(port, post_request("/", normal_webhook(1)), std::chrono::seconds(5)).status ==
          200);
}

TEST_CASE("listen: slow senders filling --max-connections are cut off at the request deadline, "
          "after which new senders are served again") {
    test::TempDir dir;
    listen::ListenerOptions options;
    options.max_threads = 6;
    options.request_timeout = std::chrono::milliseconds(1000);
    const auto listener = test::start_listener(dir.file("c.ndjson"), options);
    const int port = listener->port();
    std::vector<std::unique_ptr<RawConnection>> slow;
    for (int i = 0; i < 6; ++i) {
        slow.push_back(std::make_unique<RawConnection>(port, std::chrono::seconds(5)));
        REQUIRE(slow.back()->send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(round_trip(port, post_request("/", normal_webhook(2)), std::chrono::seconds(5)).status ==
          503);
    int status = 0;
    for (int attempt = 0; attempt < 40 && status != 200; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        for (auto& connection : slow) {
            connection->send("x"); // keeps each read on time
        }
        status =
            round_trip(port, post_request("/", normal_webhook(3)), std::chrono::seconds(5)).status;
    }
    CHECK(status == 200);
}
