#include "replay/report.hpp"

#include "report/xml.hpp"

#include "error.hpp"
#include "term/style.hpp"
#include "util/non_copyable.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/core.h>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace blandhook::replay {
namespace {

using Clock = std::chrono::steady_clock;

double ms(std::chrono::microseconds value) {
    return static_cast<double>(value.count()) / 1000.0;
}

std::string delivery_heading(const DeliveryResult& delivery) {
    return fmt::format("{} {}{}  {} bytes  {}  expect {}", delivery.method, delivery.target,
                       delivery.label.empty() ? "" : "  " + delivery.label, delivery.bytes,
                       delivery.signed_request ? "signed" : "unsigned", delivery.expect);
}

std::string attempt_line(const http::Attempt& attempt) {
    std::string waited = attempt.waited.count() > 0
                             ? fmt::format(" (after {:.1f} s)",
                                           std::chrono::duration<double>(attempt.waited).count())
                             : "";
    std::string outcome =
        attempt.response ? std::to_string(attempt.response->status) : "no answer: " + attempt.error;
    return fmt::format("attempt {}{}: {} in {}", attempt.number, waited, outcome,
                       format_latency(attempt.latency));
}

std::string_view check_result_name(CheckOutcome::Result result) {
    switch (result) {
    case CheckOutcome::Result::passed:
        return "passed";
    case CheckOutcome::Result::failed:
        return "failed";
    case CheckOutcome::Result::error:
        return "error";
    }
    return "error";
}

// The states a case read and what was judged on them.
std::string effects_log(const CaseResult& result) {
    std::string out;
    for (const auto& probe : result.probes) {
        out += fmt::format("probe {} ({}): {}\n  {}\n", probe.label, probe.call_id, probe.how,
                           probe.read.error.empty() ? probe.read.state.summary(200)
                                                    : probe.read.error);
    }
    for (const auto& check : result.checks) {
        out += fmt::format("check {}: {}{}\n", check.name, check_result_name(check.outcome.result),
                           check.outcome.detail.empty() ? "" : ": " + check.outcome.detail);
    }
    return out;
}

// The attempt log of a case: what <system-out> holds and what a failure prints below its line.
std::string attempt_log(const CaseResult& result) {
    std::string out;
    for (const auto& delivery : result.deliveries) {
        out += delivery_heading(delivery) + "\n";
        for (const auto& attempt : delivery.attempts) {
            out += "  " + attempt_line(attempt) + "\n";
        }
        const auto& last = delivery.attempts.back();
        if (last.response && !last.response->body.empty() && !delivery.passed) {
            out += "  answer body: " + last.response->body + "\n";
        }
        if (!delivery.passed) {
            out += "  FAILED: " + delivery.failure + "\n";
        }
    }
    out += effects_log(result);
    return out;
}

std::string latency_line(const LatencySummary& latency) {
    if (latency.count == 0) {
        return "latency: no answers";
    }
    return fmt::format("latency over {} answers: p50 {}  p95 {}  p99 {}  max {}", latency.count,
                       format_latency(latency.p50), format_latency(latency.p95),
                       format_latency(latency.p99), format_latency(latency.max));
}

class FileReport : public ReportWriter {
protected:
    explicit FileReport(const std::string& path) : m_path(path) {
        if (path == "-") {
            m_out.rdbuf(std::cout.rdbuf()); // FORMAT:- is stdout, for a pipe
            return;
        }
        // Opened now: an unwritable report path is a usage error before anything is sent.
        m_file.open(path, std::ios::binary | std::ios::trunc);
        if (!m_file) {
            throw Error(ErrorKind::usage, "--report",
                        "cannot write " + path + ": " + std::strerror(errno));
        }
        m_out.rdbuf(m_file.rdbuf());
    }
    void check() {
        m_out.flush();
        if (!m_out) {
            throw Error(ErrorKind::internal, "--report", "writing " + m_path + " failed");
        }
    }
    std::string m_path;
    std::ofstream m_file;
    std::ostream m_out{nullptr}; ///< m_file, or std::cout for "-"
};

// Temporary spool for parts whose header (counts) is known only at the end.
class Spool : util::NonCopyable {
public:
    Spool() : m_file(std::tmpfile()) {
        if (m_file == nullptr) {
            throw Error(ErrorKind::internal, "--report", "cannot create a temporary file");
        }
    }
    ~Spool() {
        if (m_file != nullptr) {
            std::fclose(m_file);
        }
    }
    void write(std::string_view text) { std::fwrite(text.data(), 1, text.size(), m_file); }
    void copy_to(std::ostream& out) {
        if (std::fflush(m_file) != 0 || std::fseek(m_file, 0, SEEK_SET) != 0) {
            throw Error(ErrorKind::internal, "--report",
                        std::string("cannot read back the temporary file: ") +
                            std::strerror(errno));
        }
        char buffer[65536];
        std::size_t n = 0;
        while ((n = std::fread(buffer, 1, sizeof buffer, m_file)) > 0) {
            out.write(buffer, static_cast<std::streamsize>(n));
        }
    }

private:
    std::FILE* m_file;
};

class JunitReport : public FileReport {
public:
    JunitReport(const std::string& path, RunInfo info)
        : FileReport(path), m_info(std::move(info)) {}

