// The emulator in-process against loopback receivers: Bland's API shapes, the call life cycle,
// signed and retried deliveries, the delivery log, and isolation between receivers.
#include "emulator/emulator.hpp"
#include "http/client.hpp"
#include "integration/http_test_server.hpp"
#include "integration/listen_raw_socket.hpp"
#include "payload/json.hpp"
#include "payload/signature.hpp"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <regex>
#include <set>

using namespace blandhook;
using payload::Json;
using namespace std::chrono_literals;

namespace {

constexpr auto k_wait = 15s; // upper bound for anything awaited; never an assertion on speed

struct Received {
    std::string path;
    std::string body;
    std::string signature;
    std::string content_type;
};

// A webhook receiver on 127.0.0.1:0 that records every POST and answers `status_for(n)` to the
// n-th one (1-based); `gate`, when set, holds every answer until opened.
class Receiver {
public:
    std::function<int(std::size_t)> status_for = [](std::size_t) { return 200; };

    Receiver() {
        m_server.server().Post(
            ".*", [this](const httplib::Request& request, httplib::Response& response) {
                std::size_t n;
                {
                    std::unique_lock lock(m_mutex);
                    m_received.push_back({request.path, request.body,
                                          request.get_header_value("X-Webhook-Signature"),
                                          request.get_header_value("Content-Type")});
                    n = m_received.size();
                    m_changed.notify_all();
                    m_changed.wait_for(lock, k_wait, [this] { return !m_gated; });
                }
                response.status = status_for(n);
                response.set_content("{}", "application/json");
            });
        m_server.start();
    }
    ~Receiver() { open_gate(); }

    std::string url(const std::string& path = "/hook") const { return m_server.url(path); }
    void close_gate() {
        std::lock_guard lock(m_mutex);
        m_gated = true;
    }
    void open_gate() {
        std::lock_guard lock(m_mutex);
        m_gated = false;
        m_changed.notify_all();
    }
    /// Waits until `count` requests arrived; returns false when they did not within k_wait.
    bool wait_for(std::size_t count) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, k_wait, [&] { return m_received.size() >= count; });
    }
    std::vector<Received> received() {
        std::lock_guard lock(m_mutex);
        return m_received;
    }

private:
    // The server is declared last so that it stops (joining its handlers) before the state
    // they use is destroyed.
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<Received> m_received;
    bool m_gated = false;
    test::LoopbackServer<> m_server;
};

emulator::EmulatorOptions fast_options() {
    emulator::EmulatorOptions options;
    options.call_duration = 100ms;
    options.delivery.secret = "whsec_test";
    options.delivery.retry.backoff = 10ms;
    options.delivery.retry.max_backoff = 50ms;
    options.delivery.attempt_timeout = 5s;
    return options;
}

// An emulator started on 127.0.0.1:0 with `options`, and a client of its API sending `key`.
class Api {
public:
    explicit Api(const emulator::EmulatorOptions& options = fast_options(),
                 std::string key = "test-key")
        : m_emulator(options), m_port(m_emulator.start()),
          m_client(http::parse_url(m_emulator.url()), client_options()), m_key(std::move(key)) {}

    emulator::Emulator& emulator() { return m_emulator; }
    int port() const { return m_port; }

