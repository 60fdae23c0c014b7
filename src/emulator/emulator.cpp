#include "emulator/emulator.hpp"

#include "bland/inbound_api.hpp"
#include "emulator/answer.hpp"
#include "emulator/call_payload.hpp"
#include "emulator/call_queries.hpp"
#include "emulator/inbound.hpp"
#include "emulator/outcome.hpp"
#include "emulator/request_validation.hpp"
#include "error.hpp"
#include "http/browser_guard.hpp"
#include "http/client.hpp"
#include "http/router.hpp"
#include "payload/connected.hpp"
#include "payload/json.hpp"
#include "util/uuid.hpp"

#include <algorithm>
#include <atomic>
#include <fmt/core.h>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace blandhook::emulator {
namespace {

using payload::Json;

// The largest request body, whatever its Content-Type.
constexpr std::size_t k_max_body = 10u << 20;

// The account every emulated call belongs to (delivery log `user_id`, citations events).
constexpr std::string_view k_user_id = "00000000-0000-4000-8000-00000000b1a4";

// GET /v1/calls/{id} and the routes below it, for an id the emulator never issued.
Answer call_not_found() {
    return {404, status_error("Call not found.")};
}

void send_json(http::RouteResponse& response, int status, const Json& body) {
    response.status = status;
    response.set_content(payload::canonical_json(body), "application/json");
}

void send(http::RouteResponse& response, const Answer& answer) {
    send_json(response, answer.status, answer.body);
}

// In the send-call shape (emulator/answer.hpp).
void send_status_error(http::RouteResponse& response, int status, std::string_view message) {
    send_json(response, status, status_error(message));
}

// In the shape of the auth and postcall endpoints (emulator/answer.hpp).
void send_data_error(http::RouteResponse& response, int status, std::string_view code,
                     std::string_view message) {
    send_json(response, status, data_error(code, message));
}

// Ends a route early with `answer`, a refusal: thrown by the steps of a route, sent by the one
// wrapper every guarded route runs in (Impl::add), so each step returns what it found.
struct Refused {
    Answer answer;
};

// The request's JSON body; refused with a 400 in the send-call error shape when it is not JSON.
Json json_body(const http::RouteRequest& request) {
    try {
        return payload::parse_json(request.body);
    } catch (const payload::JsonError& error) {
        throw Refused{invalid_parameters({not_json(error)})};
    }
}

std::string millis_text(std::chrono::microseconds latency) {
    return fmt::format("{}ms", (latency.count() + 500) / 1000);
}

std::string attempt_text(const http::Attempt& attempt) {
    if (!attempt.response) {
        return attempt.error;
    }
    return fmt::format("{} in {}", attempt.response->status, millis_text(attempt.latency));
}

bool is_2xx(const http::Attempt& attempt) {
    return attempt.response && attempt.response->status >= 200 && attempt.response->status <= 299;
}

std::vector<std::string> string_list(const Json& body, const char* field) {
    std::vector<std::string> out;
    auto it = body.find(field);
    if (it != body.end() && it->is_array()) {
        for (const auto& item : *it) {
            if (item.is_string()) {
                out.push_back(item.get<std::string>());
            }
        }
    }
    return out;
}

} // namespace

struct Emulator::Impl {
    // One simulated call. Guarded by Impl::mutex.
    struct Call {
        CallFacts facts;
        std::string webhook;             // "" when the request had none
        std::vector<std::string> events; // webhook_events
        bool ended = false;
        Json final_payload;             // once ended
        std::string final_queue_status; // "complete", or "complete_error" after failed delivery
        // Delivery log (GET /v1/postcall/webhooks/{id}); `logged` once a post-call send began.
        bool logged = false;
        std::string log_url;
        std::string log_created_at;
        Json log_attempts = Json::array();
        Json event_log = Json::array(); // GET /v1/calls/{id}/events, whatever webhook_events says
        Json citations = Json::array(); // once ended and connected (call analysis)
    };

