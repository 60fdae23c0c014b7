#include "replay/runner.hpp"

#include "replay/oracle.hpp"

#include <algorithm>
#include <atomic>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace blandhook::replay {
namespace {

using Clock = std::chrono::steady_clock;

struct Work {
    std::size_t index = 0;
    std::shared_ptr<const Item> item;
    const CaseSpec* spec = nullptr;
    int repeat = 1;
    std::shared_ptr<const Case> prebuilt;  ///< shared by repeats when nothing changes per delivery
    std::optional<std::string> fresh_from; ///< --fresh-ids: the prebuilt case's call id to replace
};

// Each outcome's name (in the reports) and the total that counts it.
struct OutcomeRow {
    Outcome outcome;
    std::string_view name;
    std::size_t RunTotals::*count;
};

constexpr OutcomeRow k_outcomes[] = {
    {Outcome::passed, "passed", &RunTotals::passed},
    {Outcome::failed, "failed", &RunTotals::failed},
    {Outcome::unreachable, "unreachable", &RunTotals::unreachable},
    {Outcome::error, "error", &RunTotals::errors},
    {Outcome::skipped, "skipped", &RunTotals::skipped},
};

const OutcomeRow& row_of(Outcome outcome) {
    const auto* row = std::ranges::find(k_outcomes, outcome, &OutcomeRow::outcome);
    if (row != std::end(k_outcomes)) {
        return *row;
    }
    static_assert(k_outcomes[3].outcome == Outcome::error);
    return k_outcomes[3]; // an outcome missing from the table reads as an error
}

bool refused(const std::string& error) {
    return error.starts_with("connection refused") || error.starts_with("could not resolve");
}

std::string attempts_text(const std::vector<http::Attempt>& attempts) {
    std::string out;
    for (const auto& attempt : attempts) {
        if (!out.empty()) {
            out += ", then ";
        }
        out += attempt.response ? std::to_string(attempt.response->status) : attempt.error;
    }
    return out;
}

class Runner {
public:
    Runner(const std::vector<CaseSpec>& specs, const RunOptions& options, ResultSink& sink)
        : m_specs(specs), m_options(options), m_sink(sink),
          m_window(static_cast<std::size_t>(std::max(64, options.jobs * 16))) {}

    RunTotals run(InputReader& reader) {
        auto start = Clock::now();
        std::vector<std::thread> workers;
        for (int i = 0; i < std::max(1, m_options.jobs); ++i) {
            workers.emplace_back([this] { work(); });
        }
        // Whatever happens while reading, the workers are told to finish and joined.
        struct JoinOnExit {
            Runner* runner;
            std::vector<std::thread>& threads;
            ~JoinOnExit() {
                {
                    std::lock_guard lock(runner->m_mutex);
                    runner->m_done_dispatching = true;
                }
                runner->m_work_ready.notify_all();
                for (auto& thread : threads) {
                    if (thread.joinable()) {
                        thread.join();
                    }
                }
            }
        };
        {
            JoinOnExit join_on_exit{this, workers};
            dispatch(reader);
        }
        m_totals.interrupted = m_options.stop.stop_requested();
        m_totals.wall = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        for (const auto& check : m_options.expect_latency) {
            m_totals.latency_checks.push_back(evaluate(check, m_latencies_us));
            m_totals.latency_failed += m_totals.latency_checks.back().passed ? 0 : 1;
        }
        m_totals.latency = summarize_latency(m_latencies_us);
        return m_totals;
    }

private:
    void dispatch(InputReader& reader) {
        std::size_t index = 0;
        while (!m_options.stop.stop_requested()) {
            std::optional<Item> next = reader.next();
            if (!next) {
                break;
            }
            auto item = std::make_shared<const Item>(std::move(*next));
            const CaseSpec& spec = m_specs.at(item->source);
            // Built once and shared by the repeats; with --fresh-ids, each repeat swaps the call
            // id in the built bodies by text when that is exact, else builds again.
            std::shared_ptr<const Case> prebuilt;
            std::optional<std::string> old_id;
            // A probe reads state by call_id: every case gets ids of its own, so that cases never
            // see each other's state.
            const bool fresh = m_options.build.fresh_ids || spec.probe != nullptr;
            if (fresh && item->error.empty()) {
                old_id = text_replaceable_id(item->body);
            }
            if (!fresh || old_id) {
                BuildOptions once = m_options.build;
                once.fresh_ids = false;
                prebuilt = std::make_shared<const Case>(build_case(*item, spec, once));
            }
            for (int repeat = 1;
                 repeat <= std::max(1, m_options.repeat) && !m_options.stop.stop_requested();
                 ++repeat) {
                push(Work{index++, item, &spec, repeat, prebuilt, old_id});
            }
        }
    }