    http::Response send(const std::string& method, const std::string& target,
                        const std::optional<Json>& body = std::nullopt,
                        std::optional<std::string> key = std::nullopt) {
        http::Request request;
        request.method = method;
        request.target = target;
        if (!key || !key->empty()) {
            request.headers.push_back({"authorization", key.value_or(m_key)});
        }
        if (body) {
            request.headers.push_back({"Content-Type", "application/json"});
            request.body = payload::canonical_json(*body);
        }
        http::Attempt attempt = m_client.send(request);
        REQUIRE_MESSAGE(attempt.response, attempt.error);
        return *attempt.response;
    }
    Json json(const std::string& method, const std::string& target,
              const std::optional<Json>& body = std::nullopt) {
        return payload::parse_json(send(method, target, body).body);
    }
    std::string place(Json body) {
        Json answer = json("POST", "/v1/calls", body);
        REQUIRE(answer["status"] == "success");
        return answer["call_id"].get<std::string>();
    }
    /// Polls GET /v1/calls/{id} until `done` says so; returns every queue_status seen, in order.
    std::vector<std::string> follow(const std::string& id) {
        std::vector<std::string> seen;
        auto deadline = std::chrono::steady_clock::now() + k_wait;
        while (std::chrono::steady_clock::now() < deadline) {
            Json call = json("GET", "/v1/calls/" + id);
            std::string state = call["queue_status"].get<std::string>();
            if (seen.empty() || seen.back() != state) {
                seen.push_back(state);
            }
            if (call["completed"] == true) {
                return seen;
            }
            std::this_thread::sleep_for(10ms);
        }
        FAIL("call " << id << " did not complete");
        return seen;
    }
    /// Polls the delivery log until it holds `count` attempts.
    Json log_with(const std::string& id, std::size_t count) {
        auto deadline = std::chrono::steady_clock::now() + k_wait;
        while (std::chrono::steady_clock::now() < deadline) {
            auto response = send("GET", "/v1/postcall/webhooks/" + id);
            if (response.status == 200) {
                Json log = payload::parse_json(response.body);
                if (log["data"]["metadata"].size() >= count) {
                    return log;
                }
            }
            std::this_thread::sleep_for(10ms);
        }
        FAIL("the delivery log of " << id << " never held " << count << " attempts");
        return Json();
    }

private:
    static http::ClientOptions client_options() {
        http::ClientOptions options;
        options.timeout = 10s;
        return options;
    }
    emulator::Emulator m_emulator;
    int m_port; ///< the emulator's, on 127.0.0.1
    http::Client m_client;
    std::string m_key;
};

Json call_body(const std::string& number, const std::string& webhook = "") {
    Json body = {{"phone_number", number}, {"task", "Confirm the appointment"}};
    if (!webhook.empty()) {
        body["webhook"] = webhook;
    }
    return body;
}

std::vector<int> codes(const Json& log) {
    std::vector<int> out;
    for (const auto& item : log["data"]["metadata"]) {
        out.push_back(item["response_code"].get<int>());
    }
    return out;
}

} // namespace

TEST_CASE("POST /v1/calls answers Bland's success shape and the call ends complete") {
    Api api;
    auto response = api.send("POST", "/v1/calls", call_body("+15555550100"));
    CHECK(response.status == 200);
    Json answer = payload::parse_json(response.body);
    CHECK(answer["status"] == "success");
    CHECK(answer["message"] == "Call successfully queued.");
    CHECK(answer["batch_id"].is_null());
    std::string id = answer["call_id"].get<std::string>();
    CHECK(id.size() == 36);

    auto seen = api.follow(id);
    // States only move forward: queued, started, complete (a fast poll may skip some).
    std::vector<std::string> order = {"queued", "started", "complete"};
    std::size_t position = 0;
    for (const auto& state : seen) {
        auto it = std::find(order.begin() + static_cast<long>(position), order.end(), state);
        REQUIRE_MESSAGE(it != order.end(), "unexpected or backward state " << state);
        position = static_cast<std::size_t>(it - order.begin());
    }
    CHECK(seen.back() == "complete");
    Json call = api.json("GET", "/v1/calls/" + id);
    CHECK(call["call_id"] == id);
    CHECK(call["status"] == "completed");
    CHECK(call["to"] == "+15555550100");
}

TEST_CASE("the post-call webhook is canonical JSON signed with the secret") {
    Receiver receiver;
    Api api;
    Json body = call_body("+15555550100", receiver.url());
    body["metadata"] = {{"order", "A-17"}};
    std::string id = api.place(body);
    REQUIRE(receiver.wait_for(1));
    Received got = receiver.received().front();
    CHECK(got.path == "/hook");
    CHECK(got.content_type == "application/json");
    CHECK(got.body == payload::canonical_json(payload::parse_json(got.body)));
    CHECK(got.signature == payload::sign("whsec_test", got.body));
    Json webhook = payload::parse_json(got.body);
    CHECK(webhook["call_id"] == id);
    CHECK(webhook["metadata"]["order"] == "A-17");
    CHECK(webhook["completed"] == true);
}