    void finished(const CaseResult& result) override {
        std::string suite = result.group;
        if (result.scenario != Scenario::single) {
            suite += " [" + std::string(scenario_name(result.scenario)) + "]";
        }
        if (!m_suite || suite != m_suite_name) {
            close_suite();
            m_suite = std::make_unique<Spool>();
            m_suite_name = suite;
            m_suite_counts = {};
        }
        double seconds = static_cast<double>(result.duration.count()) / 1e6;
        std::string xml = fmt::format(
            "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.6f}\">\n",
            report::xml_attribute(result.name), report::xml_attribute(classname(result)), seconds);
        const Verdict& verdict = verdict_of(result);
        if (verdict.count != nullptr) {
            ++(m_suite_counts.*verdict.count);
            const std::string type =
                verdict.type.empty() ? "" : fmt::format(" type=\"{}\"", verdict.type);
            const std::string message = report::xml_attribute(result.message);
            xml +=
                verdict.log
                    ? fmt::format("      <{0}{1} message=\"{2}\">{3}</{0}>\n", verdict.element,
                                  type, message, report::xml_text(attempt_log(result)))
                    : fmt::format("      <{}{} message=\"{}\"/>\n", verdict.element, type, message);
        }
        if (!result.deliveries.empty()) {
            xml += "      <system-out>" + report::xml_text(attempt_log(result)) + "</system-out>\n";
        }
        xml += "    </testcase>\n";
        m_suite->write(xml);
        ++m_suite_counts.tests;
        m_suite_counts.seconds += seconds;
    }

    void finish(const RunTotals& totals) override {
        close_suite();
        m_out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        m_out << fmt::format("<testsuites name=\"blandhook replay\" tests=\"{}\" failures=\"{}\" "
                             "errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
                             totals.cases + totals.latency_checks.size(),
                             totals.failed + totals.latency_failed,
                             totals.unreachable + totals.errors, totals.skipped,
                             static_cast<double>(totals.wall.count()) / 1e6);
        m_suites.copy_to(m_out);
        if (!totals.latency_checks.empty()) {
            // One test per --expect-latency, judged over the whole run.
            m_out << fmt::format("  <testsuite name=\"latency\" tests=\"{}\" failures=\"{}\" "
                                 "errors=\"0\" skipped=\"0\" time=\"0\" timestamp=\"{}\">\n",
                                 totals.latency_checks.size(), totals.latency_failed,
                                 report::xml_attribute(m_info.started_at));
            for (const auto& check : totals.latency_checks) {
                m_out << fmt::format("    <testcase name=\"{}\" classname=\"blandhook.replay."
                                     "latency\" time=\"0\">\n",
                                     report::xml_attribute(check.text));
                if (!check.passed) {
                    m_out << fmt::format("      <failure type=\"latency\" message=\"{}\"/>\n",
                                         report::xml_attribute(check.detail));
                }
                m_out << "      <system-out>" << report::xml_text(latency_line(totals.latency))
                      << "\n"
                      << report::xml_text(check.detail) << "</system-out>\n";
                m_out << "    </testcase>\n";
            }
            m_out << "  </testsuite>\n";
        }
        m_out << "</testsuites>\n";
        check();
    }

private:
    struct Counts {
        std::size_t tests = 0;
        std::size_t failures = 0;
        std::size_t errors = 0;
        std::size_t skipped = 0;
        double seconds = 0;
    };

