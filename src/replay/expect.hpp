#pragma once
// Explicit expectations on what a handler stored (--expect-state), on its answers
// (--expect-answer, --expect-header) and on a run's latency (--expect-latency). The grammar is
// docs/replay.md's "Expectations".
#include "http/client.hpp"
#include "payload/json.hpp"
#include "replay/probe.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace blandhook::replay {

/// One `POINTER exists | absent | == JSON | != JSON | contains VALUE | length OP N`.
struct StateCheck {
    enum class Op { exists, absent, equals, differs, contains, length };
    std::string text;    ///< as written, for messages
    std::string pointer; ///< "" the whole document
    Op op = Op::exists;
    payload::Json value;   ///< equals, differs, contains
    std::string length_op; ///< "==", "!=", "<", "<=", ">", ">="
    std::size_t length = 0;
};

/// Parses EXPR. Throws Error (usage) naming `what` ("--expect-state") with the grammar as hint.
StateCheck parse_state_check(std::string_view text, std::string_view what);

/// How a check went: passed, failed (with why), or could not be judged (a pointer into text).
struct CheckOutcome {
    enum class Result { passed, failed, error };
    Result result = Result::passed;
    std::string detail; ///< "/status: expected \"completed\", got \"busy\""
};

/// An oracle or an --expect-state as judged for one case.
struct EffectCheck {
    std::string name; ///< "out-of-order", "duplicate", …, or "state /status == \"completed\""
    CheckOutcome outcome;
};

/// Judges `check` against a state (none is "nothing there").
CheckOutcome evaluate(const StateCheck& check, const State& state);

/// One --expect-header 'Name: value' (or 'Name' for present with any value).
struct HeaderCheck {
    std::string name;
    std::optional<std::string> value;
};
HeaderCheck parse_header_check(std::string_view text);

/// Judges the answer body (as JSON, else as text) and headers: "" when they pass, else why.
std::string check_answer(const std::vector<StateCheck>& body_checks,
                         const std::vector<HeaderCheck>& header_checks,
                         const http::Response& response);

/// One --expect-latency 'p99 < 500ms': a percentile (p50, p95, p99.9, or max) and a bound.
struct LatencyCheck {
    std::string text;
    double percentile = 99; ///< 100 for max
    std::string op;         ///< "<", "<=", ">", ">="
    std::chrono::microseconds bound{0};
};
LatencyCheck parse_latency_check(std::string_view text);

/// The latency figures of a run, from the final attempt of every answered delivery.
struct LatencySummary {
    std::size_t count = 0;
    std::chrono::microseconds p50{0}, p95{0}, p99{0}, max{0};
};

/// The value at `percentile` (nearest rank) of `latencies_us`, which it partially sorts.
std::chrono::microseconds percentile(std::vector<std::uint32_t>& latencies_us, double percentile);
LatencySummary summarize_latency(std::vector<std::uint32_t>& latencies_us);

struct LatencyResult {
    std::string text;
    bool passed = false;
    std::chrono::microseconds measured{0};
    std::string detail; ///< "p99 612.0 ms, expected < 500ms"
};
LatencyResult evaluate(const LatencyCheck& check, std::vector<std::uint32_t>& latencies_us);

} // namespace blandhook::replay