    void push(Work work) {
        std::unique_lock lock(m_mutex);
        // Bounded: the reader never runs more than a window ahead of the reports. Once full, it
        // waits for half the window to free up, so that it is woken once per half window rather
        // than once per finished case (a context switch each, which showed in profiles).
        if (work.index >= m_next_report + m_window) {
            m_resume_at = work.index + m_window / 2 - m_window + 1;
            m_dispatcher_waiting = true;
            while (!m_room.wait_for(lock, std::chrono::milliseconds(100), [&] {
                return m_next_report >= m_resume_at || m_options.stop.stop_requested();
            })) {
            }
            m_dispatcher_waiting = false;
        }
        m_queue.push_back(std::move(work));
        lock.unlock();
        m_work_ready.notify_one();
    }

    void work() {
        std::optional<http::Client> client;
        std::optional<Prober> prober;
        while (true) {
            Work work;
            {
                std::unique_lock lock(m_mutex);
                m_work_ready.wait(lock, [&] { return !m_queue.empty() || m_done_dispatching; });
                if (m_queue.empty()) {
                    return;
                }
                work = std::move(m_queue.front());
                m_queue.pop_front();
            }
            if (!client) {
                client.emplace(m_options.build.target, m_options.client);
            }
            if (!prober && work.spec->probe) {
                prober.emplace(m_options.client);
            }
            CaseResult result = execute(work, *client, prober ? &*prober : nullptr);
            complete(std::move(result));
        }
    }

    // The case a work item sends: the prebuilt one, renewed under a fresh id when --fresh-ids
    // asks, or built now. `renew_to` gets the id each delivery is renewed to as it is sent.
    std::shared_ptr<const Case> case_for(const Work& work, std::optional<std::string>& renew_to) {
        std::shared_ptr<const Case> built = work.prebuilt;
        // --fresh-ids: each delivery is renewed into a per-worker buffer as it is sent; the
        // oracles need the whole case under its new id, so with a probe it is copied.
        if (built && work.fresh_from && built->error.empty()) {
            if (work.spec->probe) {
                built = std::make_shared<const Case>(
                    with_new_id(*built, *work.fresh_from, uuid_v4(), m_options.build));
            } else {
                renew_to = uuid_v4();
            }
        }
        if (!built) {
            BuildOptions fresh = m_options.build;
            fresh.fresh_ids = true; // only reached when ids are renewed and not by text
            built = std::make_shared<const Case>(build_case(*work.item, *work.spec, fresh));
        }
        return built;
    }

    // Why the case is not sent at all (a bad input, a scenario that does not apply, a stop, a
    // target known to be down), in `result`; false when it is to be sent.
    bool not_sent(const Case& the_case, CaseResult& result) {
        if (!the_case.error.empty()) {
            result.outcome = Outcome::error;
            result.message = the_case.error;
        } else if (!the_case.skipped.empty()) {
            result.outcome = Outcome::skipped;
            result.message = the_case.skipped;
        } else if (m_options.stop.stop_requested()) {
            result.outcome = Outcome::error;
            result.message = "not sent: interrupted";
        } else if (m_unreachable) {
            std::lock_guard lock(m_mutex);
            result.outcome = Outcome::unreachable;
            result.message = "not sent: the target is unreachable (" + m_unreachable_reason + ")";
        } else {
            return false;
        }
        return true;
    }