    // How a case of each outcome shows inside its <testcase>: the element, its type attribute
    // ("" for none), the suite count it adds to (none for a pass) and whether the element holds
    // the attempt log.
    struct Verdict {
        Outcome outcome;
        std::string_view element;
        std::string_view type;
        std::size_t Counts::*count;
        bool log;
    };
    static constexpr Verdict k_verdicts[] = {
        {Outcome::passed, "", "", nullptr, false},
        {Outcome::failed, "failure", "expectation", &Counts::failures, true},
        {Outcome::unreachable, "error", "unreachable", &Counts::errors, true},
        {Outcome::error, "error", "probe", &Counts::errors, true},
        {Outcome::skipped, "skipped", "", &Counts::skipped, false},
    };
    // An input that could not be read or built: nothing was sent, so there is no log.
    static constexpr Verdict k_input_error = {Outcome::error, "error", "input", &Counts::errors,
                                              false};

    static const Verdict& verdict_of(const CaseResult& result) {
        if (result.outcome == Outcome::error && result.deliveries.empty()) {
            return k_input_error;
        }
        const auto* verdict = std::ranges::find(k_verdicts, result.outcome, &Verdict::outcome);
        return verdict != std::end(k_verdicts) ? *verdict : k_input_error;
    }

    static std::string classname(const CaseResult& result) {
        return "blandhook.replay." + std::string(scenario_name(result.scenario));
    }

    void close_suite() {
        if (!m_suite) {
            return;
        }
        m_suites.write(fmt::format(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
            "time=\"{:.3f}\" timestamp=\"{}\">\n    <properties>\n      <property name=\"target\" "
            "value=\"{}\"/>\n    </properties>\n",
            report::xml_attribute(m_suite_name), m_suite_counts.tests, m_suite_counts.failures,
            m_suite_counts.errors, m_suite_counts.skipped, m_suite_counts.seconds,
            report::xml_attribute(m_info.started_at), report::xml_attribute(m_info.target)));
        flush_suite_into_suites();
        m_suites.write("  </testsuite>\n");
        m_suite.reset();
    }

    void flush_suite_into_suites() {
        // Spool to spool through a buffer: suites can be far larger than memory should hold.
        struct Forward : std::streambuf {
            Spool* target;
            explicit Forward(Spool* t) : target(t) {}
            std::streamsize xsputn(const char* s, std::streamsize n) override {
                target->write(std::string_view(s, static_cast<std::size_t>(n)));
                return n;
            }
            int overflow(int c) override {
                if (c != EOF) {
                    char ch = static_cast<char>(c);
                    target->write(std::string_view(&ch, 1));
                }
                return c;
            }
        } forward(&m_suites);
        std::ostream out(&forward);
        m_suite->copy_to(out);
    }

    RunInfo m_info;
    Spool m_suites;
    std::unique_ptr<Spool> m_suite;
    std::string m_suite_name;
    Counts m_suite_counts;
};

class JsonReport : public FileReport {
public:
    JsonReport(const std::string& path, RunInfo info) : FileReport(path), m_info(std::move(info)) {
        nlohmann::json head = {{"tool", "blandhook replay"},
                               {"version", BLANDHOOK_VERSION},
                               {"target", m_info.target},
                               {"started_at", m_info.started_at}};
        std::string text = head.dump();
        text.pop_back(); // keep the object open for "cases"
        m_out << text << ",\"cases\":[";
    }