TEST_CASE("a receiver that answers 500 twice gets three attempts, all in the delivery log") {
    Receiver receiver;
    receiver.status_for = [](std::size_t n) { return n <= 2 ? 500 : 200; };
    Api api;
    std::string id = api.place(call_body("+15555550100", receiver.url()));
    Json log = api.log_with(id, 3);
    CHECK(codes(log) == std::vector<int>{500, 500, 200});
    for (const auto& attempt : log["data"]["metadata"]) {
        CHECK(attempt["send_type"] == "spawn");
        CHECK(attempt["response_time"].get<std::string>().back() == 's');
        CHECK(attempt["sent_at"].is_string());
    }
    CHECK(log["data"]["url"] == receiver.url());
    CHECK(log["data"]["call_id"] == id);
    CHECK(log["data"]["payload"]["call_id"] == id);
    CHECK(log["errors"].is_null());
    CHECK(receiver.received().size() == 3);
    // Every attempt carries the same signed bytes.
    auto all = receiver.received();
    CHECK(all[0].body == all[2].body);
    CHECK(all[0].signature == all[2].signature);
    CHECK(api.json("GET", "/v1/calls/" + id)["queue_status"] == "complete");
}

TEST_CASE("a receiver that always fails gets 1 + retries attempts and the call is complete_error") {
    Receiver receiver;
    receiver.status_for = [](std::size_t) { return 503; };
    auto options = fast_options();
    options.delivery.retry.retries = 2;
    Api api(options);
    std::string id = api.place(call_body("+15555550100", receiver.url()));
    Json log = api.log_with(id, 3);
    CHECK(codes(log) == std::vector<int>{503, 503, 503});
    auto deadline = std::chrono::steady_clock::now() + k_wait;
    Json call;
    do {
        call = api.json("GET", "/v1/calls/" + id);
    } while (call["queue_status"] != "complete_error" &&
             std::chrono::steady_clock::now() < deadline);
    CHECK(call["queue_status"] == "complete_error");
    CHECK(api.emulator().stats().failed == 1);
}

TEST_CASE("a 4xx answer other than 429 is final: one attempt") {
    Receiver receiver;
    receiver.status_for = [](std::size_t) { return 400; };
    Api api;
    std::string id = api.place(call_body("+15555550100", receiver.url()));
    Json log = api.log_with(id, 1);
    CHECK(codes(log) == std::vector<int>{400});
}

TEST_CASE("with --api-key a wrong or missing key gets 401 in Bland's shape") {
    auto options = fast_options();
    options.api_key = "sk-right";
    Api api(options, "sk-right");
    const std::string shape =
        R"({"data":null,"errors":[{"error":"AUTH_FAILURE","message":"Unauthorized"}]})";
    for (std::string key : {"sk-wrong", "", "Bearer sk-wrong"}) {
        CAPTURE(key);
        auto response = api.send("POST", "/v1/calls", call_body("+15555550100"), key);
        CHECK(response.status == 401);
        CHECK(response.body == shape);
    }
    CHECK(api.send("POST", "/v1/calls", call_body("+15555550100"), "sk-right").status == 200);
    CHECK(api.send("POST", "/v1/calls", call_body("+15555550100"), "Bearer sk-right").status ==
          200);
}

TEST_CASE("invalid send-call bodies get 400 with Bland's error list") {
    Api api;
    auto response = api.send("POST", "/v1/calls", Json{{"task", "hi"}});
    CHECK(response.status == 400);
    CHECK(
        response.body ==
        R"({"status":"error","message":"Invalid parameters","errors":["Missing required parameter: phone_number."]})");
    auto refused = api.send("POST", "/v1/calls", call_body("+15555550429"));
    CHECK(refused.status == 429);
    CHECK(refused.body == R"({"status":"error","message":"Rate limit exceeded"})");
    auto unknown = api.send("GET", "/v1/calls/no-such-call");
    CHECK(unknown.status == 404);
}

TEST_CASE("stopping a queued call ends it at once as canceled, and its webhook follows") {
    Receiver receiver;
    auto options = fast_options();
    options.call_duration = 60s;
    Api api(options);
    std::string id = api.place(call_body("+15555550100", receiver.url()));
    Json stopped = api.json("POST", "/v1/calls/" + id + "/stop", Json::object());
    CHECK(stopped == Json{{"status", "success"}, {"message", "Call ended successfully."}});
    Json call = api.json("GET", "/v1/calls/" + id);
    CHECK(call["completed"] == true);
    CHECK(call["status"] == "canceled");
    REQUIRE(receiver.wait_for(1));
    CHECK(payload::parse_json(receiver.received().front().body)["status"] == "canceled");
    CHECK(api.send("POST", "/v1/calls/" + id + "/stop", Json::object()).status == 400);
}

