#include "http/client.hpp"
#include "http_test_server.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>

using namespace blandhook;
using namespace blandhook::test;
using namespace std::chrono_literals;

namespace {

http::Request post(std::string body) {
    http::Request request;
    request.target = "/hook";
    request.headers = {{"Content-Type", "application/json"}, {"X-Webhook-Signature", "abc"}};
    request.body = std::move(body);
    return request;
}

// `retries` more attempts after the first, `backoff` before the first retry.
http::RetryPolicy retrying(int retries, std::chrono::milliseconds backoff) {
    http::RetryPolicy policy;
    policy.retries = retries;
    policy.backoff = backoff;
    return policy;
}

http::ClientOptions quick() {
    http::ClientOptions options;
    options.connect_timeout = 2000ms;
    options.timeout = 3000ms;
    return options;
}

// Starts `target` and returns a quick client of it.
http::Client start_with_client(LoopbackServer<>& target) {
    target.start();
    return http::Client(http::parse_url(target.url()), quick());
}

} // namespace

TEST_CASE("a POST arrives with its exact body, headers and our User-Agent, on one kept-alive "
          "connection") {
    LoopbackServer<> target;
    std::vector<httplib::Request> seen;
    std::mutex mutex;
    target.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mutex);
        seen.push_back(req);
        res.status = 202;
        res.set_header("X-Answer", "yes");
        res.set_content("{\"ok\":true}", "application/json");
    });
    http::Client client = start_with_client(target);
    const std::string body = "{\"call_id\":\"x\",\"text\":\"caf\xc3\xa9 \\u0001\"}";
    auto first = client.send(post(body));
    auto second = client.send(post(body));
    REQUIRE(first.response);
    REQUIRE(second.response);
    CHECK(first.error.empty());
    CHECK(first.response->status == 202);
    CHECK(first.response->body == "{\"ok\":true}");
    CHECK(http::find_header(first.response->headers, "x-answer") == "yes");

    std::lock_guard lock(mutex);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].body == body);
    CHECK(seen[0].get_header_value("Content-Type") == "application/json");
    CHECK(seen[0].get_header_value("X-Webhook-Signature") == "abc");
    CHECK(seen[0].get_header_value("User-Agent") == std::string("blandhook/") + BLANDHOOK_VERSION);
    CHECK(seen[0].remote_port == seen[1].remote_port); // same TCP connection
}

TEST_CASE("a dead port is reported as connection refused, and retried as the policy says") {
    http::Client client(http::parse_url("http://127.0.0.1:" + std::to_string(dead_port()) + "/"),
                        quick());
    const http::RetryPolicy policy = retrying(2, 5ms);
    int shown = 0;
    auto attempts =
        http::deliver(client, post("{}"), policy, [&](const http::Attempt&) { ++shown; });
    REQUIRE(attempts.size() == 3);
    CHECK(shown == 3);
    for (const auto& attempt : attempts) {
        CHECK_FALSE(attempt.response);
        CHECK(attempt.error == "connection refused");
    }
    CHECK(attempts[0].number == 1);
    CHECK(attempts[2].number == 3);
    CHECK(attempts[0].waited == 0ms);
    CHECK(attempts[1].waited >= 4ms);
    CHECK(attempts[1].waited <= 6ms);
}

TEST_CASE("a host that does not resolve is named") {
    http::Client client(http::parse_url("http://no-such-host.invalid/"), quick());
    auto attempt = client.send(post("{}"));
    CHECK_FALSE(attempt.response);
    CHECK(attempt.error == "could not resolve host no-such-host.invalid");
}

TEST_CASE("a connection reset before any answer is reported as such") {
    ResettingServer target;
    http::Client client(http::parse_url(target.url()), quick());
    auto attempt = client.send(post(std::string(100, 'x')));
    CHECK_FALSE(attempt.response);
    CHECK(attempt.error.find("connection reset") == 0);
}

TEST_CASE("500 then 200 is delivered on the second attempt after the backoff") {
    LoopbackServer<> target;
    std::atomic<int> calls{0};
    target.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
        res.status = calls++ == 0 ? 500 : 200;
    });
    http::Client client = start_with_client(target);
    const http::RetryPolicy policy = retrying(3, 10ms);
    auto attempts = http::deliver(client, post("{}"), policy);
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].response->status == 500);
    CHECK(attempts[1].response->status == 200);
    CHECK(attempts[1].waited >= 8ms);
    CHECK(attempts[1].waited <= 12ms);
}