    void finished(const CaseResult& result) override {
        nlohmann::json entry = {{"name", report::printable(result.name)},
                                {"group", report::printable(result.group)},
                                {"scenario", scenario_name(result.scenario)},
                                {"outcome", outcome_name(result.outcome)},
                                {"duration_ms", ms(result.duration)}};
        if (!result.message.empty()) {
            entry["message"] = report::printable(result.message);
        }
        nlohmann::json deliveries = nlohmann::json::array();
        for (const auto& delivery : result.deliveries) {
            nlohmann::json attempts = nlohmann::json::array();
            for (const auto& attempt : delivery.attempts) {
                nlohmann::json item = {{"number", attempt.number},
                                       {"waited_ms", attempt.waited.count()},
                                       {"latency_ms", ms(attempt.latency)}};
                if (attempt.response) {
                    item["status"] = attempt.response->status;
                    item["body"] = report::printable(attempt.response->body);
                } else {
                    item["status"] = nullptr;
                    item["error"] = attempt.error;
                }
                attempts.push_back(std::move(item));
            }
            nlohmann::json one = {{"label", delivery.label},
                                  {"method", delivery.method},
                                  {"target", report::printable(delivery.target)},
                                  {"bytes", delivery.bytes},
                                  {"signed", delivery.signed_request},
                                  {"expect", delivery.expect},
                                  {"passed", delivery.passed},
                                  {"attempts", std::move(attempts)}};
            if (!delivery.passed) {
                one["failure"] = report::printable(delivery.failure);
            }
            deliveries.push_back(std::move(one));
        }
        entry["deliveries"] = std::move(deliveries);
        if (!result.probes.empty()) {
            nlohmann::json probes = nlohmann::json::array();
            for (const auto& probe : result.probes) {
                nlohmann::json one = {{"label", probe.label},
                                      {"call_id", report::printable(probe.call_id)},
                                      {"settled", probe.read.settled},
                                      {"reads", probe.read.reads},
                                      {"how", report::printable(probe.how)}};
                if (!probe.read.error.empty()) {
                    one["error"] = report::printable(probe.read.error);
                } else {
                    one["state"] = report::printable(probe.read.state.summary(2000));
                }
                probes.push_back(std::move(one));
            }
            entry["probes"] = std::move(probes);
        }
        if (!result.checks.empty()) {
            nlohmann::json checks = nlohmann::json::array();
            for (const auto& check : result.checks) {
                nlohmann::json one = {{"name", report::printable(check.name)},
                                      {"result", check_result_name(check.outcome.result)}};
                if (!check.outcome.detail.empty()) {
                    one["detail"] = report::printable(check.outcome.detail);
                }
                checks.push_back(std::move(one));
            }
            entry["checks"] = std::move(checks);
        }
        m_out << (m_first ? "\n" : ",\n") << entry.dump();
        m_first = false;
    }

    void finish(const RunTotals& totals) override {
        nlohmann::json summary = {{"cases", totals.cases},
                                  {"passed", totals.passed},
                                  {"failed", totals.failed},
                                  {"unreachable", totals.unreachable},
                                  {"errors", totals.errors},
                                  {"skipped", totals.skipped},
                                  {"deliveries", totals.deliveries},
                                  {"attempts", totals.attempts},
                                  {"interrupted", totals.interrupted},
                                  {"wall_ms", ms(totals.wall)}};
        summary["latency"] = {{"answers", totals.latency.count},
                              {"p50_ms", ms(totals.latency.p50)},
                              {"p95_ms", ms(totals.latency.p95)},
                              {"p99_ms", ms(totals.latency.p99)},
                              {"max_ms", ms(totals.latency.max)}};
        if (!totals.latency_checks.empty()) {
            nlohmann::json checks = nlohmann::json::array();
            for (const auto& check : totals.latency_checks) {
                checks.push_back({{"expect", check.text},
                                  {"passed", check.passed},
                                  {"measured_ms", ms(check.measured)},
                                  {"detail", check.detail}});
            }
            summary["latency_checks"] = std::move(checks);
        }
        m_out << "\n],\"summary\":" << summary.dump() << "}\n";
        check();
    }

private:
    RunInfo m_info;
    bool m_first = true;
};

std::string answers_text(const CaseResult& result) {
    std::string out;
    for (const auto& delivery : result.deliveries) {
        if (!out.empty()) {
            out += "  ";
        }
        if (!delivery.label.empty()) {
            out += delivery.label + " ";
        }
        for (std::size_t i = 0; i < delivery.attempts.size(); ++i) {
            const auto& attempt = delivery.attempts[i];
            if (i > 0) {
                out += "→";
            }
            out += attempt.response ? std::to_string(attempt.response->status) : "—";
        }
    }
    return out;
}

std::string pad(std::string text, std::size_t width) {
    // Width in code points, not bytes, so that "→" and "µ" do not shift columns.
    std::size_t shown = 0;
    for (unsigned char c : text) {
        shown += (c & 0xc0) != 0x80;
    }
    if (shown < width) {
        text.append(width - shown, ' ');
    }
    return text;
}

} // namespace