TEST_CASE("create sends a finished call's payload once; resend repeats it to the same URL") {
    Receiver receiver;
    Api api;
    std::string id = api.place(call_body("+15555550100"));
    api.follow(id);
    CHECK(api.send("GET", "/v1/postcall/webhooks/" + id).status == 404);

    Json created = api.json("POST", "/v1/postcall/webhooks/create",
                            Json{{"call_ids", {id}}, {"webhook_url", receiver.url("/created")}});
    CHECK(created["errors"].is_null());
    // Bland's documented answer: one webhook log object per call.
    REQUIRE(created["data"].is_array());
    REQUIRE(created["data"].size() == 1);
    CHECK(created["data"][0]["call_id"] == id);
    CHECK(created["data"][0]["url"] == receiver.url("/created"));
    CHECK(created["data"][0]["payload"]["call_id"] == id);
    CHECK(created["data"][0]["metadata"].is_array());
    REQUIRE(receiver.wait_for(1));
    CHECK(receiver.received()[0].path == "/created");
    auto again = api.send("POST", "/v1/postcall/webhooks/create",
                          Json{{"call_ids", {id}}, {"webhook_url", receiver.url("/created")}});
    CHECK(again.status == 400);
    CHECK(again.body.find("already sent") != std::string::npos);

    // The create attempt is logged once its answer is read, which can come after the receiver
    // saw the request: wait for it, or the resend's entry can be logged first.
    api.log_with(id, 1);
    Json resent = api.json("POST", "/v1/postcall/webhooks/resend", Json{{"call_ids", {id}}});
    REQUIRE(resent["data"].is_array());
    CHECK(resent["data"][0]["call_id"] == id);
    REQUIRE(receiver.wait_for(2));
    CHECK(receiver.received()[1].path == "/created");
    CHECK(receiver.received()[1].body == receiver.received()[0].body);
    Json log = api.log_with(id, 2);
    CHECK(log["data"]["metadata"][0]["send_type"] == "create");
    CHECK(log["data"]["metadata"][1]["send_type"] == "resend");
}

TEST_CASE("citations: a separate citations event, or one delayed webhook with --delay-webhook; "
          "none for a busy call, which never connected (busy part failed before this change)") {
    for (bool busy : {false, true}) {
        for (bool delay : {false, true}) {
            CAPTURE(busy);
            CAPTURE(delay);
            Receiver receiver;
            auto options = fast_options();
            options.delay_webhook = delay;
            Api api(options);
            Json body = call_body(busy ? "+15555550486" : "+15555550100", receiver.url());
            body["webhook_events"] = {"citations"};
            std::string id = api.place(body);
            REQUIRE(receiver.wait_for(delay || busy ? 1 : 2));
            if (busy) {
                // Give a citations event that must not exist the time it would have taken.
                api.follow(id);
                std::this_thread::sleep_for(300ms);
            }
            std::vector<std::string> kinds;
            for (const auto& got : receiver.received()) {
                Json json = payload::parse_json(got.body);
                CHECK(json["call_id"] == id);
                CHECK(json.value("status", "completed") == (busy ? "busy" : "completed"));
                if (json.contains("event_type")) {
                    kinds.push_back("citations-event");
                } else {
                    kinds.push_back(json.contains("citations") ? "delayed" : "post-call");
                    CHECK(json.contains("corrected_transcript") == json.contains("citations"));
                }
            }
            if (busy) {
                CHECK(kinds == std::vector<std::string>{"post-call"});
            } else if (delay) {
                CHECK(kinds == std::vector<std::string>{"delayed"});
            } else {
                CHECK(std::count(kinds.begin(), kinds.end(), "post-call") == 1);
                CHECK(std::count(kinds.begin(), kinds.end(), "citations-event") == 1);
            }
        }
    }
}

TEST_CASE("webhook_events queue, call and latency produce live events during the call") {
    Receiver receiver;
    Api api;
    Json body = call_body("+15555550100", receiver.url());
    body["webhook_events"] = {"queue", "call", "latency"};
    std::string id = api.place(body);
    REQUIRE(receiver.wait_for(5)); // enqueued, connected, TTS, ended, post-call
    std::multiset<std::string> categories;
    for (const auto& got : receiver.received()) {
        Json json = payload::parse_json(got.body);
        CHECK(json["call_id"] == id);
        CHECK(got.signature == payload::sign("whsec_test", got.body));
        if (json.contains("category")) {
            categories.insert(json["category"].get<std::string>());
            CHECK(json["message"].is_string());
            CHECK(json["log_level"].is_string());
        }
    }
    CHECK(categories.count("queue") == 1);
    CHECK(categories.count("call") == 2);
    CHECK(categories.count("latency") == 1);
}