TEST_CASE("429 with Retry-After waits what the server asked; a 404 is final") {
    LoopbackServer<> target;
    std::atomic<int> calls{0};
    target.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
        if (calls++ == 0) {
            res.status = 429;
            res.set_header("Retry-After", "1");
        } else {
            res.status = 200;
        }
    });
    target.server().Post(
        "/gone", [&](const httplib::Request&, httplib::Response& res) { res.status = 404; });
    http::Client client = start_with_client(target);
    const http::RetryPolicy policy = retrying(5, 10ms);
    auto attempts = http::deliver(client, post("{}"), policy);
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].response->status == 429);
    CHECK(attempts[1].waited == 1000ms);
    CHECK(attempts[1].response->status == 200);

    auto request = post("{}");
    request.target = "/gone";
    auto final_attempts = http::deliver(client, request, policy);
    REQUIRE(final_attempts.size() == 1);
    CHECK(final_attempts[0].response->status == 404);
}

TEST_CASE("an answer slower than the per-attempt timeout is reported as timed out") {
    LoopbackServer<> target;
    std::mutex mutex;
    std::condition_variable released;
    bool release = false;
    target.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
        std::unique_lock lock(mutex);
        released.wait_for(lock, 5s, [&] { return release; });
        res.status = 200;
    });
    target.start();
    auto options = quick();
    options.timeout = 300ms;
    http::Client client(http::parse_url(target.url()), options);
    auto attempt = client.send(post("{}"));
    {
        std::lock_guard lock(mutex);
        release = true;
    }
    released.notify_all();
    CHECK_FALSE(attempt.response);
    CHECK(attempt.error == "timed out after 300 ms");
}

TEST_CASE("redirects are reported, not followed, unless follow_redirects is set") {
    LoopbackServer<> target;
    target.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
        res.set_redirect("/moved", 307);
    });
    target.server().Post("/moved", [&](const httplib::Request&, httplib::Response& res) {
        res.status = 200;
        res.set_content("moved here", "text/plain");
    });
    auto attempt = start_with_client(target).send(post("{}"));
    REQUIRE(attempt.response);
    CHECK(attempt.response->status == 307);
    CHECK(http::find_header(attempt.response->headers, "Location") == "/moved");

    auto options = quick();
    options.follow_redirects = true;
    auto followed = http::Client(http::parse_url(target.url()), options).send(post("{}"));
    REQUIRE(followed.response);
    CHECK(followed.response->status == 200);
    CHECK(followed.response->body == "moved here");
}

TEST_CASE("TLS is verified by default; --insecure or the right CA file let a self-signed server "
          "through") {
    TempDir dir;
    REQUIRE(make_self_signed_cert(dir));
    LoopbackServer<httplib::SSLServer> target(dir.file("cert.pem").c_str(),
                                              dir.file("key.pem").c_str());
    REQUIRE(target.server().is_valid());
    target.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
        res.set_content(req.body, "application/json");
    });
    target.start();
    auto url = http::parse_url(target.url("/hook"));

    auto refused = http::Client(url, quick()).send(post("{}"));
    CHECK_FALSE(refused.response);
    CHECK(refused.error.find("TLS handshake failed: certificate verification failed") == 0);
    CHECK(refused.error.find("self-signed") != std::string::npos);

    auto insecure_options = quick();
    insecure_options.insecure = true;
    auto insecure = http::Client(url, insecure_options).send(post("{\"a\":1}"));
    REQUIRE(insecure.response);
    CHECK(insecure.response->body == "{\"a\":1}");

    auto ca_options = quick();
    ca_options.ca_file = dir.file("cert.pem");
    auto trusted = http::Client(url, ca_options).send(post("{\"b\":2}"));
    REQUIRE(trusted.response);
    CHECK(trusted.response->status == 200);
    CHECK(trusted.response->body == "{\"b\":2}");
}