    EmulatorOptions options;
    Scheduler scheduler;
    std::unique_ptr<http::RouteServer> server;
    int port = 0;
    mutable std::mutex mutex;
    std::map<std::string, std::shared_ptr<Call>> calls;
    InboundNumbers inbound;
    EmulatorStats counters;
    std::atomic<bool> stopped{false};

    explicit Impl(EmulatorOptions opts) : options(std::move(opts)), scheduler(options.delivery) {}

    // http://HOST:PORT, as recording URLs and Emulator::url() name the emulator.
    std::string base_url() const {
        std::string host = options.host;
        if (host.find(':') != std::string::npos) {
            host = "[" + host + "]";
        }
        return fmt::format("http://{}:{}", host, port);
    }

    void log(const std::string& line) const {
        if (options.log) {
            options.log(line);
        }
    }

    bool has_event(const Call& call, std::string_view event) const {
        return std::ranges::find(call.events, event) != call.events.end();
    }

    bool authorized(const http::RouteRequest& request) const {
        if (options.api_key.empty()) {
            return true;
        }
        std::string value = request.header("authorization");
        return value == options.api_key || value == "Bearer " + options.api_key;
    }

    // ---- call life cycle -------------------------------------------------------------------

    void live_event(const std::shared_ptr<Call>& call, std::string_view event,
                    std::string_view message, std::string_view category, std::string_view level) {
        Json body = build_live_event(call->facts.call_id, message, category, level);
        {
            std::lock_guard lock(mutex);
            Json logged = body;
            logged["timestamp"] = iso_zulu(std::chrono::system_clock::now());
            call->event_log.push_back(std::move(logged));
        }
        if (call->webhook.empty() || !has_event(*call, event)) {
            return;
        }
        Delivery delivery;
        delivery.url = call->webhook;
        delivery.body = payload::canonical_json(body);
        delivery.retry = false;
        std::string id = call->facts.call_id;
        delivery.on_attempt = [this, id,
                               message = std::string(message)](const http::Attempt& attempt, bool) {
            log(fmt::format("event   {} '{}' -> {}", id, message, attempt_text(attempt)));
        };
        scheduler.deliver(std::move(delivery), Clock::now());
    }

    void start_call(const std::shared_ptr<Call>& call) {
        {
            std::lock_guard lock(mutex);
            if (call->ended) {
                return;
            }
            call->facts.started_at = std::chrono::system_clock::now();
        }
        log(fmt::format("call    {} started", call->facts.call_id));
        // Busy, unanswered and failed calls were dialled but nobody talked.
        if (outcome_connects(call->facts.outcome)) {
            live_event(call, "call", "Call connected", "call", "info");
            live_event(call, "latency", "TTS: 218ms", "latency", "performance");
        }
    }

    enum class CallEnd { duration_elapsed, stopped_by_api };