TEST_CASE("a receiver that hangs does not stall deliveries to other receivers") {
    Receiver stuck;
    Receiver healthy;
    stuck.close_gate();
    auto options = fast_options();
    options.delivery.workers = 4;
    options.delivery.per_receiver = 2;
    Api api(options);
    for (int i = 0; i < 6; ++i) {
        api.place(call_body("+15555550100", stuck.url()));
    }
    REQUIRE(stuck.wait_for(2)); // both of its workers are now held
    for (int i = 0; i < 5; ++i) {
        api.place(call_body("+15555550100", healthy.url()));
    }
    CHECK(healthy.wait_for(5));
    CHECK(stuck.received().size() == 2); // the rest wait their turn, holding no worker
    stuck.open_gate();
    CHECK(stuck.wait_for(6));
}

TEST_CASE("hundreds of concurrent calls each deliver exactly one signed webhook") {
    Receiver receiver;
    auto options = fast_options();
    options.call_duration = 200ms;
    Api api(options);
    std::set<std::string> placed;
    for (int i = 0; i < 300; ++i) {
        placed.insert(api.place(call_body("+15555550100", receiver.url())));
    }
    REQUIRE(receiver.wait_for(300));
    std::set<std::string> delivered;
    for (const auto& got : receiver.received()) {
        CHECK(got.signature == payload::sign("whsec_test", got.body));
        delivered.insert(payload::parse_json(got.body)["call_id"].get<std::string>());
    }
    CHECK(receiver.received().size() == 300); // no duplicate deliveries
    CHECK(delivered == placed);
    CHECK(api.emulator().stats().delivered == 300);
    CHECK(api.emulator().stats().attempts == 300);
}

TEST_CASE("a call that fails to start never passes through started") {
    Api api;
    Json body = call_body("+15555550100");
    body["request_data"] = {{"blandhook_scenario", "error-unable-to-start"}};
    std::string id = api.place(body);
    const auto seen = api.follow(id);
    CHECK(std::find(seen.begin(), seen.end(), "started") == seen.end());
    Json call = api.json("GET", "/v1/calls/" + id);
    CHECK(call["started_at"].is_null());
    CHECK(call["queue_status"] == "queue_error");
    Json events = api.json("GET", "/v1/calls/" + id + "/events");
    for (const auto& event : events["data"]) {
        CHECK(event["message"] != "Call connected");
    }
}

TEST_CASE("variables.now is in the call's time zone, now_utc in UTC, both in Bland's words") {
    Api api;
    Json body = call_body("+15555550100");
    body["timezone"] = "America/Chicago";
    std::string id = api.place(body);
    api.follow(id);
    Json variables = api.json("GET", "/v1/calls/" + id)["variables"];
    CHECK(variables["timezone"] == "America/Chicago");
    const std::regex words(
        R"((Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), [A-Z][a-z]+ [1-9]\d?, \d{4} (1[0-2]|[1-9]):[0-5]\d (AM|PM))");
    const std::string now = variables["now"].get<std::string>();
    const std::string now_utc = variables["now_utc"].get<std::string>();
    CHECK(std::regex_match(now, words));
    CHECK(std::regex_match(now_utc, words));
    // Chicago is 5 or 6 hours behind UTC: the two differ, and timestamp carries the offset.
    CHECK(now != now_utc);
    const std::string timestamp = variables["timestamp"].get<std::string>();
    CHECK((timestamp.ends_with("-05:00") || timestamp.ends_with("-06:00")));
}

