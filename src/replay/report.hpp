#pragma once
// What a replay run leaves behind: the terminal lines and summary table, a progress line on a
// TTY, and report files for CI (JUnit XML, JSON). Every writer streams: cases are written as they
// finish, so a run of any length uses bounded memory.
#include "replay/runner.hpp"
#include "term/progress.hpp"

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace blandhook::replay {

/// A --report FORMAT:FILE.
struct ReportRequest {
    std::string format; ///< "junit" or "json"
    std::string path;
};

/// Parses "junit:FILE" or "json:FILE" (FILE "-" is stdout). Throws Error (usage).
ReportRequest parse_report_request(std::string_view text);

/// The report formats --report accepts.
std::vector<std::string> report_formats();

struct RunInfo {
    std::string target;     ///< --to
    std::string started_at; ///< ISO 8601 UTC
};

/// A report file. open() creates the file at once so that an unwritable path fails before any
/// delivery; finish() completes it (also after an interrupted run).
class ReportWriter : public ResultSink {
public:
    virtual void finish(const RunTotals& totals) = 0;
};

/// JUnit XML as CI systems read it: one <testsuite> per input, one <testcase> per case, <failure>
/// for an expectation, <error> for an unreachable target or an unreadable input, the attempts in
/// <system-out>.
std::unique_ptr<ReportWriter> make_junit_report(const std::string& path, const RunInfo& info);

/// {"tool","version","target","started_at","cases":[…],"summary":{…}}: docs/replay.md.
std::unique_ptr<ReportWriter> make_json_report(const std::string& path, const RunInfo& info);

struct TerminalOptions {
    bool color = false;
    bool quiet = false;   ///< only failures and the summary
    bool verbose = false; ///< every passing case, past the first screenful too
    /// Passing cases printed one per line before only failures are (a screenful).
    std::size_t screenful = 40;
    bool progress = false;   ///< a progress bar on stderr (stderr is a TTY); never with quiet
    std::size_t width = 100; ///< the terminal's columns, for the progress bar
    std::FILE* out = stdout; ///< case lines and summary: stderr when a report goes to stdout
};

/// The terminal: one line per case (with each attempt when there was more than one), a progress
/// bar on a TTY (plain progress lines off one), and a summary table per input and scenario at the
/// end.
class TerminalReport : public ResultSink {
public:
    explicit TerminalReport(TerminalOptions options);
    void finished(const CaseResult& result) override;
    /// How many cases the run has in all, once counted (from another thread): the progress bar
    /// then shows done/total, a percentage and an ETA.
    void set_total(std::size_t total) { m_total = total; }
    /// Prints the summary table and the totals line.
    void summary(const RunTotals& totals);

private:
    struct Row {
        std::string group;
        std::string scenario;
        std::size_t cases = 0;
        std::size_t passed = 0;
        std::size_t failed = 0;                  ///< failed, unreachable and errors
        std::size_t skipped = 0;                 ///< the scenario does not apply
        std::vector<std::uint32_t> latencies_us; ///< final attempts of delivered requests
    };
    /// Counts the case into its row of the summary and the totals.
    void count(const CaseResult& result);
    /// Whether the case gets a line: failures always, passing ones within the first screenful.
    bool shown(const CaseResult& result);
    /// The case line, its attempts and, for a failed case with a probe, what the probe read.
    void print_case(const CaseResult& result);
    /// The bar on a TTY (at most every 100 ms), or a plain line every 1000 cases or 10 s.
    void progress();

    TerminalOptions m_options;
    std::vector<Row> m_rows;
    std::map<std::string, std::size_t> m_row_index;
    std::vector<std::string> m_failures; ///< the first ones, for the summary
    std::size_t m_failure_count = 0;
    std::size_t m_done = 0;
    std::size_t m_done_failed = 0;
    std::size_t m_passing_shown = 0; ///< passing and skipped lines printed so far
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last_progress;
    std::atomic<std::size_t> m_total{0}; ///< 0 until counted
    term::ProgressBar m_bar;
};

/// "12.3 ms", "850 µs", "1.20 s".
std::string format_latency(std::chrono::microseconds latency);

} // namespace blandhook::replay