    // Ends the call (its duration ran out, or it was stopped) and schedules its webhooks.
    void end_call(const std::shared_ptr<Call>& call, CallEnd how) {
        CallFacts facts;
        EmulatorStats totals;
        SystemTime ended_at;
        {
            std::lock_guard lock(mutex);
            if (call->ended) {
                return;
            }
            call->ended = true;
            ended_at = std::chrono::system_clock::now();
            call->facts.ended_at = ended_at;
            call->facts.stopped = how == CallEnd::stopped_by_api;
            facts = call->facts;
            ++counters.ended;
            totals = counters;
        }
        Json body = build_post_call(facts, PostCallVariant::immediate);
        // Bland: unanswered, busy or failed calls produce no citation data, so they get neither
        // the delayed variant nor a citations event.
        const bool connected = payload::never_connected_reason(body).empty();
        bool citations = connected && has_event(*call, "citations");
        bool delayed = citations && options.delay_webhook;
        if (delayed) {
            body = build_post_call(facts, PostCallVariant::delayed);
        }
        std::string status = body.value("status", std::string("?"));
        {
            std::lock_guard lock(mutex);
            call->final_payload = body;
            call->final_queue_status = body.value("queue_status", std::string("complete"));
            if (connected) {
                call->citations = build_citations_event(facts, ended_at)["citations"];
            }
        }
        // A running total on each finished call, so a long session shows where it stands.
        log(fmt::format("call    {} ended{} status {}  [{} of {} calls ended; webhooks {} "
                        "delivered, {} failed]",
                        facts.call_id, how == CallEnd::stopped_by_api ? " (stopped)" : "", status,
                        totals.ended, totals.calls, totals.delivered, totals.failed));
        live_event(call, "call", "Call ended", "call", "info");
        if (call->webhook.empty()) {
            return;
        }
        auto due = Clock::now() + options.webhook_delay +
                   (delayed ? options.citations_delay : std::chrono::milliseconds(0));
        send_post_call(call, call->webhook, "spawn", due);
        if (citations && !delayed) {
            Json event = build_citations_event(facts, std::chrono::system_clock::now());
            event["user_id"] = k_user_id;
            Delivery delivery;
            delivery.url = call->webhook;
            delivery.body = payload::canonical_json(event);
            std::string id = facts.call_id;
            delivery.on_attempt = [this, id](const http::Attempt& attempt, bool final) {
                log(fmt::format("event   {} citations -> {}{}", id, attempt_text(attempt),
                                final || is_2xx(attempt) ? "" : ", will retry"));
            };
            scheduler.deliver(std::move(delivery), due + options.citations_delay);
        }
    }