TEST_CASE("recording_url points at the emulator, which serves a valid WAV file") {
    Api api;
    Json body = call_body("+15555550100");
    body["record"] = true;
    std::string id = api.place(body);
    api.follow(id);
    const std::string url = api.json("GET", "/v1/calls/" + id)["recording_url"].get<std::string>();
    CHECK(url == api.emulator().url() + "/v1/recordings/" + id + ".wav");
    CHECK(url.find("bland.ai") == std::string::npos);
    // Fetched without the API key, as a storage link is.
    auto audio = api.send("GET", "/v1/recordings/" + id + ".wav", std::nullopt, "");
    REQUIRE(audio.status == 200);
    CHECK(http::find_header(audio.headers, "Content-Type") == "audio/wav");
    const std::string& wav = audio.body;
    REQUIRE(wav.size() > 44);
    CHECK(wav.substr(0, 4) == "RIFF");
    CHECK(wav.substr(8, 8) == "WAVEfmt ");
    CHECK(wav.substr(36, 4) == "data");
    const auto le32 = [&](std::size_t at) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(wav[at])) |
               static_cast<std::uint32_t>(static_cast<unsigned char>(wav[at + 1])) << 8 |
               static_cast<std::uint32_t>(static_cast<unsigned char>(wav[at + 2])) << 16 |
               static_cast<std::uint32_t>(static_cast<unsigned char>(wav[at + 3])) << 24;
    };
    CHECK(le32(4) == wav.size() - 8);
    CHECK(le32(40) == wav.size() - 44);
    // A call that was not recorded has no recording.
    std::string unrecorded = api.place(call_body("+15555550100"));
    api.follow(unrecorded);
    CHECK(api.send("GET", "/v1/recordings/" + unrecorded + ".wav", std::nullopt, "").status == 404);
}

TEST_CASE("GET /v1/calls lists calls newest first with Bland's filters and limit") {
    auto options = fast_options();
    options.api_key = "test-key";
    Api api(options);
    std::string first = api.place(call_body("+15555550100"));
    std::this_thread::sleep_for(5ms);
    std::string busy = api.place(call_body("+15555550486"));
    std::this_thread::sleep_for(5ms);
    std::string third = api.place(call_body("+15555550101"));
    api.follow(first);
    api.follow(busy);
    api.follow(third);

    Json all = api.json("GET", "/v1/calls");
    CHECK(all["count"] == 3);
    CHECK(all["total_count"] == 3);
    REQUIRE(all["calls"].size() == 3);
    CHECK(all["calls"][0]["call_id"] == third);
    CHECK(all["calls"][2]["call_id"] == first);
    for (const char* field : {"call_id", "created_at", "call_length", "to", "from", "completed",
                              "queue_status", "error_message", "answered_by", "batch_id"}) {
        CAPTURE(field);
        CHECK(all["calls"][0].contains(field));
    }
    Json ascending = api.json("GET", "/v1/calls?ascending=true&limit=2");
    CHECK(ascending["total_count"] == 3);
    REQUIRE(ascending["calls"].size() == 2);
    CHECK(ascending["calls"][0]["call_id"] == first);
    Json to_busy = api.json("GET", "/v1/calls?to_number=%2B15555550486");
    REQUIRE(to_busy["calls"].size() == 1);
    CHECK(to_busy["calls"][0]["call_id"] == busy);
    Json paged = api.json("GET", "/v1/calls?from=1&to=2");
    REQUIRE(paged["calls"].size() == 1);
    CHECK(paged["calls"][0]["call_id"] == busy);
    Json tomorrow = api.json("GET", "/v1/calls?start_date=2999-01-01");
    CHECK(tomorrow["calls"].empty());
    CHECK(api.json("GET", "/v1/calls?completed=true&inbound=false")["calls"].size() == 3);
    auto bad = api.send("GET", "/v1/calls?limit=lots");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("limit") != std::string::npos);
    CHECK(api.send("GET", "/v1/calls", std::nullopt, "wrong-key").status == 401);
}

