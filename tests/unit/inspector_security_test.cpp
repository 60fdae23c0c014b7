// The inspector's request checks and views, as pure functions: which Host, Origin and tokens
// pass, and what the rows and details say. Its exports are capture/export's (listen_capture_test).
#include "capture/capture.hpp"
#include "http/browser_guard.hpp"
#include "inspector/security.hpp"
#include "inspector/views.hpp"

#include <doctest/doctest.h>

using blandhook::http::host_is_ours;
using blandhook::inspector::check_request;
using blandhook::inspector::Need;
using blandhook::inspector::RequestFacts;
using blandhook::inspector::ServerFacts;

namespace {

ServerFacts loopback_server() {
    ServerFacts server;
    server.port = 4000;
    server.page_token = "p4g3";
    return server;
}

RequestFacts from_page() {
    RequestFacts request;
    request.host = "127.0.0.1:4000";
    request.origin = "http://127.0.0.1:4000";
    request.sec_fetch_site = "same-origin";
    request.page_token = "p4g3";
    return request;
}

} // namespace

TEST_CASE("inspector: loopback names with the inspector's own port pass the Host check, others "
          "do not") {
    const ServerFacts server = loopback_server();
    CHECK(host_is_ours("127.0.0.1:4000", server.port));
    CHECK(host_is_ours("localhost:4000", server.port));
    CHECK(host_is_ours("LOCALHOST:4000", server.port));
    CHECK(host_is_ours("[::1]:4000", server.port));
    CHECK_FALSE(host_is_ours("127.0.0.1:4001", server.port));
    CHECK_FALSE(host_is_ours("127.0.0.1", server.port));
    CHECK_FALSE(host_is_ours("evil.example:4000", server.port));
    CHECK_FALSE(host_is_ours("localhost.evil.example:4000", server.port));
    CHECK_FALSE(host_is_ours("", server.port));
    CHECK_FALSE(host_is_ours("127.0.0.1:4000x", server.port));
    CHECK_FALSE(host_is_ours("192.168.1.20:4000", server.port));
}

TEST_CASE("inspector: a request from the page itself may read and act") {
    const ServerFacts server = loopback_server();
    CHECK_FALSE(check_request(from_page(), server, Need::read));
    CHECK_FALSE(check_request(from_page(), server, Need::action));
    RequestFacts curl; // no Origin, no Sec-Fetch-Site: a script on this machine
    curl.host = "localhost:4000";
    CHECK_FALSE(check_request(curl, server, Need::read));
}

TEST_CASE("inspector: cross-origin, cross-site and rebinding requests are refused with 403") {
    const ServerFacts server = loopback_server();
    RequestFacts request = from_page();
    request.origin = "http://evil.example";
    CHECK(check_request(request, server, Need::action)->status == 403);

    request = from_page();
    request.origin = "http://127.0.0.1:3000"; // another local app: another origin
    CHECK(check_request(request, server, Need::action)->status == 403);

    request = from_page();
    request.origin.clear();
    request.sec_fetch_site = "same-site";
    CHECK(check_request(request, server, Need::read)->status == 403);

    request = from_page();
    request.host = "rebound.evil.example:4000";
    request.origin = "http://rebound.evil.example:4000";
    CHECK(check_request(request, server, Need::page)->status == 403);
}

TEST_CASE("inspector: actions need the page token, reads do not") {
    const ServerFacts server = loopback_server();
    RequestFacts request = from_page();
    request.page_token.clear();
    CHECK_FALSE(check_request(request, server, Need::read));
    CHECK(check_request(request, server, Need::action)->status == 403);
    request.page_token = "p4g4";
    CHECK(check_request(request, server, Need::action)->status == 403);
}

TEST_CASE("inspector: rows and details carry text even for bytes that are not UTF-8") {
    blandhook::capture::Capture capture;
    capture.id = 7;
    capture.method = "POST";
    capture.path = "/p\xff";
    capture.body = "\xff\xfe";
    capture.response_status = 0;
    const auto row = blandhook::inspector::row_json(capture);
    CHECK(row["path"] == "/p\xEF\xBF\xBD");
    CHECK(row["answer"]["dropped"] == true);
    const auto detail = blandhook::inspector::detail_json(capture);
    CHECK(detail["body_encoding"] == "base64");
    CHECK(detail["body"] == blandhook::capture::base64_encode("\xff\xfe"));
    CHECK_NOTHROW((void)detail.dump());
}