std::string format_latency(std::chrono::microseconds latency) {
    auto us = latency.count();
    if (us < 1000) {
        return fmt::format("{} µs", us);
    }
    if (us < 1'000'000) {
        return fmt::format("{:.1f} ms", static_cast<double>(us) / 1000.0);
    }
    return fmt::format("{:.2f} s", static_cast<double>(us) / 1e6);
}

std::vector<std::string> report_formats() {
    return {"junit", "json"};
}

ReportRequest parse_report_request(std::string_view text) {
    auto colon = text.find(':');
    std::string format(text.substr(0, colon));
    auto formats = report_formats();
    if (colon == std::string_view::npos || colon + 1 == text.size() ||
        std::ranges::find(formats, format) == formats.end()) {
        throw Error(ErrorKind::usage, "--report",
                    "'" + std::string(text) + "' is not FORMAT:FILE with FORMAT junit or json",
                    "e.g. --report junit:replay.xml --report json:replay.json");
    }
    return {format, std::string(text.substr(colon + 1))};
}

std::unique_ptr<ReportWriter> make_junit_report(const std::string& path, const RunInfo& info) {
    return std::make_unique<JunitReport>(path, info);
}

std::unique_ptr<ReportWriter> make_json_report(const std::string& path, const RunInfo& info) {
    return std::make_unique<JsonReport>(path, info);
}

namespace {
constexpr std::size_t k_plain_progress_cases = 1000;
constexpr std::chrono::seconds k_plain_progress_period{10};
} // namespace

TerminalReport::TerminalReport(TerminalOptions options)
    : m_options(options), m_start(Clock::now()), m_last_progress(Clock::now()),
      m_bar(stderr, options.width) {
    m_options.progress = m_options.progress && !m_options.quiet;
}

void TerminalReport::finished(const CaseResult& result) {
    const bool passed = result.outcome == Outcome::passed;
    const bool skipped = result.outcome == Outcome::skipped;
    count(result);
    if (shown(result)) {
        m_bar.clear(); // a case line never shares the bar's screen line
        print_case(result);
    }
    if (!passed && !skipped) {
        ++m_failure_count;
        if (m_failures.size() < 20) {
            m_failures.push_back(report::printable(result.name) + ": " +
                                 report::printable(result.message));
        }
    }
    progress();
}

void TerminalReport::count(const CaseResult& result) {
    std::string key = result.group + '\n' + std::string(scenario_name(result.scenario));
    auto [it, inserted] = m_row_index.emplace(key, m_rows.size());
    if (inserted) {
        Row row;
        row.group = result.group;
        row.scenario = std::string(scenario_name(result.scenario));
        m_rows.push_back(std::move(row));
    }
    Row& row = m_rows[it->second];
    ++row.cases;
    ++m_done;
    // A skipped case is neither: the row's CASES = PASSED + FAILED + SKIPPED, like the totals.
    if (result.outcome == Outcome::passed) {
        ++row.passed;
    } else if (result.outcome == Outcome::skipped) {
        ++row.skipped;
    } else {
        ++row.failed;
        ++m_done_failed;
    }
    for (const auto& delivery : result.deliveries) {
        const auto& last = delivery.attempts.back();
        if (last.response) {
            row.latencies_us.push_back(static_cast<std::uint32_t>(
                std::min<std::int64_t>(last.latency.count(), UINT32_MAX)));
        }
    }
}

