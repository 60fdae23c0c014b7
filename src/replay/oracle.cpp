#include "replay/oracle.hpp"

#include "payload/pointer.hpp"

#include <array>
#include <fmt/core.h>
#include <ranges>

namespace blandhook::replay {
namespace {

using payload::Json;

constexpr std::size_t k_shown_differences = 3;

bool accepted(const DeliveryResult& delivery) {
    const auto& last = delivery.attempts.back();
    return last.response && last.response->status / 100 == 2;
}

bool answered(const DeliveryResult& delivery) {
    return !delivery.attempts.empty() && delivery.attempts.back().response.has_value();
}

std::string value_text(const Json* value) {
    return value ? payload::shorten(*value) : std::string("absent");
}

// Two long strings that differ are shown from a little before their first difference, as a
// test diff shows them, so that the difference is not cut away.
std::pair<std::string, std::string> values_text(const Json* left, const Json* right) {
    if (left && right && left->is_string() && right->is_string()) {
        const std::string a = payload::canonical_json(*left);
        const std::string b = payload::canonical_json(*right);
        std::size_t common = 0;
        while (common < a.size() && common < b.size() && a[common] == b[common]) {
            ++common;
        }
        constexpr std::size_t k_context = 20;
        if (common > k_context + 10) {
            std::size_t from = common - k_context;
            while (from > 0 && (static_cast<unsigned char>(a[from]) & 0xc0) == 0x80) {
                --from;
            }
            return {"…" + payload::shorten_text(std::string_view(a).substr(from), 59),
                    "…" + payload::shorten_text(std::string_view(b).substr(from), 59)};
        }
    }
    return {value_text(left), value_text(right)};
}

// A state as one step read it (nullopt after a probe error), and the call id it was read under.
struct Look {
    const std::optional<State>& state;
    const std::string& call_id;
};

// Runs one case's steps and keeps what they leave; `ok` turns false at the first delivery
// without an answer or the first probe error, and every later step does nothing.
class Steps {
public:
    Steps(const CaseSpec& spec, EffectChannel& channel, CaseResult& result)
        : m_spec(spec), m_channel(channel), m_result(result) {}

    bool ok() const { return m_ok; }

    /// Sends and records; true when the handler accepted it (2xx).
    bool send(const Delivery& delivery, const std::string& prefix = "") {
        if (!m_ok) {
            return false;
        }
        DeliveryResult sent = m_channel.deliver(delivery);
        if (!prefix.empty()) {
            sent.label = prefix + (sent.label.empty() ? "" : " " + sent.label);
        }
        bool was_accepted = answered(sent) && accepted(sent);
        m_ok = answered(sent);
        m_result.deliveries.push_back(std::move(sent));
        return was_accepted;
    }

    /// The settled state of `call_id`, or nullopt after a probe error (recorded as a check).
    std::optional<State> look(const std::string& label, const std::string& call_id,
                              const State* changed_from, bool once = false) {
        if (!m_ok) {
            return std::nullopt;
        }
        ProbeResult probe;
        probe.label = label;
        probe.call_id = call_id;
        probe.read = m_channel.probe(call_id, changed_from, once);
        probe.how = once && probe.read.error.empty() ? "read once" : probe.read.how(*m_spec.probe);
        std::optional<State> state;
        if (!probe.read.error.empty()) {
            m_ok = false;
            m_result.checks.push_back(
                {"probe", {CheckOutcome::Result::error, label + ": " + probe.read.error}});
        } else {
            state = probe.read.state;
        }
        m_result.probes.push_back(std::move(probe));
        return state;
    }

    /// Sends `delivery`, then reads the state of `call_id`: when the handler accepted it, once
    /// the state differs from `before` (a refused delivery need not change anything).
    std::optional<State> send_and_look(const Delivery& delivery, const std::string& label,
                                       const std::string& call_id, const State& before) {
        const bool was_accepted = send(delivery);
        return look(label, call_id, was_accepted ? &before : nullptr);
    }

    /// Sends each of `deliveries` in order; true when the handler accepted any of them.
    bool send_all(const std::vector<Delivery>& deliveries) {
        bool any = false;
        for (const auto& delivery : deliveries) {
            any = send(delivery) || any;
        }
        return any;
    }

    /// Records an oracle's verdict on two looks, each normalized under its own call id; records
    /// nothing when a step failed (a look without a state, a delivery without an answer): that
    /// step's error is the case's verdict.
    void compare(const std::string& oracle, const std::string& claim, const Look& expected_look,
                 const Look& got_look) {
        if (!m_ok || !expected_look.state || !got_look.state) {
            return;
        }
        const State expected = normal(*expected_look.state, expected_look.call_id);
        const State got = normal(*got_look.state, got_look.call_id);
        if (same_state(expected, got)) {
            m_result.checks.push_back({oracle, {}});
            return;
        }
        m_result.checks.push_back(
            {oracle,
             {CheckOutcome::Result::failed,
              fmt::format("{}: {}{}", claim, describe_differences(expected, got), unsettled())}});
    }

