#pragma once
// What `blandhook replay` sends and checks: scenarios, expectations, overrides, and the cases a
// run is made of. A case is one test in the report: the deliveries of one call, sent in order.
#include "http/client.hpp"
#include "payload/json.hpp"
#include "replay/expect.hpp"
#include "replay/probe.hpp"
#include "util/uuid.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace blandhook::replay {

enum class Scenario {
    single,             ///< one delivery of the body
    two_phase,          ///< post-call now, then the delayed variant (citations) for the same call
    out_of_order,       ///< the two phases reversed
    duplicate,          ///< the same delivery twice, as a retry would send it
    signature_variants, ///< pretty, compact, key-reordered and \u-escaped bytes, each signed
    bad_signature,      ///< a wrong X-Webhook-Signature: must be refused
    no_signature,       ///< no X-Webhook-Signature: must be refused
};

/// The command-line names: "single", "two-phase", "out-of-order", … (defined beside the scenario
/// table in build.cpp, which says what each scenario sends)
std::string_view scenario_name(Scenario scenario);
std::optional<Scenario> scenario_from_name(std::string_view name);
/// Every scenario name, in documentation order (for --scenario choices and completions).
std::vector<std::string> scenario_names();

/// What an answer must look like. Statuses are inclusive ranges ("2xx" is 200..299).
struct Expectation {
    std::vector<std::pair<int, int>> statuses;
    std::vector<std::string> body_contains;
    std::vector<StateCheck> answer;   ///< --expect-answer, over the answer body
    std::vector<HeaderCheck> headers; ///< --expect-header

    bool status_ok(int status) const;
    /// "2xx", "401 or 403", "200, body contains \"ok\"".
    std::string text() const;
};

/// Parses "200", "2xx", "200,204" or "401-403" into ranges, added to `into`. Throws Error (usage)
/// naming `what` when it is none of those.
void parse_statuses(std::string_view text, std::vector<std::pair<int, int>>& into,
                    std::string_view what);

Expectation accept_expectation();  ///< 2xx
Expectation refusal_expectation(); ///< 401 or 403

/// One --set: a location in the payload and the value put there.
struct Override {
    std::string path;    ///< as given, for messages
    std::string pointer; ///< RFC 6901 form of `path`
    payload::Json value;
};

/// Parses "PATH=VALUE": PATH dotted (metadata.ticket, transcripts.0.text) or a JSON pointer
/// (/metadata/ticket); VALUE as JSON when it parses, else as a string. Throws Error (usage).
Override parse_override(std::string_view text);

/// Puts `value` at `pointer` in `document`, creating objects on the way. Throws Error (input)
/// when the path crosses a value that is neither object nor array.
void apply_override(payload::Json& document, const Override& override_);

/// How one input is run: from the command line, or one entry of a manifest.
struct CaseSpec {
    Scenario scenario = Scenario::single;
    std::string name;                  ///< test name from a manifest; "" to derive one
    std::vector<Override> overrides;   ///< --set, applied to every delivery of the case
    http::Headers headers;             ///< --header, sent last, replacing same-name headers
    std::optional<Expectation> accept; ///< for deliveries that must be accepted (default 2xx)
    std::optional<Expectation> refuse; ///< for bad/no-signature (default 401 or 403)
    /// --probe / --probe-cmd: read what the handler stored and run the scenario's oracle; null
    /// judges answers only.
    std::shared_ptr<const ProbeSpec> probe;
    std::vector<std::string> ignore;      ///< --ignore: pointers oracles leave out
    std::vector<StateCheck> expect_state; ///< --expect-state, on the state after the case
};

/// One request of a case and what its answer must be.
struct Delivery {
    std::string label; ///< "post-call", "delayed", "pretty", "first", … ("" for a single one)
    http::Request request;
    Expectation expect;
    bool expect_refusal = false; ///< the handler must refuse it (bad or missing signature)
    /// How X-Webhook-Signature was made, so that a changed body can be signed again.
    enum class Signing { none, secret, wrong, kept } signing = Signing::none;
};

/// One test: the deliveries of one call, sent in order by one worker.
struct Case {
    std::size_t index = 0; ///< position in the run, for ordered reports
    std::string name;      ///< "fixtures/error-busy.json", "captures.ndjson:17 #2", …
    std::string group;     ///< the summary row: an input file, a built-in name, a capture log
    Scenario scenario = Scenario::single;
    std::vector<Delivery> deliveries;
    std::string error;   ///< why it could not be built (unreadable input …): no send
    std::string call_id; ///< the call_id its bodies carry ("" when unknown)
    /// Why the scenario does not apply to this input (a two-phase run of a citations event, of a
    /// call that never connected): nothing is sent and the case is reported as skipped.
    std::string skipped;
    std::chrono::milliseconds phase_delay{0}; ///< between the phases of two-phase/out-of-order
};

/// Fresh call ids (replay/build.cpp names it unqualified).
using util::uuid_v4;

} // namespace blandhook::replay