    // One delivery with its retries, judged; `all_refused` stays true while every attempt of
    // the case was refused outright.
    DeliveryResult send(const Delivery& original, const Work& work,
                        const std::optional<std::string>& renew_to, http::Client& client,
                        bool& all_refused) {
        // A renewed copy (--fresh-ids on a prebuilt case) keeps its buffers between deliveries.
        thread_local Delivery renewed;
        const bool renew = renew_to && work.fresh_from;
        if (renew_to && work.fresh_from) {
            with_new_id(original, *work.fresh_from, *renew_to, m_options.build, renewed);
        }
        const Delivery& delivery = renew ? renewed : original;
        DeliveryResult delivered;
        delivered.label = delivery.label;
        delivered.method = delivery.request.method;
        delivered.target = delivery.request.target;
        delivered.bytes = delivery.request.body.size();
        delivered.signed_request =
            http::find_header(delivery.request.headers, "X-Webhook-Signature").has_value();
        delivered.expect = delivery.expect.text();
        delivered.expect_refusal = delivery.expect_refusal;
        delivered.attempts = http::deliver(client, delivery.request, m_options.retry);
        // Judged on the whole answer, then cut for the reports.
        judge_delivery(delivered, delivery.expect);
        explain_unsigned_refusal(delivered, m_options.build.secret.empty());
        for (auto& attempt : delivered.attempts) {
            if (attempt.response) {
                m_reached = true;
                all_refused = false;
                if (attempt.response->body.size() > k_kept_body_bytes) {
                    attempt.response->body.resize(k_kept_body_bytes);
                }
            } else if (!refused(attempt.error)) {
                all_refused = false;
            }
        }
        return delivered;
    }

    // --phase-delay before every phase but the first; a stop request ends the wait.
    void pause(const Case& the_case, std::size_t phase) const {
        if (phase > 0 && the_case.phase_delay.count() > 0 &&
            scenario_traits(the_case.scenario).paced) {
            m_options.stop.wait_for(the_case.phase_delay);
        }
    }

    // With a probe, the scenario's oracle decides what is sent and read, and when.
    void run_probed(const Case& the_case, const Work& work,
                    const std::function<DeliveryResult(const Delivery&)>& send_one, Prober& prober,
                    CaseResult& result) {
        struct Channel : EffectChannel {
            std::function<DeliveryResult(const Delivery&)> deliver_one;
            std::function<Settled(const std::string&, const State*, bool)> probe_one;
            DeliveryResult deliver(const Delivery& delivery) override {
                return deliver_one(delivery);
            }
            Settled probe(const std::string& call_id, const State* changed_from,
                          bool once) override {
                return probe_one(call_id, changed_from, once);
            }
        } channel;
        std::size_t sent = 0;
        channel.deliver_one = [&](const Delivery& delivery) {
            pause(the_case, sent++);
            return send_one(delivery);
        };
        const ProbeSpec& spec = *work.spec->probe;
        ProbeTarget target{"", result.name, std::string(scenario_name(the_case.scenario))};
        channel.probe_one = [&](const std::string& call_id, const State* changed_from, bool once) {
            target.call_id = call_id;
            if (!once) {
                return prober.settle(spec, target, changed_from);
            }
            Settled settled;
            ProbeRead read = prober.read(spec, target);
            settled.reads = 1;
            settled.settled = read.state.has_value();
            settled.error = read.error;
            if (read.state) {
                settled.state = std::move(*read.state);
            }
            return settled;
        };
        run_with_effects(the_case, *work.spec, m_options.build, channel, result);
    }