bool TerminalReport::shown(const CaseResult& result) {
    const bool passing = result.outcome == Outcome::passed || result.outcome == Outcome::skipped;
    if (!passing) {
        return true;
    }
    if (m_options.quiet) {
        return false;
    }
    if (m_options.verbose) {
        return true;
    }
    // Past the first screenful, passing cases are counted, not listed (unless --verbose): the
    // failures stay on screen instead of scrolling away.
    if (m_passing_shown == m_options.screenful) {
        m_bar.clear(); // the note, like a case line, never shares the bar's screen line
        std::fputs(term::paint("…      more passing cases are counted in the summary, not "
                               "listed (-v lists every case)\n",
                               term::Style::dim, m_options.color)
                       .c_str(),
                   m_options.out);
    }
    return m_passing_shown++ < m_options.screenful;
}

namespace {

std::string outcome_mark(Outcome outcome, bool color) {
    switch (outcome) {
    case Outcome::passed:
        return term::paint("PASS ", term::Style::green, color);
    case Outcome::failed:
        return term::paint("FAIL ", term::Style::red, color);
    case Outcome::unreachable:
        return term::paint("DOWN ", term::Style::red, color);
    case Outcome::error:
        return term::paint("ERROR", term::Style::red, color);
    case Outcome::skipped:
        return term::paint("SKIP ", term::Style::dim, color);
    }
    return term::paint("ERROR", term::Style::red, color);
}

// One line under the case line, indented and dimmed.
void print_dim_line(const std::string& text, bool color, std::FILE* out) {
    std::fputs(term::paint("       " + text, term::Style::dim, color).append("\n").c_str(), out);
}

} // namespace

void TerminalReport::print_case(const CaseResult& result) {
    const bool color = m_options.color;
    const bool passed = result.outcome == Outcome::passed;
    std::string line = outcome_mark(result.outcome, color) + "  " + report::printable(result.name);
    if (!result.deliveries.empty()) {
        line += "  " + answers_text(result) + "  " + format_latency(result.duration);
    }
    if (result.outcome == Outcome::skipped) {
        line +=
            "\n       " + term::paint(report::printable(result.message), term::Style::dim, color);
    } else if (!passed) {
        line += "\n       " +
                term::paint(report::printable(result.message), term::Style::yellow, color);
    }
    std::fputs((line + "\n").c_str(), m_options.out);
    // Each attempt is shown when there was more than one, or when the case failed.
    const bool retried = std::ranges::any_of(
        result.deliveries, [](const DeliveryResult& d) { return d.attempts.size() > 1; });
    if (retried || (!passed && !result.deliveries.empty())) {
        for (const auto& delivery : result.deliveries) {
            for (const auto& attempt : delivery.attempts) {
                std::string label = delivery.label.empty() ? "" : delivery.label + " ";
                print_dim_line(label + attempt_line(attempt), color, m_options.out);
            }
        }
    }
    if (!passed && !result.probes.empty()) {
        const std::string log = effects_log(result);
        for (std::size_t start = 0; start < log.size();) {
            const auto end = log.find('\n', start);
            print_dim_line(report::printable(log.substr(start, end - start)), color, m_options.out);
            start = end == std::string::npos ? log.size() : end + 1;
        }
    }
}