TEST_CASE("a call's events and its analysis, in the shapes bland-cli reads") {
    Api api;
    std::string id = api.place(call_body("+15555550100"));
    api.follow(id);
    Json events = api.json("GET", "/v1/calls/" + id + "/events");
    REQUIRE(events["data"].is_array());
    std::vector<std::string> messages;
    for (const auto& event : events["data"]) {
        CHECK(event["call_id"] == id);
        CHECK(event.contains("category"));
        CHECK(event["timestamp"].is_string());
        messages.push_back(event["message"].get<std::string>());
    }
    CHECK(messages.front() == "Call enqueued");
    CHECK(std::find(messages.begin(), messages.end(), "Call connected") != messages.end());
    CHECK(messages.back() == "Call ended");

    Json analysis = api.json(
        "POST", "/v1/calls/" + id + "/analyze",
        Json{{"goal", "Confirm"},
             {"questions", Json::array({Json::array({"Did the customer answer?", "boolean"}),
                                        Json::array({"What was said?", "string"})})}});
    CHECK(analysis["status"] == "success");
    REQUIRE(analysis["answers"].size() == 2);
    CHECK(analysis["answers"][0] == true);
    CHECK(analysis["answers"][1].is_string());

    Json schema = api.json("POST", "/v1/calls/analyze", Json{{"call_id", id}});
    CHECK(schema["errors"].is_null());
    CHECK(schema["data"]["call_id"] == id);
    REQUIRE_FALSE(schema["data"]["citations"].empty());
    CHECK(schema["data"]["citations"][0]["call_id"] == id);

    std::string busy = api.place(call_body("+15555550486"));
    api.follow(busy);
    auto refused = api.send("POST", "/v1/calls/analyze", Json{{"call_id", busy}});
    CHECK(refused.status == 400);
    CHECK(refused.body.find("never connected") != std::string::npos);
    CHECK(api.send("GET", "/v1/calls/nope/events").status == 404);
    CHECK(api.send("POST", "/v1/calls/analyze", Json{{"call_id", "nope"}}).status == 404);
}

namespace {

// A raw POST /v1/calls to the emulator on `port`, with `headers` ("Name: value\r\n" lines, Host
// among them) and a body that would place a call delivering to `webhook`.
test::RawAnswer raw_call(int port, const std::string& headers, const std::string& webhook,
                         const std::string& task = "Say hi") {
    Json call = call_body("+15555550100", webhook);
    call["task"] = task;
    const std::string body = payload::canonical_json(call);
    return test::round_trip(port,
                            "POST /v1/calls HTTP/1.1\r\n" + headers + "Content-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body,
                            5s);
}

} // namespace

TEST_CASE("emulate refuses what a web page sends: cross-site requests and foreign Host names get "
          "403 in Bland's shape, and no call is placed") {
    Receiver receiver;
    Api api;
    const int port = api.port();
    const std::string host = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    const std::string plain = "Content-Type: text/plain\r\n";
    for (const std::string& headers :
         {host + plain + "Origin: https://evil.example\r\n", host + plain + "Origin: null\r\n",
          host + "Content-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: "
                 "cross-site\r\n",
          "Host: evil.example:" + std::to_string(port) + "\r\n" + plain,
          "Host: rebind.attacker.test\r\n" + plain}) {
        CAPTURE(headers);
        const test::RawAnswer answer = raw_call(port, headers, receiver.url());
        CHECK(answer.status == 403);
        const Json body = payload::parse_json(answer.body);
        CHECK(body["data"].is_null());
        CHECK(body["errors"][0]["error"] == "FORBIDDEN");
        if (!headers.starts_with(host)) { // a foreign Host
            // The Host check is shared with the inspector: it names neither of them.
            CHECK(body["errors"][0]["message"] ==
                  "Refused: the Host header does not name this server. The emulator serves "
                  "programs, not web pages.");
        }
    }
    CHECK(api.emulator().stats().calls == 0);
    // The same request from a program (no Origin, a loopback Host) is served.
    CHECK(raw_call(port, host + plain, receiver.url()).status == 200);
    CHECK(
        raw_call(port, "Host: localhost:" + std::to_string(port) + "\r\n", receiver.url()).status ==
        200);
    CHECK(api.emulator().stats().calls == 2);
}

TEST_CASE("emulate: form bodies have the JSON limit (10 MiB), not 8 KiB; beyond it 413") {
    Api api;
    const int port = api.port();
    const std::string headers = "Host: 127.0.0.1:" + std::to_string(port) +
                                "\r\nContent-Type: application/x-www-form-urlencoded\r\n";
    // curl -d sends a form Content-Type: a long task must not be cut at httplib's 8 KiB.
    CHECK(raw_call(port, headers, "", std::string(20'000, 'x')).status == 200);
    CHECK(raw_call(port,
                   "Host: 127.0.0.1:" + std::to_string(port) +
                       "\r\nContent-Type: application/json\r\n",
                   "", std::string(11u << 20, 'x'))
              .status == 413);
}

TEST_CASE("emulate answers a POST without Content-Length at once with 411 and closes") {
    Api api;
    const int port = api.port();
    const test::RawAnswer answer =
        test::round_trip(port,
                         "POST /v1/calls HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                             "\r\n\r\n{\"phone_number\":",
                         3s);
    CHECK(answer.status == 411);
    CHECK(answer.head.find("Connection: close") != std::string::npos);
}
