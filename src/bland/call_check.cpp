#include "bland/call_check.hpp"

#include "capture/capture.hpp"
#include "error.hpp"
#include "listen/listener.hpp"
#include "payload/kind.hpp"
#include "report/xml.hpp"
#include "util/enum_table.hpp"

#include <algorithm>
#include <fmt/core.h>

namespace blandhook::bland {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

std::string seconds_text(milliseconds at) {
    return fmt::format("+{:.2f}s", static_cast<double>(at.count()) / 1000.0);
}

std::string text_of(const payload::Json& object, const char* field) {
    if (!object.is_object()) {
        return {};
    }
    auto it = object.find(field);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string duration_text(milliseconds duration) {
    if (duration.count() % 1000 == 0) {
        return fmt::format("{}s", duration.count() / 1000);
    }
    return fmt::format("{}ms", duration.count());
}

// Polls until the call is done or the deadline passes (or a stop comes); records each new
// queue_status.
bool follow_call(ApiClient& api, const CallPlan& plan, CallResult& result, Clock::time_point start,
                 Clock::time_point deadline, const Progress& progress) {
    milliseconds interval = plan.first_poll;
    std::string last;
    while (true) {
        payload::Json details = api.get_call(result.call_id);
        result.details = details;
        std::string state = text_of(details, "queue_status");
        bool done = call_is_done(details);
        if (done) {
            state = state == "complete" || state.empty() ? "completed" : state;
        }
        if (state != last) {
            Step step{state, text_of(details, "status"), since(start)};
            std::string line = fmt::format("  {:<10} {}", state, seconds_text(step.at));
            if (done) {
                line += fmt::format("  status {}", step.status.empty() ? "?" : step.status);
                if (std::string error = text_of(details, "error_message"); !error.empty()) {
                    line += fmt::format(" ({})", error);
                }
            }
            progress(line);
            result.steps.push_back(std::move(step));
            last = state;
        }
        if (done) {
            return true;
        }
        auto now = Clock::now();
        if (now >= deadline) {
            return false;
        }
        if (plan.stop.wait_for(
                std::min(interval, std::chrono::duration_cast<milliseconds>(deadline - now)))) {
            return false;
        }
        interval = std::min(milliseconds(5'000), interval * 3 / 2);
    }
}

void add_check(CallResult& result, std::string name, bool passed, std::string detail) {
    result.checks.push_back(Check{std::move(name), passed, std::move(detail)});
}

void check_webhook(const CallPlan& plan, const capture::Capture& capture, CallResult& result) {
    const auto& summary = capture.payload;
    add_check(result, "call_id", summary.call_id == result.call_id,
              fmt::format("webhook call_id {}", summary.call_id));
    if (plan.secret.empty()) {
        add_check(result, "signature", true, "not checked (no --secret)");
    } else {
        bool valid = summary.signature == "valid-raw" || summary.signature == "valid-canonical";
        add_check(result, "signature", valid,
                  fmt::format("X-Webhook-Signature {}", summary.signature));
    }
    std::string findings;
    for (const auto& finding : summary.findings) {
        if (finding.severity == "error") {
            findings += fmt::format("; {}: {}", finding.pointer.empty() ? "/" : finding.pointer,
                                    finding.message);
        }
    }
    add_check(result, "schema", summary.errors == 0,
              fmt::format("{} ({} errors, {} warnings){}", summary.kind, summary.errors,
                          summary.warnings, findings));
    if (plan.expect_delayed) {
        add_check(result, "delayed", summary.kind == "delayed-post-call",
                  fmt::format("expected the delayed variant, got {}", summary.kind));
    }
}

void check_status(const CallPlan& plan, const std::string& status, const std::string& error,
                  CallResult& result) {
    if (plan.expect_status == "any") {
        return;
    }
    std::string detail =
        fmt::format("status {} (expected {})", status.empty() ? "?" : status, plan.expect_status);
    if (!error.empty()) {
        detail += fmt::format(": {}", error);
    }
    add_check(result, "status", status == plan.expect_status, detail);
}

// Reads the delivery log until it records an attempt (the emulator and Bland log an attempt once
// its answer is read, just after the listener has captured it).
void check_delivery(ApiClient& api, const util::StopToken& stop, CallResult& result,
                    Clock::time_point deadline, const Progress& progress) {
    std::string last_error;
    while (true) {
        try {
            payload::Json data = api.webhook_log(result.call_id);
            payload::Json attempts =
                data.is_object() && data.contains("metadata") && data["metadata"].is_array()
                    ? data["metadata"]
                    : payload::Json::array();
            result.delivery_log = attempts;
            auto delivered = std::ranges::find_if(attempts, [](const auto& item) {
                return item.is_object() && item.contains("response_code") &&
                       item["response_code"].is_number() && item["response_code"] >= 200 &&
                       item["response_code"] <= 299;
            });
            if (delivered != attempts.end()) {
                progress(fmt::format("delivery log: Bland recorded {} after {} attempt(s)",
                                     (*delivered)["response_code"].dump(), attempts.size()));
                add_check(result, "delivery", true,
                          fmt::format("Bland recorded {} ({} attempt(s))",
                                      (*delivered)["response_code"].dump(), attempts.size()));
                return;
            }
            if (!attempts.empty()) {
                last_error =
                    fmt::format("last recorded response code {}",
                                attempts.back().value("response_code", payload::Json(0)).dump());
            }
        } catch (const Error& error) {
            if (error.kind() != ErrorKind::api) {
                throw;
            }
            last_error = error.detail();
        }
        if (Clock::now() >= deadline) {
            add_check(result, "delivery", false,
                      fmt::format("no 2xx in the delivery log: {}",
                                  last_error.empty() ? "no attempt recorded" : last_error));
            return;
        }
        if (stop.wait_for(milliseconds(100))) {
            result.interrupted = true;
            return;
        }
    }
}

// Reads what the handler stored for the call and judges --expect-state on it (without any, that
// something was stored at all).
void check_state(const CallPlan& plan, CallResult& result, const Progress& progress) {
    replay::Prober prober{http::ClientOptions{}};
    const replay::State none;
    replay::Settled read =
        prober.settle(*plan.probe, {result.call_id, "call " + result.call_id, "call"}, &none);
    if (!read.error.empty()) {
        add_check(result, "state", false, "probe error: " + read.error);
        return;
    }
    progress(fmt::format("state of call {}: {}: {}", result.call_id, read.how(*plan.probe),
                         read.state.summary()));
    std::string note = read.settled ? "" : fmt::format(" ({})", read.how(*plan.probe));
    if (plan.expect_state.empty()) {
        bool stored = read.state.kind != replay::State::Kind::none;
        add_check(result, "state", stored,
                  (stored ? "the handler stored " + read.state.summary()
                          : std::string("the handler stored nothing for the call")) +
                      note);
        return;
    }
    for (const auto& check : plan.expect_state) {
        replay::CheckOutcome outcome = replay::evaluate(check, read.state);
        bool passed = outcome.result == replay::CheckOutcome::Result::passed;
        add_check(result, "state " + check.text, passed,
                  passed ? read.state.summary() : outcome.detail + note);
    }
}

} // namespace

std::string_view verdict_name(Verdict verdict) {
    static constexpr util::Named<Verdict> k_verdict_names[] = {
        {Verdict::pass, "pass"},
        {Verdict::fail, "fail"},
        {Verdict::timeout, "timeout"},
    };
    return util::name_of(k_verdict_names, verdict, "fail");
}

// How often `call --listen` says what it is still waiting for.
constexpr std::chrono::milliseconds k_waiting_note_every{5'000};
// How often it reads the delivery log meanwhile (the official CLI polls every 2 s too).
constexpr std::chrono::milliseconds k_delivery_log_every{2'000};
// How often the wait for the webhook looks whether SIGINT or SIGTERM asked to stop.
constexpr std::chrono::milliseconds k_stop_check{100};

// Says each attempt the delivery log (GET /v1/postcall/webhooks/{id}) records as failed since the
// last look: a webhook that cannot reach the listener (a tunnel down, a proxy answering 502) is
// otherwise silence until the timeout. Returns how many attempts were failures in all.
std::size_t report_failed_deliveries(ApiClient& api, const std::string& call_id, std::size_t& seen,
                                     const Progress& progress) {
    payload::Json data;
    try {
        data = api.webhook_log(call_id);
    } catch (const Error& error) {
        if (error.kind() != ErrorKind::api) {
            throw;
        }
        return 0; // no log yet (or none readable with this key): nothing to report
    }
    if (!data.is_object() || !data.contains("metadata") || !data["metadata"].is_array()) {
        return 0;
    }
    const payload::Json& attempts = data["metadata"];
    std::size_t failed = 0;
    for (std::size_t i = 0; i < attempts.size(); ++i) {
        const payload::Json& attempt = attempts[i];
        const int code = attempt.is_object() && attempt.contains("response_code") &&
                                 attempt["response_code"].is_number_integer()
                             ? attempt["response_code"].get<int>()
                             : 0;
        if (code >= 200 && code <= 299) {
            continue;
        }
        ++failed;
        if (i < seen) {
            continue;
        }
        progress(fmt::format(
            "delivery to {} failed: Bland recorded {} (attempt {}, {}{})",
            text_of(data, "url").empty() ? std::string("the webhook URL") : text_of(data, "url"),
            code == 0 ? std::string("no answer") : std::to_string(code), i + 1,
            text_of(attempt, "send_type").empty() ? std::string("spawn")
                                                  : text_of(attempt, "send_type"),
            text_of(attempt, "sent_at").empty() ? std::string()
                                                : ", sent " + text_of(attempt, "sent_at")));
    }
    seen = std::max(seen, attempts.size());
    return failed;
}

namespace {

// With --listen: a memory-only listener whose URL (or --public-url) becomes the call's webhook.
std::unique_ptr<listen::Listener> start_listener(const CallPlan& plan, payload::Json& request,
                                                 CallResult& result, const Progress& progress) {
    listen::ListenerOptions options;
    options.host = plan.listen_host;
    options.port = plan.listen_port;
    options.secret = plan.secret;
    options.store.path.clear(); // memory only: `call` keeps nothing on disk
    auto listener = std::make_unique<listen::Listener>(options);
    listener->start();
    result.webhook_url = plan.public_url.empty() ? listener->url() + "/webhook" : plan.public_url;
    request["webhook"] = result.webhook_url;
    progress(fmt::format(
        "listening on {} for the webhook{}", listener->url(),
        plan.public_url.empty() ? "" : fmt::format(" (public URL {})", plan.public_url)));
    return listener;
}

// The call's post-call webhook as the listener captured it, or nothing by `deadline`; counts in
// `failed_deliveries` the attempts the delivery log records as failed meanwhile. Nothing, too,
// once `stop` is requested: it looks at it every k_stop_check.
std::optional<capture::Capture>
wait_for_webhook(listen::Listener& listener, ApiClient& api, const util::StopToken& stop,
                 const CallResult& result, Clock::time_point deadline, const Progress& progress,
                 std::size_t& failed_deliveries) {
    const std::string& id = result.call_id;
    auto is_post_call = [&id](const capture::Capture& item) {
        return item.payload.call_id == id &&
               (item.payload.kind == "post-call" || item.payload.kind == "delayed-post-call");
    };
    // Waits in slices, saying every few seconds what it waits for: Bland may take up to a
    // minute to send the post-call webhook, and silence looks like a hang.
    // Meanwhile the delivery log says whether Bland (or the emulator) failed to deliver it.
    const Clock::time_point waiting_since = Clock::now();
    Clock::time_point next_note = waiting_since + k_waiting_note_every;
    Clock::time_point next_log = waiting_since + k_delivery_log_every;
    std::size_t log_seen = 0;
    while (true) {
        const auto now = Clock::now();
        const auto wake = std::min({deadline, next_note, next_log, now + k_stop_check});
        auto capture = listener.wait_for(
            is_post_call,
            std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(wake - now)));
        if (capture || Clock::now() >= deadline || stop.stop_requested()) {
            return capture;
        }
        if (Clock::now() >= next_log) {
            next_log += k_delivery_log_every;
            failed_deliveries =
                std::max(failed_deliveries, report_failed_deliveries(api, id, log_seen, progress));
        }
        if (Clock::now() < next_note) {
            continue;
        }
        next_note += k_waiting_note_every;
        progress(fmt::format(
            "waiting for the post-call webhook of call {} at {} ({} s so far, {} s left)", id,
            result.webhook_url,
            std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - waiting_since).count(),
            std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now()).count()));
    }
}

// Records the captured webhook in `result` and judges it.
void check_captured_webhook(const CallPlan& plan, const capture::Capture& capture,
                            Clock::time_point start, CallResult& result, const Progress& progress) {
    result.webhook_at = since(start);
    result.webhook_kind = capture.payload.kind;
    result.signature = capture.payload.signature;
    try {
        result.webhook = payload::parse_json(capture.body);
    } catch (const payload::JsonError&) {
        result.webhook = payload::Json();
    }
    progress(fmt::format("webhook received {}  {}, signature {}", seconds_text(result.webhook_at),
                         capture.payload.kind, capture.payload.signature));
    check_webhook(plan, capture, result);
    check_status(plan, capture.payload.status, capture.payload.error_message, result);
}

} // namespace

CallResult run_call(const CallPlan& plan, const Progress& progress) {
    CallResult result;
    ApiClient api(plan.api);
    payload::Json request = plan.request;

    std::unique_ptr<listen::Listener> listener;
    if (plan.listen) {
        listener = start_listener(plan, request, result, progress);
    } else if (request.contains("webhook") && request["webhook"].is_string()) {
        result.webhook_url = request["webhook"].get<std::string>();
    }

    const auto start = Clock::now();
    const auto deadline = start + plan.timeout;
    payload::Json answer = api.send_call(request);
    result.call_id = text_of(answer, "call_id");
    if (result.call_id.empty()) {
        throw Error(ErrorKind::api, "POST /v1/calls", "the answer has no call_id",
                    "is --api-url a Bland API?");
    }
    progress(fmt::format("call {} queued to {}", result.call_id, text_of(request, "phone_number")));

    bool waited = plan.wait || plan.listen;
    if (waited && !follow_call(api, plan, result, start, deadline, progress)) {
        if (plan.stop.stop_requested()) {
            result.interrupted = true;
            return result;
        }
        result.verdict = Verdict::timeout;
        result.timeout_reason =
            fmt::format("the call was not done within {}", duration_text(plan.timeout));
        return result;
    }

    if (listener) {
        std::size_t failed_deliveries = 0;
        auto capture = wait_for_webhook(*listener, api, plan.stop, result, deadline, progress,
                                        failed_deliveries);
        if (!capture && plan.stop.stop_requested()) {
            result.interrupted = true;
            return result;
        }
        if (!capture) {
            result.verdict = Verdict::timeout;
            result.timeout_reason = fmt::format(
                "no post-call webhook for call {} reached {} within {}{}", result.call_id,
                result.webhook_url, duration_text(plan.timeout),
                failed_deliveries == 0
                    ? std::string()
                    : fmt::format(" (Bland recorded {} failed deliver{})", failed_deliveries,
                                  failed_deliveries == 1 ? "y" : "ies"));
            return result;
        }
        check_captured_webhook(plan, *capture, start, result, progress);
    } else if (waited) {
        check_status(plan, text_of(result.details, "status"),
                     text_of(result.details, "error_message"), result);
    }

    if (plan.check_delivery) {
        check_delivery(api, plan.stop, result, deadline, progress);
        if (result.interrupted) {
            return result;
        }
    }
    if (plan.probe) {
        check_state(plan, result, progress);
    }
    bool all = std::ranges::all_of(result.checks, [](const Check& check) { return check.passed; });
    result.verdict = all ? Verdict::pass : Verdict::fail;
    return result;
}

payload::Json result_json(const CallResult& result) {
    payload::Json out = payload::Json::object();
    out["call_id"] = result.call_id;
    out["verdict"] = verdict_name(result.verdict);
    if (!result.timeout_reason.empty()) {
        out["timeout"] = result.timeout_reason;
    }
    out["webhook_url"] = result.webhook_url;
    payload::Json steps = payload::Json::array();
    for (const auto& step : result.steps) {
        payload::Json item = {{"queue_status", step.queue_status}, {"at_ms", step.at.count()}};
        if (!step.status.empty()) {
            item["status"] = step.status;
        }
        steps.push_back(item);
    }
    out["steps"] = steps;
    if (!result.details.is_null()) {
        out["call"] = {{"status", result.details.value("status", payload::Json())},
                       {"queue_status", result.details.value("queue_status", payload::Json())},
                       {"error_message", result.details.value("error_message", payload::Json())},
                       {"completed", result.details.value("completed", payload::Json())}};
    }
    if (result.webhook) {
        out["webhook"] = {{"kind", result.webhook_kind},
                          {"signature", result.signature},
                          {"at_ms", result.webhook_at.count()},
                          {"status", result.webhook->value("status", payload::Json())}};
    }
    if (!result.delivery_log.is_null()) {
        out["delivery_log"] = result.delivery_log;
    }
    payload::Json checks = payload::Json::array();
    for (const auto& check : result.checks) {
        checks.push_back(
            {{"name", check.name}, {"passed", check.passed}, {"detail", check.detail}});
    }
    out["checks"] = checks;
    return out;
}

namespace {} // namespace

std::string junit_report(const CallResult& result) {
    std::vector<Check> checks = result.checks;
    if (result.verdict == Verdict::timeout) {
        checks.push_back(Check{"timeout", false, result.timeout_reason});
    }
    std::size_t failures = std::count_if(checks.begin(), checks.end(),
                                         [](const Check& check) { return !check.passed; });
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    xml += fmt::format("<testsuites name=\"blandhook call\" tests=\"{}\" failures=\"{}\">\n",
                       checks.size(), failures);
    xml += fmt::format("  <testsuite name=\"call {}\" tests=\"{}\" failures=\"{}\">\n",
                       report::xml_attribute(result.call_id), checks.size(), failures);
    for (const auto& check : checks) {
        xml += fmt::format(R"(    <testcase classname="blandhook.call" name="{}")",
                           report::xml_attribute(check.name));
        if (check.passed) {
            xml += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n",
                               report::xml_attribute(check.detail));
        } else {
            xml += fmt::format(">\n      <failure message=\"{}\"/>\n    </testcase>\n",
                               report::xml_attribute(check.detail));
        }
    }
    xml += "  </testsuite>\n</testsuites>\n";
    return xml;
}

} // namespace blandhook::bland
