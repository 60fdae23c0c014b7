// The emulator's inbound numbers in-process, against a loopback receiver: a number's webhook
// settings set through the API decide where and what a ring delivers.
#include "bland/inbound_api.hpp"
#include "emulator/emulator.hpp"
#include "error.hpp"
#include "integration/http_test_server.hpp"
#include "payload/json.hpp"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>

using namespace blandhook;
using payload::Json;
using namespace std::chrono_literals;

namespace {

// Records every POST body; wait_for(n) waits up to 15 s for n of them.
class Bodies {
public:
    Bodies() {
        m_server.server().Post(
            ".*", [this](const httplib::Request& request, httplib::Response& response) {
                std::lock_guard lock(m_mutex);
                m_bodies.push_back(payload::parse_json(request.body));
                m_changed.notify_all();
                response.set_content("{}", "application/json");
            });
        m_server.start();
    }
    std::string url() const { return m_server.url("/inbound-hook"); }
    std::vector<Json> wait_for(std::size_t count) {
        std::unique_lock lock(m_mutex);
        m_changed.wait_for(lock, 15s, [&] { return m_bodies.size() >= count; });
        return m_bodies;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<Json> m_bodies;
    test::LoopbackServer<> m_server;
};

struct Running {
    emulator::Emulator emulator;
    std::unique_ptr<bland::ApiClient> api;
    explicit Running(emulator::EmulatorOptions options) : emulator(std::move(options)) {
        emulator.start();
        bland::ApiOptions api_options;
        api_options.base_url = emulator.url();
        api_options.api_key = "k";
        api = std::make_unique<bland::ApiClient>(api_options);
    }
    Json ring(const std::string& number, const std::string& from) {
        Json body = {{"phone_number", number}, {"from", from}};
        return api->request("POST", "/emulate/inbound-calls", &body).body;
    }
};

emulator::EmulatorOptions quick() {
    emulator::EmulatorOptions options;
    options.api_key = "k";
    options.call_duration = 50ms;
    return options;
}

} // namespace

TEST_CASE("a ring delivers the inbound post-call webhook to the number's webhook, with its "
          "events and metadata") {
    Bodies receiver;
    Running running(quick());
    bland::WebhookSettings settings;
    settings.webhook = receiver.url();
    settings.webhook_events = std::vector<std::string>{"call"};
    settings.metadata = Json{{"team", "support"}};
    Json current = bland::get_inbound(*running.api, "+15555550100");
    bland::set_inbound_webhook(*running.api, "+15555550100", settings, current);
    CHECK(bland::webhook_of(bland::get_inbound(*running.api, "5555550100")) == receiver.url());

    Json answer = running.ring("+15555550100", "+15555550123");
    const std::string call_id = answer["call_id"].get<std::string>();
    // "Call connected", "Call ended" (the `call` events), then the post-call payload.
    auto bodies = receiver.wait_for(3);
    REQUIRE(bodies.size() >= 3);
    const Json* post_call = nullptr;
    std::size_t live = 0;
    for (const auto& body : bodies) {
        if (body.contains("completed")) {
            post_call = &body;
        } else if (body.value("category", "") == "call") {
            ++live;
        }
    }
    CHECK(live == 2);
    REQUIRE(post_call != nullptr);
    CHECK((*post_call)["call_id"] == call_id);
    CHECK((*post_call)["inbound"] == true);
    CHECK((*post_call)["to"] == "+15555550100");
    CHECK((*post_call)["from"] == "+15555550123");
    CHECK((*post_call)["variables"]["phone_number"] == "+15555550123");
    CHECK((*post_call)["metadata"]["team"] == "support");
    CHECK((*post_call)["status"] == "completed");

    Json log = running.api->webhook_log(call_id);
    CHECK(log["url"] == receiver.url());
}

TEST_CASE("the caller's last digits choose an inbound call's outcome, as for outbound calls") {
    Bodies receiver;
    Running running(quick());
    bland::WebhookSettings settings;
    settings.webhook = receiver.url();
    bland::set_inbound_webhook(*running.api, "+15555550100", settings, Json());
    running.ring("+15555550100", "+15555550486");
    auto bodies = receiver.wait_for(1);
    REQUIRE(bodies.size() == 1);
    CHECK(bodies[0]["status"] == "busy");
    CHECK(bodies[0]["inbound"] == true);
}

TEST_CASE("a ring of a number without a webhook runs the call and sends nothing; bad rings are "
          "400") {
    Running running(quick());
    Json answer = running.ring("+15555550111", "+15555550123");
    CHECK(answer["call_id"].is_string());
    CHECK_THROWS_AS(running.ring("not-a-number", "+15555550123"), blandhook::Error);
    CHECK_THROWS_AS(running.ring("+15555550111", "nobody"), blandhook::Error);
    Json list = bland::list_inbound(*running.api);
    REQUIRE(list.size() == 1);
    CHECK(list[0]["phone_number"] == "+15555550111");
    CHECK(list[0]["webhook"].is_null());
}