TEST_CASE("https to a plain-http server fails the handshake with a readable message") {
    LoopbackServer<> target;
    target.server().Post("/hook",
                         [](const httplib::Request&, httplib::Response& res) { res.status = 200; });
    target.start();
    auto url = http::parse_url("https://127.0.0.1:" + std::to_string(target.port()) + "/hook");
    auto attempt = http::Client(url, quick()).send(post("{}"));
    CHECK_FALSE(attempt.response);
    CHECK(attempt.error.find("TLS handshake failed: ") == 0);
}

TEST_CASE("the timeout bounds the whole attempt: a server trickling its answer is cut off") {
    SlowServer target(SlowServer::Mode::trickle);
    auto options = quick();
    options.timeout = 500ms;
    auto attempt = http::Client(http::parse_url(target.url("/hook")), options).send(post("{}"));
    CHECK_FALSE(attempt.response);
    CHECK(attempt.error == "timed out after 500 ms");
    CHECK(attempt.latency < 15s); // the trickle lasts 20 s: the attempt did not wait for it
}

TEST_CASE("a cancel request ends an attempt in flight at once, and deliver() retries no more") {
    SlowServer target(SlowServer::Mode::silent);
    std::atomic<bool> cancel{false};
    auto options = quick();
    options.timeout = 30s;
    options.cancel = &cancel;
    http::Client client(http::parse_url(target.url("/hook")), options);
    std::thread stopper([&] {
        while (target.requests() == 0) {
            std::this_thread::sleep_for(5ms);
        }
        cancel = true;
    });
    http::RetryPolicy policy;
    policy.retries = 3;
    auto attempts = http::deliver(client, post("{}"), policy);
    stopper.join();
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].error == "interrupted");
    CHECK(attempts[0].latency < 15s);
}

TEST_CASE("follow_redirects never downgrades https to http: the 3xx is the answer, with why") {
    TempDir dir;
    REQUIRE(make_self_signed_cert(dir));
    std::atomic<int> plain_hits{0};
    LoopbackServer<> plain;
    plain.server().Post(".*", [&](const httplib::Request&, httplib::Response& res) {
        ++plain_hits;
        res.status = 200;
    });
    plain.start();
    LoopbackServer<httplib::SSLServer> secure(dir.file("cert.pem").c_str(),
                                              dir.file("key.pem").c_str());
    secure.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
        res.set_redirect(plain.url("/stolen"), 308);
    });
    secure.start();
    auto options = quick();
    options.ca_file = dir.file("cert.pem");
    options.follow_redirects = true;
    auto attempt = http::Client(http::parse_url(secure.url("/hook")), options).send(post("{}"));
    REQUIRE(attempt.response);
    CHECK(attempt.response->status == 308);
    CHECK(attempt.note.find("would downgrade https to http") != std::string::npos);
    CHECK(plain_hits == 0);
}

TEST_CASE("a redirect to another host drops Authorization, Cookie and the origin-bound headers, "
          "and keeps the rest") {
    LoopbackServer<> other;
    std::mutex mutex;
    httplib::Headers seen;
    std::string seen_body;
    other.server().Post("/landed", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mutex);
        seen = req.headers;
        seen_body = req.body;
        res.status = 200;
    });
    other.start();
    LoopbackServer<> first;
    const std::string elsewhere = "http://localhost:" + std::to_string(other.port()) + "/landed";
    first.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
        res.set_redirect(elsewhere, 307);
    });
    first.start();
    auto options = quick();
    options.follow_redirects = true;
    http::Request request = post("{\"a\":1}");
    request.headers.push_back({"Authorization", "Bearer sk-live"});
    request.headers.push_back({"Cookie", "session=1"});
    request.headers.push_back({"X-Api-Key", "key-given-with-H"});
    request.headers.push_back({"X-Env", "ci"});
    request.origin_bound_headers = {"X-Api-Key"};
    auto attempt = http::Client(http::parse_url(first.url("/hook")), options).send(request);
    REQUIRE(attempt.response);
    CHECK(attempt.response->status == 200);
    std::lock_guard lock(mutex);
    CHECK_FALSE(seen.count("Authorization"));
    CHECK_FALSE(seen.count("Cookie"));
    CHECK_FALSE(seen.count("X-Api-Key"));
    CHECK(seen.count("X-Env") == 1);
    CHECK(seen.count("X-Webhook-Signature") == 1);
    CHECK(seen_body == "{\"a\":1}");
}
