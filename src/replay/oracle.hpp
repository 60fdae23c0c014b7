#pragma once
// The metamorphic oracles: with a probe, each scenario also proves what the handler stored, by
// comparing the state its deliveries leave with the state of a related run (under another fresh
// call_id when one is needed), with no mapping of the handler's storage:
//   out-of-order        delayed→post-call leaves what post-call→delayed leaves;
//   duplicate           two deliveries leave what one leaves;
//   bad/no-signature    the refused delivery leaves the state as it was;
//   signature-variants  every accepted variant leaves what the canonical (compact) body leaves;
//   two-phase           the delayed phase changes the state the post-call phase left.
#include "replay/build.hpp"
#include "replay/model.hpp"
#include "replay/probe.hpp"
#include "replay/runner.hpp"

#include <string>

namespace blandhook::replay {

/// What the runner lends the oracles: sending one delivery, settling one call's state.
class EffectChannel {
public:
    virtual ~EffectChannel() = default;
    /// Sends `delivery`; the result is judged against its expectation but not yet added anywhere.
    virtual DeliveryResult deliver(const Delivery& delivery) = 0;
    /// Reads the state of `call_id` until it settles (see Prober::settle); `once` reads it once.
    virtual Settled probe(const std::string& call_id, const State* changed_from, bool once) = 0;
};

/// Runs `built` with probes in between as its scenario's oracle needs, adds every delivery and
/// read to `result`, and judges the oracle and spec.expect_state into result.checks. Stops at the
/// first delivery that got no answer or the first probe error.
void run_with_effects(const Case& built, const CaseSpec& spec, const BuildOptions& options,
                      EffectChannel& channel, CaseResult& result);

/// "expected A, got B" for every pointer where `got` differs from `expected` (at most a few,
/// then how many more), values shortened; none compares as an empty document.
std::string describe_differences(const State& expected, const State& got);

/// Folds result.checks into the outcome judge() gave from the answers: a probe that could not
/// be read makes the case an error, a failed check a failure.
void judge_effects(CaseResult& result);

} // namespace blandhook::replay