    // Starts one post-call delivery to `url`, recorded in the call's delivery log.
    void send_post_call(const std::shared_ptr<Call>& call, const std::string& url,
                        std::string send_type, Clock::time_point due) {
        std::string body;
        {
            std::lock_guard lock(mutex);
            if (!call->logged) {
                call->logged = true;
                call->log_created_at = iso_offset(std::chrono::system_clock::now());
            }
            call->log_url = url;
            body = payload::canonical_json(call->final_payload);
        }
        Delivery delivery;
        delivery.url = url;
        delivery.body = std::move(body);
        std::string id = call->facts.call_id;
        delivery.on_attempt = [this, call, id, send_type](const http::Attempt& attempt,
                                                          bool final) {
            bool ok = is_2xx(attempt);
            {
                std::lock_guard lock(mutex);
                auto sent_at = std::chrono::system_clock::now() -
                               std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                   attempt.latency);
                call->log_attempts.push_back(
                    Json{{"sent_at", iso_offset(sent_at)},
                         {"response_code", attempt.response ? attempt.response->status : 0},
                         {"response_time", millis_text(attempt.latency)},
                         {"send_type", send_type}});
                ++counters.attempts;
                if (ok) {
                    ++counters.delivered;
                } else if (final) {
                    ++counters.failed;
                    // Bland's queue_status for a finished call whose post-call webhook failed.
                    if (call->final_queue_status == "complete") {
                        call->final_queue_status = "complete_error";
                    }
                }
            }
            log(fmt::format("webhook {} attempt {} ({}) -> {}{}", id, attempt.number, send_type,
                            attempt_text(attempt),
                            ok ? ", delivered" : (final ? ", giving up" : ", will retry")));
        };
        scheduler.deliver(std::move(delivery), due);
    }

    // ---- endpoints ---------------------------------------------------------------------------

    // What webhook URLs the emulator accepts (--strict-webhooks: https only, as Bland).
    ValidationOptions validation() const {
        ValidationOptions out;
        out.allow_http_webhooks = !options.strict_webhooks;
        return out;
    }

    // The outcome of a send-call request. Refused with a 400 for what Bland would refuse, or
    // with the error a number suffix asks for.
    Outcome send_call_outcome(const Json& body) const {
        auto errors = validate_send_call(body, validation());
        if (errors.empty()) {
            const auto& number = body["phone_number"].get_ref<const std::string&>();
            if (auto refusal = refusal_for(number)) {
                throw Refused{{refusal->http_status, status_error(refusal->message)}};
            }
            Json request_data = body.contains("request_data") ? body["request_data"] : Json();
            std::string scenario_error;
            if (auto outcome = choose_outcome(number, request_data, scenario_error)) {
                return *outcome;
            }
            errors.push_back(scenario_error);
        }
        throw Refused{invalid_parameters(errors)};
    }

    void post_calls(const http::RouteRequest& request, http::RouteResponse& response) {
        Json body = json_body(request);
        const Outcome outcome = send_call_outcome(body);
        auto call = std::make_shared<Call>();
        call->facts.outcome = outcome.fixture;
        if (body.contains("webhook") && body["webhook"].is_string()) {
            call->webhook = body["webhook"].get<std::string>();
        }
        call->events = string_list(body, "webhook_events");
        call->facts.request = std::move(body);
        const std::string id = launch(call, outcome);
        send_json(response, 200,
                  Json{{"status", "success"},
                       {"message", "Call successfully queued."},
                       {"call_id", id},
                       {"batch_id", nullptr}});
    }

    // Queues a call whose request, outcome and webhook are set, and schedules its life; returns
    // its new id. Shared by POST /v1/calls and inbound rings.
    std::string launch(const std::shared_ptr<Call>& call, const Outcome& outcome) {
        call->facts.call_id = util::uuid_v4();
        call->facts.created_at = std::chrono::system_clock::now();
        call->facts.base_url = base_url();
        const std::string id = call->facts.call_id;
        {
            std::lock_guard lock(mutex);
            calls.emplace(id, call);
            ++counters.calls;
        }
        log(fmt::format("call    {} queued  {}{} -> {} ({}){}", id,
                        call->facts.inbound ? "inbound " : "",
                        call->facts.request["phone_number"].get<std::string>(), outcome.fixture,
                        outcome.source, call->webhook.empty() ? ", no webhook" : ""));
        live_event(call, "queue", "Call enqueued", "queue", "info");
        auto now = Clock::now();
        // A call that fails before it is placed (queue_error) never passes through `started`.
        if (outcome_starts(outcome.fixture)) {
            scheduler.at(now + options.call_duration / 5, [this, call] { start_call(call); });
        }
        scheduler.at(now + options.call_duration,
                     [this, call] { end_call(call, CallEnd::duration_elapsed); });
        return id;
    }

    // POST /emulate/inbound-calls {"phone_number", "from"}: someone rings an inbound number. The
    // call runs like an outbound one, its outcome chosen by the caller's number, and its
    // post-call webhook goes to the number's configured webhook with its webhook_events.
    // What a ring is: the number rung, who calls it and what happens.
    struct Ring {
        InboundSettings number;
        std::string caller; ///< E.164
        Outcome outcome;
    };

    // The ring `body` asks for; refused with a 400 naming every problem.
    Ring ring_of(const Json& body) {
        std::vector<std::string> errors;
        std::optional<InboundSettings> number;
        std::optional<std::string> caller;
        if (!body.is_object()) {
            errors.emplace_back("The body must be a JSON object.");
        } else {
            Json to = body.value("phone_number", Json());
            number = to.is_string() ? inbound.settings(to.get<std::string>()) : std::nullopt;
            if (!number) {
                errors.emplace_back("phone_number must be the inbound number to ring, e.g. "
                                    "+15555550100.");
            }
            Json from = body.value("from", Json());
            caller =
                from.is_string() ? bland::normalize_number(from.get<std::string>()) : std::nullopt;
            if (!caller) {
                errors.emplace_back("from must be the caller's number, e.g. +15555550123.");
            }
        }
        if (number && caller) {
            std::string scenario_error;
            auto outcome =
                choose_outcome(*caller, body.value("request_data", Json()), scenario_error);
            if (outcome) {
                if (outcome->source == "default") {
                    outcome->fixture = "completed-inbound";
                }
                return Ring{std::move(*number), std::move(*caller), std::move(*outcome)};
            }
            errors.push_back(scenario_error);
        }
        throw Refused{invalid_parameters(errors)};
    }

    void ring(const http::RouteRequest& request, http::RouteResponse& response) {
        const Ring ring = ring_of(json_body(request));
        auto call = std::make_shared<Call>();
        call->facts.outcome = ring.outcome.fixture;
        call->facts.inbound = true;
        call->webhook = ring.number.webhook;
        call->events = ring.number.events;
        call->facts.request = Json{{"phone_number", ring.number.phone_number},
                                   {"from", ring.caller},
                                   {"max_duration", ring.number.max_duration},
                                   {"metadata", ring.number.metadata}};
        const std::string id = launch(call, ring.outcome);
        send_json(response, 200, Json{{"status", "success"}, {"call_id", id}});
    }

    std::shared_ptr<Call> find_call(const std::string& id) const {
        std::lock_guard lock(mutex);
        auto it = calls.find(id);
        return it == calls.end() ? nullptr : it->second;
    }

    // What GET /v1/calls/{id} shows of `call` now. Impl::mutex held.
    Json details_of(const Call& call) const {
        if (call.ended && !call.final_payload.is_null()) {
            Json body = call.final_payload;
            body["queue_status"] = call.final_queue_status;
            return body;
        }
        return build_in_progress(call.facts);
    }

    void health(const http::RouteRequest&, http::RouteResponse& response) {
        send_json(response, 200, Json{{"status", "ok"}, {"service", "blandhook emulate"}});
    }

    // The call the path names; refused with a 404 in the send-call shape when there is none.
    std::shared_ptr<Call> call_named(const http::RouteRequest& request) const {
        auto call = find_call(request.matches[1]);
        if (!call) {
            throw Refused{call_not_found()};
        }
        return call;
    }

    void get_call(const http::RouteRequest& request, http::RouteResponse& response) {
        auto call = call_named(request);
        Json body;
        {
            std::lock_guard lock(mutex);
            body = details_of(*call);
        }
        send_json(response, 200, body);
    }

    void stop_call(const http::RouteRequest& request, http::RouteResponse& response) {
        auto call = call_named(request);
        bool already;
        {
            std::lock_guard lock(mutex);
            already = call->ended;
        }
        if (already) {
            send_status_error(response, 400, "Call has already ended.");
            return;
        }
        end_call(call, CallEnd::stopped_by_api);
        send_json(response, 200,
                  Json{{"status", "success"}, {"message", "Call ended successfully."}});
    }

    void get_webhook_log(const http::RouteRequest& request, http::RouteResponse& response) {
        const std::string id = request.matches[1];
        auto call = find_call(id);
        if (!call) {
            send_data_error(response, 404, "NOT_FOUND", "Call not found.");
            return;
        }
        std::lock_guard lock(mutex);
        if (!call->logged) {
            send_data_error(response, 404, "NOT_FOUND",
                            "No post-call webhook has been sent for this call.");
            return;
        }
        send_json(response, 200, Json{{"data", log_object(*call)}, {"errors", nullptr}});
    }

    // A call's webhook log object {payload, url, created_at, call_id, user_id, metadata[]}, as
    // the delivery log, create and resend answer it. mutex held.
    Json log_object(const Call& call) const {
        return Json{{"payload", call.final_payload},
                    {"url", call.log_url},
                    {"created_at", call.log_created_at},
                    {"call_id", call.facts.call_id},
                    {"user_id", k_user_id},
                    {"metadata", call.log_attempts}};
    }

    // POST /v1/postcall/webhooks/create (to a webhook_url given) and /resend (to the URL logged
    // by the last create). All ids are checked first; one bad id refuses the whole request, so
    // nothing is half-sent.
    enum class PostCallSend { create, resend };
    void postcall_create(const http::RouteRequest& request, http::RouteResponse& response) {
        postcall_send(request, response, PostCallSend::create);
    }
    void postcall_resend(const http::RouteRequest& request, http::RouteResponse& response) {
        postcall_send(request, response, PostCallSend::resend);
    }

    void postcall_send(const http::RouteRequest& request, http::RouteResponse& response,
                       PostCallSend action) {
        const bool resend = action == PostCallSend::resend;
        Json body;
        try {
            body = payload::parse_json(request.body);
        } catch (const payload::JsonError& error) {
            send_data_error(response, 400, "INVALID_BODY", error.what());
            return;
        }
        std::vector<std::string> ids = string_list(body, "call_ids");
        if (ids.empty()) {
            send_data_error(response, 400, "INVALID_PARAMETERS",
                            "call_ids must be a non-empty array of call ids.");
            return;
        }
        std::string url;
        if (!resend) {
            Json value = body.contains("webhook_url") ? body["webhook_url"] : Json();
            auto problems = validate_webhook_url(value, "webhook_url", validation());
            if (!problems.empty()) {
                send_data_error(response, 400, "INVALID_PARAMETERS", problems.front());
                return;
            }
            url = value.get<std::string>();
        }
        Json errors = Json::array();
        std::vector<std::pair<std::shared_ptr<Call>, std::string>> sends;
        for (const auto& id : ids) {
            auto call = find_call(id);
            std::lock_guard lock(mutex);
            std::string problem;
            if (!call) {
                problem = fmt::format("Call {} not found.", id);
            } else if (!call->ended) {
                problem = fmt::format("Call {} has not ended yet.", id);
            } else if (!resend && call->logged) {
                problem = fmt::format("A post-call webhook was already sent for call {}.", id);
            } else if (resend && !call->logged) {
                problem = fmt::format("No post-call webhook was sent for call {}: nothing to "
                                      "resend.",
                                      id);
            }
            if (!problem.empty()) {
                errors.push_back(Json{{"error", "INVALID_CALL"}, {"message", problem}});
            } else {
                sends.emplace_back(call, resend ? call->log_url : url);
            }
        }
        if (!errors.empty()) {
            send_json(response, 400, Json{{"data", nullptr}, {"errors", errors}});
            return;
        }
        // Bland answers one webhook log object per call; the sends run in the background, so
        // `metadata` holds the attempts made so far (usually none yet).
        Json data = Json::array();
        for (auto& [call, target] : sends) {
            send_post_call(call, target, resend ? "resend" : "create", Clock::now());
            std::lock_guard lock(mutex);
            data.push_back(log_object(*call));
        }
        send_json(response, 200, Json{{"data", data}, {"errors", nullptr}});
    }

    /// Answers 401 in Bland's shape and returns true when --api-key is set and not presented.
    bool reject_unauthorized(const http::RouteRequest& request, http::RouteResponse& response) {
        if (authorized(request)) {
            return false;
        }
        send_data_error(response, 401, "AUTH_FAILURE", "Unauthorized");
        return true;
    }

    // Inbound numbers (emulator/inbound.hpp) and the ring that calls one.
    void inbound_list(const http::RouteRequest&, http::RouteResponse& response) {
        send(response, inbound.list());
    }
    void inbound_details(const http::RouteRequest& request, http::RouteResponse& response) {
        send(response, inbound.details(request.matches[1]));
    }
    void inbound_update(const http::RouteRequest& request, http::RouteResponse& response) {
        send(response, inbound.update(request.matches[1], request.body, validation()));
    }

    /// Answers 403 in Bland's shape and returns true for what a web page sent: a cross-site
    /// request (a form or text/plain POST needs no preflight) or, bound to loopback, a Host that
    /// is not a loopback name (DNS rebinding). Otherwise a page could have its own data signed
    /// with the developer's webhook secret, or place calls.
    bool reject_browser(const http::RouteRequest& request, http::RouteResponse& response) const {
        const auto refusal = http::check_browser_request(
            http::browser_facts(request), port, http::Fetch::api,
            http::is_loopback_host(options.host) ? http::HostCheck::loopback_names
                                                 : http::HostCheck::any);
        if (!refusal) {
            return false;
        }
        send_data_error(response, 403, "FORBIDDEN",
                        fmt::format("Refused: {}. The emulator serves programs, not web pages.",
                                    refusal->reason));
        return true;
    }

    // Whether a route asks for --api-key. The health check does not: scripts poll it before
    // they know one.
    enum class Key { required, not_required };

    // Registers `handler` behind the browser and API key guards; a Refused it throws is its
    // answer. A POST's body (any Content-Type, k_max_body at most: RouteServerOptions) is read
    // before it runs.
    void add(http::Method method, const char* pattern, Key key, http::RouteHandler handler) {
        server->add(method, pattern,
                    [this, key, handler = std::move(handler)](const http::RouteRequest& request,
                                                              http::RouteResponse& response) {
                        if (reject_browser(request, response) ||
                            (key == Key::required && reject_unauthorized(request, response))) {
                            return;
                        }
                        try {
                            handler(request, response);
                        } catch (const Refused& refused) {
                            send(response, refused.answer);
                        }
                    });
    }

    using Route = void (Impl::*)(const http::RouteRequest&, http::RouteResponse&);

    void add(http::Method method, const char* pattern, Route route, Key key = Key::required) {
        add(method, pattern, key,
            [this, route](const http::RouteRequest& request, http::RouteResponse& response) {
                (this->*route)(request, response);
            });
    }

    http::RouteServerOptions server_options() {
        http::RouteServerOptions o;
        o.threads = static_cast<std::size_t>(std::max(1, options.server_threads));
        o.max_threads = o.threads;
        o.keep_alive_timeout = std::chrono::seconds(5);
        // Auth is checked inside each route, after the body is read: a pre-routing answer would
        // leave the unread body on a keep-alive connection, and the client's next request would
        // be parsed from its middle (a 400 with no body).
        o.max_body_bytes = k_max_body;
        // RFC 9112 gives a request without Content-Length or chunked coding an empty body;
        // cpp-httplib would wait for the connection to close instead. Answered at once, and the
        // connection closed, as whatever follows cannot be framed.
        o.before = [](const http::RouteRequest& request, http::RouteResponse& response) {
            if ((request.method == "POST" || request.method == "PUT" ||
                 request.method == "PATCH") &&
                !request.has_header("Content-Length") && !request.has_header("Transfer-Encoding")) {
                response.set_header("Connection", "close");
                send_status_error(response, 411, "Content-Length required.");
                return true;
            }
            return false;
        };
        o.bad_body = [](http::BodyProblem problem, const http::RouteRequest&,
                        http::RouteResponse& response) {
            switch (problem) {
            case http::BodyProblem::multipart:
                send_status_error(response, 415, "The body must be JSON.");
                break;
            case http::BodyProblem::too_large:
                send_status_error(response, 413, "The body is over 10 MiB.");
                break;
            case http::BodyProblem::unreadable:
                send_status_error(response, 400, "The body could not be read.");
                break;
            }
        };
        o.not_found = [](const http::RouteRequest& request, http::RouteResponse& response) {
            send_status_error(response, 404,
                              fmt::format("Not found: {} {} is not an endpoint of the emulator.",
                                          request.method, request.path));
        };
        o.failed = [this](const http::RouteRequest& request, http::RouteResponse& response,
                          const std::string& what) {
            log(fmt::format("error   {} {}: {}", request.method, request.path, what));
            send_status_error(response, 500, "Internal error in the emulator.");
        };
        return o;
    }

    void install_routes() {
        server = std::make_unique<http::RouteServer>(server_options());
        using http::Method;
        add(Method::get, "/_blandhook/health", &Impl::health, Key::not_required);
        add(Method::post, "/v1/calls", &Impl::post_calls);
        add(Method::get, R"(/v1/calls/([^/]+))", &Impl::get_call);
        add(Method::post, R"(/v1/calls/([^/]+)/stop)", &Impl::stop_call);
        add(Method::get, R"(/v1/postcall/webhooks/([^/]+))", &Impl::get_webhook_log);
        add(Method::post, "/v1/postcall/webhooks/create", &Impl::postcall_create);
        add(Method::post, "/v1/postcall/webhooks/resend", &Impl::postcall_resend);
        add(Method::get, "/v1/inbound", &Impl::inbound_list);
        add(Method::get, R"(/v1/inbound/([^/]+))", &Impl::inbound_details);
        add(Method::post, R"(/v1/inbound/([^/]+))", &Impl::inbound_update);
        add(Method::post, "/emulate/inbound-calls", &Impl::ring);
        install_query_routes();
    }

    // ---- the query endpoints of call_queries.hpp ------------------------------------------

    CallSnapshot snapshot(const Call& call) const { // Impl::mutex held
        CallSnapshot out;
        out.details = details_of(call);
        out.created_at = call.facts.created_at;
        out.ended = call.ended;
        auto record = call.facts.request.find("record");
        out.recorded =
            record != call.facts.request.end() && record->is_boolean() && record->get<bool>();
        out.events = call.event_log;
        out.citations = call.citations;
        return out;
    }

    std::optional<CallSnapshot> snapshot_of(const std::string& id) const {
        auto call = find_call(id);
        if (!call) {
            return std::nullopt;
        }
        std::lock_guard lock(mutex);
        return snapshot(*call);
    }

    // Registers `handler` for an authorized route; the answer goes out as JSON.
    void query_route(http::Method method, const char* pattern,
                     std::function<Answer(const http::RouteRequest&)> handler) {
        add(method, pattern, Key::required,
            [handler = std::move(handler)](const http::RouteRequest& request,
                                           http::RouteResponse& response) {
                send(response, handler(request));
            });
    }

    void install_query_routes() {
        using http::Method;
        query_route(Method::get, "/v1/calls", [this](const http::RouteRequest& request) {
            std::vector<CallSnapshot> all;
            {
                std::lock_guard lock(mutex);
                all.reserve(calls.size());
                for (const auto& [id, call] : calls) {
                    all.push_back(snapshot(*call));
                }
            }
            return list_calls(all, request.params);
        });
        query_route(Method::get, R"(/v1/calls/([^/]+)/events)",
                    [this](const http::RouteRequest& request) {
                        auto call = snapshot_of(request.matches[1]);
                        return call ? call_events(*call) : call_not_found();
                    });
        query_route(Method::post, "/v1/calls/analyze", [this](const http::RouteRequest& request) {
            return analyze_with_schema(request.body,
                                       [this](const std::string& id) { return snapshot_of(id); });
        });
        query_route(Method::post, R"(/v1/calls/([^/]+)/analyze)",
                    [this](const http::RouteRequest& request) {
                        auto call = snapshot_of(request.matches[1]);
                        return call ? analyze_questions(*call, request.body) : call_not_found();
                    });
        // The recording URL of a post-call payload is fetched without the API key, as Bland's
        // are (a storage link), so this route checks none.
        server->get(R"(/v1/recordings/([^/]+)\.wav)", [this](const http::RouteRequest& request,
                                                             http::RouteResponse& response) {
            auto call = snapshot_of(request.matches[1]);
            if (!call || !call->ended || !call->recorded ||
                !call->details.value("recording_url", Json()).is_string()) {
                send_status_error(response, 404, "Recording not found.");
                return;
            }
            double minutes = call->details.value("call_length", 0.0);
            response.set_content(wav_recording(std::min(minutes * 60, 2.0)), "audio/wav");
        });
    }
};

Emulator::Emulator(EmulatorOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

Emulator::~Emulator() {
    stop();
}

int Emulator::start() {
    m_impl->install_routes();
    const auto& options = m_impl->options;
    const int port = m_impl->server->bind(options.host, options.port);
    if (port <= 0) {
        throw Error(
            ErrorKind::network, "emulate",
            fmt::format("cannot listen on {}:{}", options.host, options.port),
            "the port may be in use: pick another with --port, or --port 0 for any free one");
    }
    m_impl->port = port;
    m_impl->server->start();
    return port;
}

void Emulator::stop() {
    if (m_impl->stopped.exchange(true)) {
        return;
    }
    if (m_impl->server) {
        m_impl->server->stop();
    }
    m_impl->scheduler.stop();
}

std::string Emulator::url() const {
    return m_impl->base_url();
}

EmulatorStats Emulator::stats() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->counters;
}

} // namespace blandhook::emulator