    CaseResult execute(const Work& work, http::Client& client, Prober* prober) {
        std::optional<std::string> renew_to;
        const std::shared_ptr<const Case> built = case_for(work, renew_to);
        const Case& the_case = *built;
        CaseResult result;
        result.index = work.index;
        result.name = the_case.name;
        if (m_options.repeat > 1) {
            result.name += " #" + std::to_string(work.repeat);
        }
        result.group = the_case.group;
        result.scenario = the_case.scenario;
        if (not_sent(the_case, result)) {
            return result;
        }
        auto start = Clock::now();
        bool all_refused = true;
        auto send_one = [&](const Delivery& delivery) {
            return send(delivery, work, renew_to, client, all_refused);
        };
        if (work.spec->probe && prober != nullptr) {
            run_probed(the_case, work, send_one, *prober, result);
        } else {
            for (std::size_t i = 0; i < the_case.deliveries.size(); ++i) {
                pause(the_case, i);
                result.deliveries.push_back(send_one(the_case.deliveries[i]));
            }
        }
        result.duration =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        judge(result);
        judge_effects(result);
        // A target that refused every attempt and never answered once is down: the remaining
        // cases are reported as not sent instead of each waiting through its retries.
        if (all_refused && !m_reached && !result.deliveries.empty()) {
            std::lock_guard lock(m_mutex);
            if (!m_unreachable) {
                m_unreachable_reason = result.deliveries.front().attempts.back().error;
                m_unreachable = true;
            }
        }
        return result;
    }

    void complete(CaseResult result) {
        std::lock_guard lock(m_mutex);
        m_finished.emplace(result.index, std::move(result));
        bool advanced = false;
        for (auto it = m_finished.find(m_next_report); it != m_finished.end();
             it = m_finished.find(m_next_report)) {
            count(it->second);
            m_sink.finished(it->second);
            m_finished.erase(it);
            ++m_next_report;
            advanced = true;
        }
        if (advanced && m_dispatcher_waiting && m_next_report >= m_resume_at) {
            m_room.notify_all();
        }
    }

    void count(const CaseResult& result) {
        ++m_totals.cases;
        ++(m_totals.*row_of(result.outcome).count);
        m_totals.deliveries += result.deliveries.size();
        for (const auto& delivery : result.deliveries) {
            m_totals.attempts += delivery.attempts.size();
            const auto& last = delivery.attempts.back();
            if (last.response) {
                m_latencies_us.push_back(static_cast<std::uint32_t>(
                    std::min<std::int64_t>(last.latency.count(), UINT32_MAX)));
            }
        }
    }

    const std::vector<CaseSpec>& m_specs;
    const RunOptions& m_options;
    ResultSink& m_sink;
    const std::size_t m_window;

    std::mutex m_mutex;
    std::condition_variable m_work_ready;
    std::condition_variable m_room;
    std::deque<Work> m_queue;
    bool m_done_dispatching = false;
    std::size_t m_next_report = 0;
    bool m_dispatcher_waiting = false;
    std::size_t m_resume_at = 0; ///< the dispatcher waits until m_next_report reaches it
    std::map<std::size_t, CaseResult> m_finished;
    RunTotals m_totals;
    std::vector<std::uint32_t> m_latencies_us; ///< final answered attempts, for percentiles

    std::atomic<bool> m_reached{false};
    std::atomic<bool> m_unreachable{false};
    std::string m_unreachable_reason;
};

} // namespace

std::string_view outcome_name(Outcome outcome) {
    return row_of(outcome).name;
}

