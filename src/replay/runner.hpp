#pragma once
// Runs the cases of a replay: N workers, each with its own kept-alive connection, a case's
// deliveries sent in order by one worker, results handed to the reports in input order. Inputs
// are pulled as workers free up, so memory stays bounded whatever the number of cases.
#include "http/client.hpp"
#include "replay/build.hpp"
#include "replay/inputs.hpp"
#include "replay/model.hpp"
#include "util/stop.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace blandhook::replay {

/// One delivery as it went: every attempt, and whether the final answer met the expectation.
struct DeliveryResult {
    std::string label;
    std::string method;
    std::string target;
    std::size_t bytes = 0;
    bool signed_request = false;
    std::vector<http::Attempt> attempts; ///< answer bodies cut to k_kept_body_bytes
    std::string expect;                  ///< Expectation::text()
    bool expect_refusal = false;
    bool passed = false;
    std::string failure; ///< why not, when !passed
};

enum class Outcome {
    passed,
    failed,      ///< an answer did not meet its expectation
    unreachable, ///< a delivery got no answer at all (refused, reset, timed out, TLS)
    error,       ///< the input could not be read or built: nothing was sent
    skipped,     ///< the scenario does not apply to the input: nothing was sent, no failure
};

/// "passed", "failed", "unreachable", "error", "skipped".
std::string_view outcome_name(Outcome outcome);

struct CaseResult {
    std::size_t index = 0;
    std::string name;
    std::string group;
    Scenario scenario = Scenario::single;
    Outcome outcome = Outcome::passed;
    std::string message; ///< the verdict in one line, for failures and errors
    std::vector<DeliveryResult> deliveries;
    std::vector<ProbeResult> probes; ///< states read (--probe), in order
    std::vector<EffectCheck> checks; ///< oracles and --expect-state, judged on those states
    std::chrono::microseconds duration{0};
};

/// Answer bodies kept per attempt for reports (enough for an error message, bounded memory).
constexpr std::size_t k_kept_body_bytes = 2048;

struct RunOptions {
    http::ClientOptions client;
    http::RetryPolicy retry;
    BuildOptions build;
    int jobs = 1;
    int repeat = 1;
    std::vector<LatencyCheck> expect_latency; ///< judged over the whole run
    /// SIGINT/SIGTERM: attempts in flight end at once ("interrupted"), no retry or further case
    /// is sent, and everything is reported.
    util::StopToken stop;
};

/// Receives results in input order, one call at a time (never concurrently).
class ResultSink {
public:
    virtual ~ResultSink() = default;
    virtual void finished(const CaseResult& result) = 0;
};

struct RunTotals {
    std::size_t cases = 0;
    std::size_t passed = 0;
    std::size_t failed = 0;
    std::size_t unreachable = 0;
    std::size_t errors = 0;
    std::size_t skipped = 0;
    std::size_t deliveries = 0;
    std::size_t attempts = 0;
    bool interrupted = false;
    std::chrono::microseconds wall{0};
    LatencySummary latency; ///< final attempts of answered deliveries
    std::vector<LatencyResult> latency_checks;
    std::size_t latency_failed = 0;
};

/// Judges one case from its deliveries' final answers, then from its effect checks (exposed for
/// tests).
void judge(CaseResult& result);

/// Judges one delivery's final answer against `expect` (status, body, --expect-answer/-header).
void judge_delivery(DeliveryResult& delivery, const Expectation& expect);

/// When a failed delivery was refused (401, 403) and went unsigned because no secret was given,
/// says so in its failure: "…: not signed: pass --secret or set BLAND_WEBHOOK_SECRET".
void explain_unsigned_refusal(DeliveryResult& delivery, bool no_secret);

/// Runs every item `reader` yields, each under specs[item.source], `options.repeat` times.
RunTotals run(InputReader& reader, const std::vector<CaseSpec>& specs, const RunOptions& options,
              ResultSink& sink);

} // namespace blandhook::replay
