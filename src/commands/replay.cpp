#include "commands/replay.hpp"

#include "capture/capture.hpp"
#include "capture/store.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "commands/retry_flags.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "payload/fixtures.hpp"
#include "replay/build.hpp"
#include "replay/inputs.hpp"
#include "replay/manifest.hpp"
#include "replay/model.hpp"
#include "replay/progress.hpp"
#include "replay/report.hpp"
#include "replay/runner.hpp"
#include "term/style.hpp"
#include "util/duration.hpp"
#include "util/secret.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <iterator>
#include <memory>
#include <optional>
#include <unistd.h>

namespace blandhook::commands {
namespace {

struct ReplayOptions {
    std::vector<std::string> inputs;
    std::string to;
    util::SecretInput secret_input;
    std::string secret; ///< resolved from secret_input
    bool raw = false;
    std::vector<std::string> sets;
    bool fresh_ids = false;
    std::vector<std::string> headers;
    int repeat = 1;
    int jobs = 1;
    std::vector<std::string> scenarios;
    std::string phase_delay = "0s";
    RetryFlags delivery;
    bool follow_redirects = false;
    bool insecure = false;
    std::string cacert;
    std::vector<std::string> expect_status;
    std::vector<std::string> expect_body;
    std::vector<std::string> expect_refusal;
    std::vector<std::string> expect_answer;
    std::vector<std::string> expect_header;
    std::vector<std::string> expect_latency;
    std::string probe;
    std::string probe_cmd;
    std::vector<std::string> probe_headers;
    std::string settle = "2s";
    std::vector<std::string> ignore;
    std::vector<std::string> expect_state;
    std::string manifest;
    std::vector<std::string> reports;
    bool quiet = false;
    bool verbose = false;
    std::string log;
};

constexpr const char* k_examples =
    R"(  export BLAND_WEBHOOK_SECRET=...                                the secret, kept out of argv
  blandhook replay builtin:all --to http://localhost:3000/webhook
  blandhook replay completed-outbound --to http://localhost:3000/webhook --scenario two-phase
  blandhook replay builtin:all --to "$URL" --scenario signature-variants --scenario bad-signature
  blandhook replay captures.ndjson --to http://localhost:3000     paths as captured
  blandhook replay capture:12 capture:15-20 --to http://localhost:3000   by id, from the log
  blandhook replay error-busy --to "$URL" --set metadata.ticket_id=T-1 --fresh-ids
  blandhook replay completed-outbound --to "$URL" --repeat 1000 -j 8      a load test
  blandhook replay --manifest replay.json --report junit:replay.xml --report json:replay.json
  blandhook replay builtin:all --to "$URL" --scenario out-of-order --scenario duplicate \
      --probe 'http://localhost:3000/calls/{call_id}' --ignore /updated_at
  blandhook replay completed-outbound --to "$URL" --probe-cmd 'sh probe.sh' \
      --expect-state '/0/status == "completed"'        probe.sh runs sqlite3 on $BLANDHOOK_CALL_ID
)";

std::string help_footer() {
    using namespace cli::exit_code;
    return std::string(k_examples) + "\n" +
           cli::command_exit_codes_help(
               {{k_ok, "all passed"},
                {k_failed, "an expectation or oracle failed"},
                {k_usage, "usage"},
                {k_unreachable, "a delivery got no answer (target unreachable, connection reset, "
                                "timed out)"},
                {k_input, "an input could not be read or a probe could not read the state"},
                {k_interrupted, "interrupted"}},
               "Reports are written in every case. See docs/replay.md.");
}

replay::CaseSpec base_spec(const ReplayOptions& options) {
    replay::CaseSpec spec;
    for (const auto& set : options.sets) {
        spec.overrides.push_back(replay::parse_override(set));
    }
    for (const auto& header : options.headers) {
        spec.headers.push_back(http::parse_header_line(header, "--header"));
    }
    if (!options.expect_status.empty() || !options.expect_body.empty() ||
        !options.expect_answer.empty() || !options.expect_header.empty()) {
        replay::Expectation accept;
        for (const auto& status : options.expect_status) {
            replay::parse_statuses(status, accept.statuses, "--expect-answer-status");
        }
        if (accept.statuses.empty()) {
            accept.statuses = replay::accept_expectation().statuses;
        }
        accept.body_contains = options.expect_body;
        for (const auto& text : options.expect_answer) {
            accept.answer.push_back(replay::parse_state_check(text, "--expect-answer"));
        }
        for (const auto& text : options.expect_header) {
            accept.headers.push_back(replay::parse_header_check(text));
        }
        spec.accept = accept;
    }
    if (!options.expect_refusal.empty()) {
        replay::Expectation refuse;
        for (const auto& status : options.expect_refusal) {
            replay::parse_statuses(status, refuse.statuses, "--expect-refusal");
        }
        spec.refuse = refuse;
    }
    spec.probe = replay::probe_from_options(options.probe, options.probe_cmd, options.probe_headers,
                                            options.settle);
    spec.ignore = options.ignore;
    for (const auto& text : options.expect_state) {
        spec.expect_state.push_back(replay::parse_state_check(text, "--expect-state"));
    }
    return spec;
}

class FanOut : public replay::ResultSink {
public:
    std::vector<replay::ResultSink*> sinks;
    void finished(const replay::CaseResult& result) override {
        for (auto* sink : sinks) {
            sink->finished(result);
        }
    }
};

// What a run sends: the cases of the command line's inputs and of the manifest, and the target.
struct Plan {
    std::vector<replay::CaseSpec> specs;
    std::vector<replay::Source> sources;
    std::string to;
    std::vector<std::string> manifest_latency;
};

// The inputs once per --scenario (single when none), then the manifest's own cases.
Plan plan_cases(const ReplayOptions& options, const replay::CaseSpec& base) {
    Plan plan;
    std::vector<replay::Scenario> scenarios;
    for (const auto& name : options.scenarios) {
        const std::optional<replay::Scenario> scenario = replay::scenario_from_name(name);
        if (!scenario) { // Registrar::choices lets only known names through: a bug otherwise
            throw Error(ErrorKind::internal, "--scenario", "unknown scenario '" + name + "'");
        }
        scenarios.push_back(*scenario);
    }
    if (scenarios.empty()) {
        scenarios.push_back(replay::Scenario::single);
    }
    for (auto scenario : scenarios) {
        replay::CaseSpec spec = base;
        spec.scenario = scenario;
        plan.specs.push_back(spec);
        for (const auto& input : options.inputs) {
            plan.sources.push_back({input, "", plan.specs.size() - 1});
        }
    }
    plan.to = options.to;
    if (!options.manifest.empty()) {
        replay::Manifest manifest = replay::load_manifest(options.manifest, base);
        const std::size_t offset = plan.specs.size();
        std::ranges::move(manifest.specs, std::back_inserter(plan.specs));
        for (auto source : manifest.sources) {
            source.spec += offset;
            plan.sources.push_back(std::move(source));
        }
        if (plan.to.empty() && manifest.to) {
            plan.to = *manifest.to;
        }
        plan.manifest_latency = manifest.expect_latency;
    }
    return plan;
}

// The usage errors a plan can have, before anything is sent.
void check_plan(const ReplayOptions& options, const Plan& plan) {
    if (options.inputs.empty() && options.manifest.empty()) {
        throw Error(ErrorKind::usage, "replay", "nothing to replay",
                    "give fixture files, directories, built-in names, capture logs, '-' or "
                    "--manifest FILE");
    }
    if (plan.to.empty()) {
        throw Error(ErrorKind::usage, "--to", "no target URL",
                    "give --to http://localhost:3000/webhook (or \"to\" in the manifest)");
    }
    const auto reads_stdin = [](const replay::Source& source) { return source.argument == "-"; };
    if (std::ranges::count_if(plan.sources, reads_stdin) > 1) {
        throw Error(ErrorKind::usage, "replay", "'-' (stdin) can be read only once",
                    "give one scenario when reading stdin, or save it to a file");
    }
    const bool needs_secret = std::ranges::any_of(plan.sources, [&](const auto& source) {
        return plan.specs[source.spec].scenario == replay::Scenario::signature_variants;
    });
    if (needs_secret && options.secret.empty()) {
        throw Error(ErrorKind::usage, "--secret",
                    "signature-variants signs every variant and needs the handler's secret",
                    "set BLAND_WEBHOOK_SECRET, or pass --secret-file FILE");
    }
    if (options.jobs < 1 || options.jobs > 256) {
        throw Error(ErrorKind::usage, "-j", "must be from 1 to 256");
    }
    if (options.repeat < 1) {
        throw Error(ErrorKind::usage, "--repeat", "must be at least 1");
    }
    const bool probing =
        std::ranges::any_of(plan.specs, [](const auto& spec) { return spec.probe != nullptr; });
    const bool expecting_state = std::ranges::any_of(plan.specs, [](const auto& spec) {
        return !spec.expect_state.empty() || !spec.ignore.empty();
    });
    if (expecting_state && !probing) {
        throw Error(ErrorKind::usage, "--expect-state",
                    "--expect-state and --ignore judge what the handler stored and need a probe",
                    "add --probe 'http://127.0.0.1:3000/calls/{call_id}' or --probe-cmd "
                    "'COMMAND' (see docs/replay.md, \"Proving what the handler stored\")");
    }
}

replay::RunOptions run_options(const ReplayOptions& options, const Plan& plan,
                               const cli::Context& context) {
    replay::RunOptions run;
    run.build.target = http::parse_url(plan.to, "--to");
    run.build.secret = options.secret;
    run.build.raw = options.raw;
    run.build.fresh_ids = options.fresh_ids;
    run.build.phase_delay = util::parse_duration(options.phase_delay, "--phase-delay");
    run.client.timeout = delivery_timeout(options.delivery);
    run.client.connect_timeout = std::min(run.client.timeout, run.client.connect_timeout);
    run.client.insecure = options.insecure;
    run.client.ca_file = options.cacert;
    run.client.follow_redirects = options.follow_redirects;
    run.retry = retry_policy(options.delivery, Jitter::on);
    run.jobs = options.jobs;
    run.repeat = options.repeat;
    for (const auto* texts : {&options.expect_latency, &plan.manifest_latency}) {
        for (const auto& text : *texts) {
            run.expect_latency.push_back(replay::parse_latency_check(text));
        }
    }
    run.stop = context.stop;
    return run;
}

// The --report writers, every spec checked before any is created (a report writes its header at
// once); `on_stdout` says whether one of them writes to stdout.
std::vector<std::unique_ptr<replay::ReportWriter>>
make_reports(const ReplayOptions& options, const replay::RunInfo& info, bool& on_stdout) {
    std::vector<replay::ReportRequest> requests;
    requests.reserve(options.reports.size());
    for (const auto& text : options.reports) {
        requests.push_back(replay::parse_report_request(text));
    }
    const auto to_stdout =
        std::ranges::count_if(requests, [](const auto& request) { return request.path == "-"; });
    if (to_stdout > 1) {
        throw Error(ErrorKind::usage, "--report", "only one report can go to stdout ('-')",
                    "write the others to files, e.g. --report junit:replay.xml");
    }
    on_stdout = to_stdout == 1;
    std::vector<std::unique_ptr<replay::ReportWriter>> reports;
    reports.reserve(requests.size());
    for (const auto& request : requests) {
        reports.push_back(request.format == "junit" ? replay::make_junit_report(request.path, info)
                                                    : replay::make_json_report(request.path, info));
    }
    return reports;
}

replay::TerminalOptions terminal_options(const ReplayOptions& options, const cli::Context& context,
                                         bool report_on_stdout) {
    replay::TerminalOptions terminal;
    terminal.color = context.color_stdout;
    terminal.quiet = options.quiet;
    terminal.verbose = options.verbose;
    terminal.progress = term::is_terminal(STDERR_FILENO);
    terminal.width = term::terminal_width(STDERR_FILENO);
    if (report_on_stdout) {
        // stdout carries the report alone, for a pipe (`--report json:- | jq`).
        terminal.out = stderr;
        terminal.color = context.color_stderr;
    }
    return terminal;
}

// Files a directory held that were not replayed, and torn last lines of capture logs.
void warn_about_skipped(const replay::InputReader& reader) {
    if (!reader.skipped().empty()) {
        std::vector<std::string> skipped = reader.skipped();
        std::ranges::sort(skipped);
        std::string names;
        for (std::size_t i = 0; i < skipped.size() && i < 10; ++i) {
            names += (i == 0 ? "" : ", ") + skipped[i];
        }
        if (skipped.size() > 10) {
            names += fmt::format(" and {} more", skipped.size() - 10);
        }
        cli::print_warning(fmt::format("not replayed, not .json, .ndjson or .jsonl: {}", names));
    }
    for (const std::string& line : reader.torn()) {
        cli::print_warning(line + ": skipped a torn last line (the listener stopped while "
                                  "writing it)");
    }
}

int exit_code_of(const replay::RunTotals& totals) {
    if (totals.interrupted) {
        return cli::exit_code::k_interrupted;
    }
    if (totals.unreachable > 0) {
        return cli::exit_code::k_unreachable;
    }
    if (totals.errors > 0) {
        return cli::exit_code::k_input;
    }
    if (totals.failed > 0 || totals.latency_failed > 0) {
        return cli::exit_code::k_failed;
    }
    return cli::exit_code::k_ok;
}

int run_replay(ReplayOptions options, const cli::Context& context) {
    options.secret = util::resolve_secret(options.secret_input, util::k_webhook_secret);
    const Plan plan = plan_cases(options, base_spec(options));
    check_plan(options, plan);
    const replay::RunOptions run = run_options(options, plan, context);
    if (options.secret.empty()) {
        cli::print_warning(
            "no secret (BLAND_WEBHOOK_SECRET, --secret-file): bodies are sent without "
            "X-Webhook-Signature, except captures replayed byte for byte");
    }

    bool report_on_stdout = false;
    auto reports =
        make_reports(options, replay::RunInfo{plan.to, capture::now_iso8601()}, report_on_stdout);
    const replay::TerminalOptions terminal_opts =
        terminal_options(options, context, report_on_stdout);
    replay::TerminalReport terminal(terminal_opts);
    FanOut fan_out;
    fan_out.sinks.push_back(&terminal);
    for (auto& report : reports) {
        fan_out.sinks.push_back(report.get());
    }

    const std::string log = options.log.empty() ? capture::default_log_path() : options.log;
    replay::InputReader reader(plan.sources, log);
    // stdin can be read once only: no total then.
    std::optional<replay::InputCounter> counter;
    if (terminal_opts.progress && !options.quiet &&
        std::ranges::none_of(plan.sources, [](const auto& s) { return s.argument == "-"; })) {
        counter.emplace(plan.sources, log, [&terminal, repeat = options.repeat](std::size_t n) {
            terminal.set_total(n * static_cast<std::size_t>(repeat));
        });
    }
    const replay::RunTotals totals = replay::run(reader, plan.specs, run, fan_out);
    if (counter) {
        counter->stop();
    }

    for (auto& report : reports) {
        report->finish(totals);
    }
    terminal.summary(totals);
    warn_about_skipped(reader);
    return exit_code_of(totals);
}

} // namespace