void judge_delivery(DeliveryResult& delivery, const Expectation& expect) {
    const http::Attempt& last = delivery.attempts.back();
    if (!last.response) {
        delivery.passed = false;
        delivery.failure = "no answer: " + last.error;
        return;
    }
    const http::Response& response = *last.response;
    if (!expect.status_ok(response.status)) {
        delivery.passed = false;
        delivery.failure =
            "answered " + std::to_string(response.status) + ", expected " + delivery.expect;
        if (!last.note.empty()) {
            delivery.failure += " (" + last.note + ")";
        }
        return;
    }
    for (const auto& needle : expect.body_contains) {
        if (response.body.find(needle) == std::string::npos) {
            delivery.passed = false;
            delivery.failure = "answer body lacks \"" + needle + "\"";
            return;
        }
    }
    if (std::string failure = check_answer(expect.answer, expect.headers, response);
        !failure.empty()) {
        delivery.passed = false;
        delivery.failure = failure;
        return;
    }
    delivery.passed = true;
}

void explain_unsigned_refusal(DeliveryResult& delivery, bool no_secret) {
    const http::Attempt& last = delivery.attempts.back();
    if (delivery.passed || !no_secret || delivery.signed_request || !last.response ||
        (last.response->status != 401 && last.response->status != 403)) {
        return;
    }
    // A handler refusing unsigned bodies is the commonest first failure; the warning about the
    // missing secret scrolled away long before this line (issue 14).
    delivery.failure += ": not signed: pass --secret or set BLAND_WEBHOOK_SECRET";
}

void judge(CaseResult& result) {
    std::vector<const DeliveryResult*> failed;
    for (const auto& delivery : result.deliveries) {
        if (!delivery.attempts.empty() && !delivery.attempts.back().response) {
            result.outcome = Outcome::unreachable;
            result.message = (delivery.label.empty() ? "" : delivery.label + ": ") +
                             delivery.failure +
                             (delivery.attempts.size() > 1
                                  ? " (" + std::to_string(delivery.attempts.size()) + " attempts)"
                                  : "");
            return;
        }
        if (!delivery.passed) {
            failed.push_back(&delivery);
        }
    }
    if (failed.empty()) {
        result.outcome = Outcome::passed;
        result.message.clear();
        return;
    }
    result.outcome = Outcome::failed;
    if (result.scenario == Scenario::signature_variants) {
        const DeliveryResult* compact = nullptr;
        std::string refused;
        for (const auto& delivery : result.deliveries) {
            if (delivery.label == "compact") {
                compact = &delivery;
            }
        }
        for (const auto* delivery : failed) {
            refused += (refused.empty() ? "" : ", ") + delivery->label + " (" +
                       attempts_text(delivery->attempts) + ")";
        }
        if (compact != nullptr && compact->passed) {
            result.message = "the handler re-serialises the body before checking the signature "
                             "(as Bland's JSON.stringify example does) and refused correctly "
                             "signed bytes: " +
                             refused + "; compute the HMAC over the raw request body";
        } else {
            result.message = "the handler refused correctly signed bodies, even the compact one "
                             "Bland's example signs: " +
                             refused;
        }
        return;
    }
    std::string message;
    for (const auto* delivery : failed) {
        if (!message.empty()) {
            message += "; ";
        }
        if (!delivery->label.empty()) {
            message += delivery->label + ": ";
        }
        message += delivery->failure;
        if (delivery->expect_refusal && delivery->attempts.back().response &&
            delivery->attempts.back().response->status / 100 == 2) {
            message += delivery->label == "no-signature"
                           ? " (the handler accepts unsigned requests)"
                           : " (the handler does not verify X-Webhook-Signature)";
        }
        if (delivery->attempts.size() > 1) {
            message += " after " + std::to_string(delivery->attempts.size()) + " attempts (" +
                       attempts_text(delivery->attempts) + ")";
        }
    }
    result.message = message;
}

RunTotals run(InputReader& reader, const std::vector<CaseSpec>& specs, const RunOptions& options,
              ResultSink& sink) {
    // An attempt in flight is ended by a stop request, not waited for.
    RunOptions stoppable = options;
    stoppable.client.cancel = options.stop.flag();
    Runner runner(specs, stoppable, sink);
    return runner.run(reader);
}

} // namespace blandhook::replay