    void record(const std::string& oracle, CheckOutcome outcome) {
        if (outcome.result == CheckOutcome::Result::failed) {
            outcome.detail += unsettled();
        }
        m_result.checks.push_back({oracle, std::move(outcome)});
    }

    State normal(const State& state, const std::string& call_id) const {
        return normalized(state, {call_id}, m_spec.ignore);
    }

private:
    // A verdict drawn from a state that never settled says so.
    std::string unsettled() const {
        for (const auto& probe : m_result.probes) {
            if (!probe.read.settled) {
                return fmt::format(" (probe {} {})", probe.label, probe.how);
            }
        }
        return {};
    }

    const CaseSpec& m_spec;
    EffectChannel& m_channel;
    CaseResult& m_result;
    bool m_ok = true;
};

} // namespace

std::string describe_differences(const State& expected, const State& got) {
    auto kind_json = [](const State& state, const State& other) -> std::optional<Json> {
        if (state.kind == State::Kind::json) {
            return state.json;
        }
        if (state.kind == State::Kind::none && other.kind == State::Kind::json) {
            // No state reads as an empty document, so that each member the other state holds is
            // named by its own pointer.
            if (other.json.is_object()) {
                return Json::object();
            }
            if (other.json.is_array()) {
                return Json::array();
            }
        }
        return std::nullopt;
    };
    auto left = kind_json(expected, got);
    auto right = kind_json(got, expected);
    if (!left || !right) {
        return fmt::format("(the whole state): expected {}, got {}", expected.summary(),
                           got.summary());
    }
    auto differences = payload::diff(*left, *right, 1000);
    std::string out;
    for (std::size_t i = 0; i < differences.size() && i < k_shown_differences; ++i) {
        const auto& difference = differences[i];
        auto [expected_text, got_text] = values_text(difference.left, difference.right);
        out += fmt::format("{}{}: expected {}, got {}", i == 0 ? "" : "; ",
                           difference.pointer.empty() ? "(the whole state)" : difference.pointer,
                           expected_text, got_text);
    }
    if (differences.size() > k_shown_differences) {
        out += fmt::format(" (and {} more: {}", differences.size() - k_shown_differences,
                           differences[k_shown_differences].pointer);
        for (std::size_t i = k_shown_differences + 1; i < differences.size() && i < 10; ++i) {
            out += ", " + differences[i].pointer;
        }
        out += differences.size() > 10 ? ", …)" : ")";
    }
    return out;
}

namespace {

// Each scenario's oracle: sends the case's deliveries through `steps`, reads the state between
// them, records its checks, and returns the state the case ends in (for --expect-state).
using Oracle = std::optional<State> (*)(const Case& built, const BuildOptions& options,
                                        Steps& steps);

std::optional<State> single_oracle(const Case& built, const BuildOptions& /*options*/,
                                   Steps& steps) {
    const State none;
    const bool any = steps.send_all(built.deliveries);
    return steps.look("after the delivery", built.call_id, any ? &none : nullptr);
}

std::optional<State> duplicate_oracle(const Case& built, const BuildOptions& /*options*/,
                                      Steps& steps) {
    const std::string& id = built.call_id;
    auto once = steps.send_and_look(built.deliveries.at(0), "after the first delivery", id, {});
    steps.send(built.deliveries.at(1));
    auto final_state = steps.look("after the retry", id, nullptr);
    steps.compare("duplicate",
                  "the retry changed what the first delivery stored (expected = after one "
                  "delivery, got = after two)",
                  {once, id}, {final_state, id});
    return final_state;
}

std::optional<State> two_phase_oracle(const Case& built, const BuildOptions& /*options*/,
                                      Steps& steps) {
    const std::string& id = built.call_id;
    auto after_first = steps.send_and_look(built.deliveries.at(0), "after post-call", id, {});
    if (!after_first) {
        return std::nullopt; // the step's error is recorded; nothing more is sent
    }
    auto final_state =
        steps.send_and_look(built.deliveries.at(1), "after delayed", id, *after_first);
    if (final_state) {
        bool changed = !same_state(steps.normal(*after_first, id), steps.normal(*final_state, id));
        steps.record("two-phase",
                     changed ? CheckOutcome{}
                             : CheckOutcome{CheckOutcome::Result::failed,
                                            "the delayed phase left the state as the post-call "
                                            "phase left it: its corrected_transcript and "
                                            "citations were dropped (state: " +
                                                final_state->summary() + ")"});
    }
    return final_state;
}

std::optional<State> out_of_order_oracle(const Case& built, const BuildOptions& options,
                                         Steps& steps) {
    const State none;
    const std::string& id = built.call_id;
    const auto& deliveries = built.deliveries;
    const bool any = steps.send_all(deliveries);
    auto final_state = steps.look("after delayed, post-call", id, any ? &none : nullptr);
    // The control: the same phases in order, under a call_id of their own.
    const std::string control_id = uuid_v4();
    bool control_any = false;
    for (const auto& delivery : std::views::reverse(deliveries)) {
        control_any =
            steps.send(with_new_id(delivery, id, control_id, options), "in-order") || control_any;
    }
    auto control = steps.look("in-order control after post-call, delayed", control_id,
                              control_any ? &none : nullptr);
    steps.compare("out-of-order",
                  "the state after delayed→post-call differs from the state after "
                  "post-call→delayed (expected = in order, got = out of order)",
                  {control, control_id}, {final_state, id});
    return final_state;
}

std::optional<State> signature_variants_oracle(const Case& built, const BuildOptions& options,
                                               Steps& steps) {
    const State none;
    const std::string& id = built.call_id;
    // Each variant under a call_id of its own, the canonical (compact) one under the case's.
    struct Variant {
        std::string label;
        std::string call_id;
        std::optional<State> state;
    };
    std::vector<Variant> variants;
    std::optional<State> canonical;
    for (const auto& delivery : built.deliveries) {
        const bool is_canonical = delivery.label == "compact";
        const std::string variant_id = is_canonical ? id : uuid_v4();
        bool was_accepted =
            steps.send(is_canonical ? delivery : with_new_id(delivery, id, variant_id, options));
        if (!was_accepted) {
            continue;
        }
        auto state = steps.look("after " + delivery.label, variant_id, &none);
        if (!state) {
            break;
        }
        if (is_canonical) {
            canonical = std::move(state);
        } else {
            variants.push_back({delivery.label, variant_id, std::move(state)});
        }
    }
    for (const auto& variant : variants) {
        steps.compare("signature-variants",
                      fmt::format("the {0} variant left another state than the canonical "
                                  "compact body (expected = compact, got = {0})",
                                  variant.label),
                      {canonical, id}, {variant.state, variant.call_id});
    }
    return canonical;
}

// bad-signature and no-signature: the refused delivery must leave the state as it was.
std::optional<State> refusal_oracle(const Case& built, const BuildOptions& /*options*/,
                                    Steps& steps) {
    const std::string& id = built.call_id;
    auto before = steps.look("before the delivery", id, nullptr, true);
    steps.send(built.deliveries.at(0));
    auto final_state = steps.look("after the refused delivery", id, nullptr);
    steps.compare(std::string(scenario_name(built.scenario)),
                  "the refused delivery changed the state (expected = before it, got = after it)",
                  {before, id}, {final_state, id});
    return final_state;
}

constexpr std::array<std::pair<Scenario, Oracle>, 7> k_oracles = {{
    {Scenario::single, single_oracle},
    {Scenario::two_phase, two_phase_oracle},
    {Scenario::out_of_order, out_of_order_oracle},
    {Scenario::duplicate, duplicate_oracle},
    {Scenario::signature_variants, signature_variants_oracle},
    {Scenario::bad_signature, refusal_oracle},
    {Scenario::no_signature, refusal_oracle},
}};

} // namespace

void run_with_effects(const Case& built, const CaseSpec& spec, const BuildOptions& options,
                      EffectChannel& channel, CaseResult& result) {
    Steps steps(spec, channel, result);
    Oracle oracle = single_oracle;
    for (const auto& [scenario, entry] : k_oracles) {
        if (scenario == built.scenario) {
            oracle = entry;
        }
    }
    const std::optional<State> final_state = oracle(built, options, steps);
    if (final_state && steps.ok()) {
        for (const auto& check : spec.expect_state) {
            steps.record("state " + check.text, evaluate(check, *final_state));
        }
    }
}

void judge_effects(CaseResult& result) {
    if (result.outcome == Outcome::unreachable || result.checks.empty()) {
        return;
    }
    std::string errors;
    std::string failures;
    for (const auto& check : result.checks) {
        const auto& outcome = check.outcome;
        if (outcome.result == CheckOutcome::Result::passed) {
            continue;
        }
        std::string& into = outcome.result == CheckOutcome::Result::error ? errors : failures;
        into += (into.empty() ? "" : "; ") +
                (check.name == "probe" ? "probe error: " : check.name + ": ") + outcome.detail;
    }
    if (!errors.empty()) {
        result.outcome = Outcome::error;
        result.message = errors + (result.message.empty() ? "" : "; " + result.message);
        return;
    }
    if (!failures.empty()) {
        result.outcome = Outcome::failed;
        result.message = result.message.empty() ? failures : result.message + "; " + failures;
    }
}

} // namespace blandhook::replay