namespace {

// What is sent: the inputs, the target, signing, overrides and scenarios.
void add_input_options(cli::Registrar& registrar, CLI::App* app, ReplayOptions& options) {
    std::vector<std::string> fixture_names{"builtin:all"};
    for (const auto& fixture : payload::builtin_fixtures()) {
        fixture_names.emplace_back(fixture.name);
    }
    // Completions offer the built-in fixture names and file names.
    registrar.suggest(app->add_option("inputs", options.inputs,
                                      "Fixture files, directories (recursive, name order), "
                                      "built-in fixtures (NAME, builtin:NAME, builtin:all), "
                                      "capture:ID from the capture log, capture logs, or - for "
                                      "stdin")
                          ->type_name("FILE|NAME"),
                      std::move(fixture_names));
    app->add_option("--to", options.to, "Target URL (http or https)");
    cli::add_secret_options(
        app, options.secret_input, util::k_webhook_secret,
        "Webhook signing secret: signs X-Webhook-Signature over the bytes sent");
    app->add_flag("--raw", options.raw,
                  "Send file bytes as they are instead of canonical compact JSON");
    app->add_option("--set", options.sets,
                    "Override a field: PATH=VALUE, PATH dotted (metadata.ticket) or a JSON "
                    "pointer; VALUE is JSON when it parses, else a string (repeatable)");
    app->add_flag("--fresh-ids", options.fresh_ids,
                  "New call_id and c_id (UUIDv4) for every delivery, shared by one call's phases");
    app->add_option("-H,--header", options.headers, "Extra header 'Name: value' (repeatable)");
    app->add_option("--repeat", options.repeat, "Send each input K times")->capture_default_str();
    app->add_option("-j,--jobs", options.jobs, "Deliveries in flight at once (order kept per call)")
        ->capture_default_str();
    registrar.choices(app->add_option("--scenario", options.scenarios,
                                      "What to send per input (repeatable; default single)"),
                      replay::scenario_names());
    app->add_option("--phase-delay", options.phase_delay,
                    "Wait between the phases of two-phase/out-of-order (Bland: 30 to 60 s)")
        ->capture_default_str();
}

// How it is sent: retries, redirects and TLS.
void add_delivery_options(CLI::App* app, ReplayOptions& options) {
    // Retries wait a random 0.8 to 1.2 of the backoff so that parallel deliveries do not retry
    // in lockstep.
    add_retry_flags(app, options.delivery, OldSpellings::replay);
    app->add_flag("--follow-redirects", options.follow_redirects, "Follow 3xx answers");
    app->add_flag("-k,--insecure", options.insecure, "Do not verify the target's TLS certificate");
    app->add_option("--cacert", options.cacert, "CA bundle to verify the target with")
        ->check(CLI::ExistingFile);
}

// What the answers must be.
void add_expectation_options(CLI::App* app, ReplayOptions& options) {
    app->add_option("--expect-answer-status", options.expect_status,
                    "Accepted HTTP statuses: 200, 2xx, 200,204 or 200-299 (default 2xx)");
    cli::add_old_spelling(app, "--expect-status", options.expect_status);
    app->add_option("--expect-body-contains", options.expect_body,
                    "Text the answer body must contain (repeatable)");
    app->add_option("--expect-refusal", options.expect_refusal,
                    "Statuses for bad-signature/no-signature (default 401,403)");
    app->add_option("--expect-answer", options.expect_answer,
                    "Check the answer body: 'POINTER == JSON', 'POINTER exists', … (repeatable)");
    app->add_option("--expect-header", options.expect_header,
                    "Header the answer must carry: 'Name: value' or 'Name' (repeatable)");
    app->add_option("--expect-latency", options.expect_latency,
                    "Check the run's latency: 'p99 < 500ms', 'p50 <= 20ms', 'max < 2s' "
                    "(repeatable)");
}

// What the handler must have stored: probes, oracles and state checks.
void add_probe_options(CLI::App* app, ReplayOptions& options) {
    app->add_option("--probe", options.probe,
                    "URL to GET what the handler stored for a call; {call_id} is replaced. "
                    "Turns on the scenarios' oracles");
    app->add_option("--probe-cmd", options.probe_cmd,
                    "Shell command printing what the handler stored (BLANDHOOK_CALL_ID, "
                    "BLANDHOOK_CASE, BLANDHOOK_SCENARIO in its environment)");
    app->add_option("--probe-header", options.probe_headers,
                    "Header for --probe requests, 'Name: value' (repeatable)");
    app->add_option("--settle", options.settle,
                    "Read the state until two reads agree, for at most this long (0: read once)")
        ->capture_default_str();
    app->add_option("--ignore", options.ignore,
                    "JSON pointer the oracles leave out, e.g. /updated_at or /rows/*/id "
                    "(repeatable)");
    app->add_option("--expect-state", options.expect_state,
                    "Check the stored state: 'POINTER == JSON', 'POINTER exists', 'POINTER "
                    "absent', 'POINTER contains V', 'POINTER length == N' (repeatable)");
}

// The capture log, the manifest, the reports and the terminal.
void add_suite_and_report_options(cli::Registrar& registrar, CLI::App* app,
                                  ReplayOptions& options) {
    app->add_option("--log", options.log,
                    "Capture log that capture:ID inputs come from (default: "
                    "$XDG_STATE_HOME/blandhook/captures.ndjson)");
    app->add_option("--manifest", options.manifest,
                    "JSON suite: inputs with scenario, overrides and expectations")
        ->type_name("FILE");
    registrar.suggest(
        app->add_option("--report", options.reports,
                        "Write a report: junit:FILE or json:FILE, FILE - for stdout (repeatable)")
            ->type_name("FORMAT:FILE"),
        {"junit:", "json:"});
    app->add_flag("-q,--quiet", options.quiet, "Print only failures and the summary");
    app->add_flag("-v,--verbose", options.verbose,
                  "List every passing case (by default only the first 40 are, then failures)");
}

} // namespace

void register_replay(cli::Registrar& registrar) {
    auto options = std::make_shared<ReplayOptions>();
    CLI::App* app = registrar.add_command(
        "replay",
        "Send fixtures or captured webhooks to your handler, signed as Bland signs, "
        "and check the answers",
        help_footer());
    add_input_options(registrar, app, *options);
    add_delivery_options(app, *options);
    add_expectation_options(app, *options);
    add_probe_options(app, *options);
    add_suite_and_report_options(registrar, app, *options);
    registrar.on_run(
        app, [options](const cli::Context& context) { return run_replay(*options, context); },
        cli::OnSignal::request_stop);
}

} // namespace blandhook::commands
