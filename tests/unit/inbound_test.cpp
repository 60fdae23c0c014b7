// Inbound numbers without sockets: number forms Bland accepts, the tunnel announcements blandhook
// reads (cloudflared's log box, ngrok's log line and agent API), the pending-restore records and
// the emulator's number store.
#include "bland/inbound_api.hpp"
#include "bland/inbound_restore.hpp"
#include "emulator/inbound.hpp"
#include "error.hpp"
#include "listen/tunnel.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

using namespace blandhook;
using payload::Json;

TEST_CASE("inbound numbers are read in every form Bland accepts and written as E.164") {
    CHECK(bland::normalize_number("+13334445555") == "+13334445555");
    CHECK(bland::normalize_number("%2B13334445555") == "+13334445555");
    CHECK(bland::normalize_number("13334445555") == "+13334445555");
    CHECK(bland::normalize_number("3334445555") == "+13334445555"); // a US code is assumed
    CHECK(bland::normalize_number("+447700900123") == "+447700900123");
    CHECK_FALSE(bland::normalize_number(""));
    CHECK_FALSE(bland::normalize_number("+"));
    CHECK_FALSE(bland::normalize_number("+0123456"));
    CHECK_FALSE(bland::normalize_number("555-0100"));
    CHECK_FALSE(bland::normalize_number("+1333444555566667777"));
    CHECK_THROWS_AS(bland::require_number("call me", "--inbound-number"), Error);
}

TEST_CASE("cloudflared's quick-tunnel URL is read from its boxed log line and nothing else") {
    using listen::cloudflared_url;
    CHECK(
        cloudflared_url("2024-05-01T10:00:01Z INF |  https://four-dashed-word-url.trycloudflare.com"
                        "                                     |") ==
        "https://four-dashed-word-url.trycloudflare.com");
    CHECK_FALSE(cloudflared_url("2024-05-01T10:00:01Z INF |  Your quick Tunnel has been created! "
                                "Visit it at (it may take some time to be reachable):  |"));
    CHECK_FALSE(cloudflared_url("2024-05-01T10:00:00Z INF Thank you for trying Cloudflare "
                                "Tunnel. … https://developers.cloudflare.com/cloudflare-one"));
    CHECK_FALSE(cloudflared_url("2024-05-01T10:00:01Z INF +-----------------------------+"));
}

TEST_CASE("ngrok's agent API address comes from its logfmt line, its URL from /api/tunnels") {
    CHECK(listen::ngrok_api_address("t=2024-05-01T10:00:00+0000 lvl=info msg=\"starting web "
                                    "service\" obj=web addr=127.0.0.1:4041 allow_hosts=[]") ==
          "http://127.0.0.1:4041");
    CHECK_FALSE(listen::ngrok_api_address("t=2024-05-01T10:00:00+0000 lvl=info msg=\"started "
                                          "tunnel\" obj=tunnels addr=http://localhost:80"));
    Json answer = Json::parse(R"json({"tunnels":[
        {"name":"command_line (http)","public_url":"http://ab12.ngrok.io","proto":"http"},
        {"name":"command_line","public_url":"https://ab12.ngrok-free.app","proto":"https"}],
        "uri":"/api/tunnels"})json");
    CHECK(listen::ngrok_public_url(answer) == "https://ab12.ngrok-free.app");
    CHECK(listen::ngrok_public_url(Json::parse(R"({"tunnels":[{"public_url":"http://x.io"}]})")) ==
          "http://x.io");
    CHECK_FALSE(listen::ngrok_public_url(Json::parse(R"({"tunnels":[]})")));
    CHECK_THROWS_AS(listen::parse_tunnel_kind("localtunnel", "--tunnel"), Error);
}

TEST_CASE("a pending restore is a 0600 file in a 0700 directory, listed and removed") {
    test::TempDir scratch;
    bland::RestoreLedger ledger(scratch.file("state/inbound"));
    bland::PendingRestore restore;
    restore.number = "+15555550100";
    restore.api_url = "https://api.bland.ai";
    restore.previous_webhook = "https://example.com/original";
    restore.webhook = "https://four-words.trycloudflare.com";
    restore.pid = 4242;
    ledger.record(restore);

    struct stat info {};
    REQUIRE(::stat(restore.path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    REQUIRE(::stat(scratch.file("state/inbound").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0700);
    CHECK(test::read_file(restore.path).find("https://example.com/original") != std::string::npos);

    test::write_file(scratch.file("state/inbound/garbage.json"), "{not json");
    std::vector<std::string> problems;
    auto listed = ledger.list([&](const std::string& problem) { problems.push_back(problem); });
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].number == "+15555550100");
    CHECK(listed[0].previous_webhook == "https://example.com/original");
    CHECK(listed[0].pid == 4242);
    CHECK(problems.size() == 1);

    ledger.remove(listed[0]);
    CHECK(ledger.list().empty());
}

TEST_CASE("a listener that is gone does not hold its numbers") {
    CHECK_FALSE(bland::listener_alive(0));
    CHECK_FALSE(bland::listener_alive(-1));
    // This test binary runs, but it is not a blandhook: a reused pid must not count.
    CHECK_FALSE(bland::listener_alive(static_cast<int>(::getpid())));
}

TEST_CASE("the emulator owns every well-formed number and remembers its webhook settings") {
    emulator::InboundNumbers numbers;
    emulator::ValidationOptions validation;
    auto fresh = numbers.details("5555550100");
    CHECK(fresh.status == 200);
    CHECK(fresh.body["phone_number"] == "+15555550100");
    CHECK(fresh.body["webhook"].is_null());
    CHECK(numbers.details("call-me").status == 400);

    auto updated = numbers.update("%2B15555550100",
                                  R"({"webhook":"https://example.com/hook",
                                      "webhook_events":["call","citations"],
                                      "metadata":{"team":"support"}})",
                                  validation);
    CHECK(updated.status == 200);
    CHECK(updated.body["status"] == "success");
    auto settings = numbers.settings("+15555550100");
    REQUIRE(settings);
    CHECK(settings->webhook == "https://example.com/hook");
    CHECK(settings->events == std::vector<std::string>{"call", "citations"});
    CHECK(settings->metadata["team"] == "support");

    CHECK(numbers.update("+15555550100", R"({"webhook_events":["nope"]})", validation).status ==
          400);
    CHECK(numbers.update("+15555550100", R"({"webhook":"ftp://x"})", validation).status == 400);
    CHECK(numbers.update("+15555550100", "not json", validation).status == 400);
    CHECK(numbers.settings("+15555550100")->webhook == "https://example.com/hook");

    CHECK(numbers.update("+15555550100", R"({"webhook":null})", validation).status == 200);
    CHECK(numbers.settings("+15555550100")->webhook.empty());

    numbers.details("+15555550200");
    auto list = numbers.list();
    REQUIRE(list.body["inbound_numbers"].size() == 2);
    CHECK(list.body["inbound_numbers"][0]["phone_number"] == "+15555550100");
}
