#pragma once
// What `blandhook call` does, without the command line: place one call through Bland's API (or
// the emulator), follow it until it is done, catch its post-call webhook on an embedded listener
// and check it. A failed check is a result (CallResult::checks); only API and network failures
// throw blandhook::Error.
#include "bland/calls_api.hpp"
#include "payload/json.hpp"
#include "replay/expect.hpp"
#include "replay/probe.hpp"
#include "util/stop.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace blandhook::bland {

struct CallPlan {
    ApiOptions api;
    payload::Json request; ///< the POST /v1/calls body; `webhook` is set by --listen
    bool wait = false;     ///< poll GET /v1/calls/{id} until done
    bool listen = false;   ///< catch the webhook on an embedded listener
    std::string listen_host = "127.0.0.1";
    int listen_port = 0;
    std::string public_url; ///< the webhook URL Bland should use (a tunnel to the listener)
    std::string secret;     ///< check X-Webhook-Signature with it ("" = not checked)
    std::string expect_status = "completed"; ///< a k_call_statuses value, or "any"
    bool expect_delayed = false; ///< the webhook must be the delayed (citations) variant
    bool check_delivery = false; ///< read the delivery log and require a 2xx there
    std::chrono::milliseconds timeout{300'000}; ///< for the whole wait
    std::chrono::milliseconds first_poll{250};  ///< first poll interval; grows 1.5x up to 5 s
    /// --probe / --probe-cmd: once the call is done (and its webhook caught or logged), read
    /// what the handler stored for it, waiting up to probe->settle for it to appear and settle.
    std::shared_ptr<const replay::ProbeSpec> probe;
    std::vector<replay::StateCheck> expect_state; ///< judged on that state ("state" checks)
    /// SIGINT/SIGTERM: every wait ends at once and run_call returns with `interrupted` set (set
    /// api.cancel to its flag() too, so a request in flight ends as well). Never stops by default.
    util::StopToken stop;
};

/// One state seen while waiting, with its time since the call was placed.
struct Step {
    std::string queue_status;
    std::string status; ///< call `status` once known
    std::chrono::milliseconds at{0};
};

struct Check {
    std::string name; ///< "status", "signature", "schema", "call_id", "delayed", "delivery",
                      ///< "state …"
    bool passed = false;
    std::string detail;
};

enum class Verdict { pass, fail, timeout };

struct CallResult {
    std::string call_id;
    std::string webhook_url;              ///< what the call was told to send to ("" without one)
    std::vector<Step> steps;              ///< queue_status changes, in order
    payload::Json details;                ///< the last call-details object (null without --wait)
    std::optional<payload::Json> webhook; ///< the post-call body received (--listen)
    std::string webhook_kind;             ///< payload kind name
    std::string signature;                ///< payload::verdict_name
    std::chrono::milliseconds webhook_at{0};
    payload::Json delivery_log; ///< data.metadata[] (--check-delivery)
    std::vector<Check> checks;
    Verdict verdict = Verdict::pass;
    std::string timeout_reason; ///< what did not come in time
    bool interrupted = false;   ///< CallPlan::stop ended the run before it was judged
};

/// Reports progress while the run goes on (one line each: queued, started, webhook …).
using Progress = std::function<void(const std::string& line)>;

/// Runs the plan. Throws blandhook::Error for API, network and usage failures.
CallResult run_call(const CallPlan& plan, const Progress& progress);

/// "pass", "fail", "timeout".
std::string_view verdict_name(Verdict verdict);

/// The result as JSON (--json): call_id, verdict, steps, checks, webhook summary, delivery.
payload::Json result_json(const CallResult& result);

/// A JUnit XML document with one test case per check (--report junit:FILE).
std::string junit_report(const CallResult& result);

} // namespace blandhook::bland