void TerminalReport::progress() {
    auto now = Clock::now();
    if (!m_options.progress) {
        // Not a terminal (CI logs, a pipe): a plain line every 1000 cases or 10 seconds, so that
        // a long run shows it is alive past the listed cases.
        if (m_options.quiet || (m_done % k_plain_progress_cases != 0 &&
                                now - m_last_progress < k_plain_progress_period)) {
            return;
        }
        m_last_progress = now;
        const double seconds = std::chrono::duration<double>(now - m_start).count();
        std::fflush(m_options.out);
        std::fprintf(stderr, "replay: %zu done, %zu failed, %.0f/s\n", m_done, m_done_failed,
                     seconds > 0 ? static_cast<double>(m_done) / seconds : 0.0);
        std::fflush(stderr);
        return;
    }
    if (now - m_last_progress < std::chrono::milliseconds(100)) {
        return;
    }
    m_last_progress = now;
    std::fflush(m_options.out);
    m_bar.draw(
        {m_done, m_total, m_done_failed, std::chrono::duration<double>(now - m_start).count()});
}

void TerminalReport::summary(const RunTotals& totals) {
    m_bar.clear();
    const bool color = m_options.color;
    std::size_t width = 5;
    for (const auto& row : m_rows) {
        std::size_t shown = 0;
        for (unsigned char c : row.group) {
            shown += (c & 0xc0) != 0x80;
        }
        width = std::max(width, std::min<std::size_t>(shown, 60));
    }
    std::string out = "\n" +
                      term::paint(pad("INPUT", width) + "  " + pad("SCENARIO", 18) +
                                      "  CASES  PASSED  FAILED  SKIPPED  p50       max",
                                  term::Style::bold, color) +
                      "\n";
    for (auto& row : m_rows) {
        std::string p50 = "-";
        std::string max = "-";
        if (!row.latencies_us.empty()) {
            auto middle =
                row.latencies_us.begin() + static_cast<std::ptrdiff_t>(row.latencies_us.size() / 2);
            std::nth_element(row.latencies_us.begin(), middle, row.latencies_us.end());
            p50 = format_latency(std::chrono::microseconds(*middle));
            max = format_latency(
                std::chrono::microseconds(*std::ranges::max_element(row.latencies_us)));
        }
        std::string failed = std::to_string(row.failed);
        out += fmt::format("{}  {}  {:>5}  {:>6}  {}  {:>7}  {}{}\n",
                           pad(report::printable(row.group), width), pad(row.scenario, 18),
                           row.cases, row.passed,
                           term::paint(fmt::format("{:>6}", failed),
                                       row.failed > 0 ? term::Style::red : term::Style::dim, color),
                           row.skipped, pad(p50, 10), max);
    }
    double seconds = static_cast<double>(totals.wall.count()) / 1e6;
    out += fmt::format("\n{} cases, {} deliveries, {} attempts in {:.2f} s ({:.0f} deliveries/s): ",
                       totals.cases, totals.deliveries, totals.attempts, seconds,
                       seconds > 0 ? static_cast<double>(totals.deliveries) / seconds : 0.0);
    std::string verdict =
        fmt::format("{} passed, {} failed, {} unreachable, {} errors", totals.passed, totals.failed,
                    totals.unreachable, totals.errors);
    if (totals.skipped > 0) {
        verdict += fmt::format(", {} skipped", totals.skipped);
    }
    bool all_passed = totals.passed + totals.skipped == totals.cases;
    out += term::paint(verdict, all_passed ? term::Style::green : term::Style::red, color) + "\n";
    if (totals.interrupted) {
        out += "interrupted: cases not yet sent were not run\n";
    }
    out += latency_line(totals.latency) + "\n";
    for (const auto& check : totals.latency_checks) {
        out += (check.passed ? term::paint("PASS", term::Style::green, color)
                             : term::paint("FAIL", term::Style::red, color)) +
               "  latency " + check.text + ": " + check.detail + "\n";
    }
    if (m_failure_count > 0 && !m_options.quiet) {
        out += "\nFailures:\n";
        for (const auto& failure : m_failures) {
            out += "  " + failure + "\n";
        }
        if (m_failure_count > m_failures.size()) {
            out += fmt::format("  … and {} more (see the report)\n",
                               m_failure_count - m_failures.size());
        }
    }
    std::fputs(out.c_str(), m_options.out);
    std::fflush(m_options.out);
}

} // namespace blandhook::replay
