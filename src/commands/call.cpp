#include "commands/call.hpp"

#include "bland/call_check.hpp"
#include "bland/calls_api.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "commands/api_flags.hpp"
#include "commands/call_records.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "listen/answer.hpp"
#include "listen/listener.hpp"
#include "payload/json.hpp"
#include "replay/expect.hpp"
#include "replay/model.hpp"
#include "replay/probe.hpp"
#include "term/style.hpp"
#include "util/duration.hpp"
#include "util/secret.hpp"
#include "util/stop.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fmt/core.h>
#include <fstream>
#include <memory>
#include <optional>

namespace blandhook::commands {
namespace {

using payload::Json;

struct CallOptions {
    std::string to;
    std::string task;
    std::string pathway_id;
    std::string voice;
    std::string first_sentence;
    std::string from;
    bool record = false;
    std::string metadata;
    std::string request_data;
    std::string webhook_events;
    std::string webhook;
    util::SecretInput api_key_input;
    std::string api_key; ///< resolved from api_key_input
    std::string api_url{bland::k_default_base_url};
    int max_duration = 2;
    bool dry_run = false;
    bool wait = false;
    std::string timeout = "5m";
    bool listen = false;
    std::string listen_host = "127.0.0.1";
    int listen_port = 0;
    std::string public_url;
    util::SecretInput secret_input;
    std::string secret; ///< resolved from secret_input
    std::string expect_status = "completed";
    bool expect_delayed = false;
    bool check_delivery = false;
    bool json = false;
    std::string report;
    bool insecure = false;
    std::string probe;
    std::string probe_cmd;
    std::vector<std::string> probe_headers;
    std::string settle = "30s";
    std::vector<std::string> expect_state;
};

constexpr const char* k_examples =
    R"(  blandhook call --to +15551234567 --task "Confirm the appointment" --dry-run
  blandhook call --to +15551234567 --task "Say hi" --wait
  export BLAND_API_KEY=... BLAND_WEBHOOK_SECRET=...      keys kept out of argv
  blandhook call --to +15551234567 --task "Say hi" --listen --public-url https://abc.trycloudflare.com \
      --check-delivery --report junit:call.xml
  blandhook emulate --port 4001 --call-duration 1s &
  BLAND_API_KEY=test blandhook call --api-url http://127.0.0.1:4001 --to +15555550486 --task hi \
      --listen --expect-call-status busy             a busy line, checked end to end offline
  blandhook call get CALL_ID --as fixture -o call.json      a real call as a fixture
  blandhook call resend CALL_ID                             its post-call webhook again
)";

std::string help_footer() {
    using namespace cli::exit_code;
    return std::string(k_examples) + "\n" +
           cli::command_exit_codes_help({{k_ok, "every check passed"},
                                         {k_failed, "a check failed"},
                                         {k_unreachable, "the API could not be reached"},
                                         {k_timeout, "--timeout passed"},
                                         {k_api, "the API answered with an error"},
                                         {k_interrupted, "interrupted by SIGINT or SIGTERM"}},
                                        "See docs/call.md.");
}

Json build_request(const CallOptions& opts) {
    // Not required by CLI11: `call get ID` and `call resend ID` have no --to.
    if (opts.to.empty()) {
        throw Error(ErrorKind::usage, "call", "--to is required",
                    "give the number to call, e.g. --to +15551234567; or use `call get ID` / "
                    "`call resend ID`");
    }
    if (!bland::is_e164(opts.to)) {
        throw Error(ErrorKind::usage, "--to", fmt::format("'{}' is not an E.164 number", opts.to),
                    "write it as + then country code and number, e.g. +15551234567");
    }
    if (opts.task.empty() == opts.pathway_id.empty()) {
        throw Error(ErrorKind::usage, "call", "give exactly one of --task and --pathway-id");
    }
    if (opts.max_duration < 1) {
        throw Error(ErrorKind::usage, "--max-duration", "must be at least 1 minute");
    }
    Json body = Json::object();
    body["phone_number"] = opts.to;
    if (!opts.task.empty()) {
        body["task"] = opts.task;
    } else {
        body["pathway_id"] = opts.pathway_id;
    }
    if (!opts.from.empty()) {
        if (!bland::is_e164(opts.from)) {
            throw Error(ErrorKind::usage, "--from",
                        fmt::format("'{}' is not an E.164 number", opts.from));
        }
        body["from"] = opts.from;
    }
    if (!opts.voice.empty()) {
        body["voice"] = opts.voice;
    }
    if (!opts.first_sentence.empty()) {
        body["first_sentence"] = opts.first_sentence;
    }
    if (opts.record) {
        body["record"] = true;
    }
    body["max_duration"] = opts.max_duration;
    if (!opts.webhook.empty()) {
        http::parse_url(opts.webhook, "--webhook");
        body["webhook"] = opts.webhook;
    }
    if (!opts.webhook_events.empty()) {
        body["webhook_events"] = parse_webhook_events(opts.webhook_events, "--webhook-events");
    }
    if (!opts.metadata.empty()) {
        body["metadata"] = parse_object(opts.metadata, "--metadata");
    }
    if (!opts.request_data.empty()) {
        body["request_data"] = parse_object(opts.request_data, "--request-data");
    }
    return body;
}

void print_dry_run(const CallOptions& opts, const bland::ApiClient& api, Json body) {
    if (opts.listen && opts.public_url.empty()) {
        body["webhook"] = fmt::format("http://{}:{}/webhook (the embedded listener; port chosen "
                                      "at start)",
                                      opts.listen_host, opts.listen_port);
    } else if (opts.listen) {
        body["webhook"] = opts.public_url;
    }
    std::printf("POST %s\nauthorization: %s\ncontent-type: application/json\n\n%s\n",
                api.url_of("/v1/calls").c_str(), bland::redact_key(opts.api_key).c_str(),
                payload::pretty_json(body).c_str());
}

// The --report junit:FILE file, opened (and so checked) before a billable call is placed.
class CallReport {
public:
    explicit CallReport(const std::string& spec) {
        const std::string prefix = "junit:";
        if (!spec.starts_with(prefix) || spec.size() == prefix.size()) {
            throw Error(ErrorKind::usage, "--report", fmt::format("'{}' is not junit:FILE", spec));
        }
        m_path = spec.substr(prefix.size());
        m_out.open(m_path, std::ios::binary | std::ios::trunc);
        if (!m_out) {
            throw Error(ErrorKind::usage, "--report",
                        fmt::format("cannot write {}: {}", m_path, std::strerror(errno)),
                        "nothing was sent: give a path in a writable directory");
        }
    }
    void write(const bland::CallResult& result) {
        m_out << bland::junit_report(result);
        m_out.flush();
        if (!m_out.good()) {
            throw Error(ErrorKind::internal, "--report", fmt::format("cannot write {}", m_path));
        }
    }

private:
    std::string m_path;
    std::ofstream m_out;
};

bland::ApiOptions api_options(const CallOptions& opts) {
    bland::ApiOptions api;
    api.base_url = opts.api_url;
    api.api_key = opts.api_key;
    api.insecure = opts.insecure;
    return api;
}

// --listen, --listen-port, --webhook and --public-url together; a warning for --expect-delayed.
void check_listen_options(const CallOptions& opts, const Json& body) {
    if (opts.listen_port < 0 || opts.listen_port > 65535) {
        throw Error(ErrorKind::usage, "--listen-port",
                    std::to_string(opts.listen_port) + " is not a port",
                    "use 0 to pick a free one");
    }
    if (opts.listen && !opts.webhook.empty()) {
        throw Error(ErrorKind::usage, "call", "--listen and --webhook both set the webhook URL",
                    "use --public-url to give the address Bland should use for the listener");
    }
    if (opts.listen && opts.public_url.empty()) {
        http::Url api_url = http::parse_url(opts.api_url, "--api-url");
        if (!http::is_loopback_host(api_url.host)) {
            throw Error(
                ErrorKind::usage, "--listen",
                fmt::format("{} cannot reach a listener on {}", api_url.origin(), opts.listen_host),
                "Bland needs a public https:// URL: run a tunnel (cloudflared, ngrok, "
                "ssh -R) to the listener's port (--listen-port) and pass --public-url");
        }
    }
    if (!opts.public_url.empty()) {
        http::parse_url(opts.public_url, "--public-url");
    }
    if (opts.expect_delayed &&
        body.value("webhook_events", Json::array()).dump().find("\"citations\"") ==
            std::string::npos) {
        cli::print_warning("--expect-delayed without 'citations' in --webhook-events: Bland "
                           "sends the delayed variant only for citations");
    }
}

// The plan of a real call from the options: everything checked before anything is sent.
bland::CallPlan plan_call(const CallOptions& opts, const Json& body) {
    bland::CallPlan plan;
    plan.api = api_options(opts);
    plan.request = body;
    plan.wait = opts.wait;
    plan.listen = opts.listen;
    plan.listen_host = opts.listen_host;
    plan.listen_port = opts.listen_port;
    plan.public_url = opts.public_url;
    plan.secret = opts.secret;
    plan.expect_status = opts.expect_status;
    plan.expect_delayed = opts.expect_delayed;
    plan.check_delivery = opts.check_delivery;
    plan.timeout = util::parse_duration(opts.timeout, "--timeout");
    plan.probe =
        replay::probe_from_options(opts.probe, opts.probe_cmd, opts.probe_headers, opts.settle);
    if (plan.probe) {
        if (opts.listen || opts.webhook.empty()) {
            // The embedded listener keeps the webhook to itself: the handler never sees it.
            throw Error(ErrorKind::usage, "--probe",
                        "reads what your handler stored, so the webhook must go to it",
                        "send it there with --webhook URL (not --listen), and add --wait");
        }
        if (!opts.wait) {
            throw Error(ErrorKind::usage, "--probe",
                        "the state is read once the call is done: add --wait");
        }
        for (const auto& text : opts.expect_state) {
            plan.expect_state.push_back(replay::parse_state_check(text, "--expect-state"));
        }
    } else if (!opts.expect_state.empty()) {
        throw Error(ErrorKind::usage, "--expect-state", "needs --probe URL or --probe-cmd COMMAND",
                    "e.g. --probe 'http://127.0.0.1:3000/calls/{call_id}'");
    }
    check_listen_options(opts, body);
    return plan;
}

// The checks of a finished call as PASS/FAIL lines and the verdict, for a terminal.
void print_result(const bland::CallResult& result, bool color) {
    for (const auto& check : result.checks) {
        std::printf("  %s  %-9s %s\n",
                    check.passed ? term::paint("PASS", term::Style::green, color).c_str()
                                 : term::paint("FAIL", term::Style::red, color).c_str(),
                    check.name.c_str(), check.detail.c_str());
    }
    if (result.verdict == bland::Verdict::timeout) {
        std::printf("result: %s: %s\n", term::paint("timeout", term::Style::red, color).c_str(),
                    result.timeout_reason.c_str());
    } else {
        std::printf("result: %s (%zu checks)\n",
                    result.verdict == bland::Verdict::pass
                        ? term::paint("pass", term::Style::green, color).c_str()
                        : term::paint("fail", term::Style::red, color).c_str(),
                    result.checks.size());
    }
}

int exit_code_of(bland::Verdict verdict) {
    switch (verdict) {
    case bland::Verdict::pass:
        return cli::exit_code::k_ok;
    case bland::Verdict::fail:
        return cli::exit_code::k_failed;
    case bland::Verdict::timeout:
        return cli::exit_code::k_timeout;
    }
    return cli::exit_code::k_failed;
}

// A result with one failed check, for the report of a call that could not be judged.
bland::CallResult failed_result(const std::string& check, const std::string& detail) {
    bland::CallResult failed;
    failed.verdict = bland::Verdict::fail;
    failed.checks.push_back({check, false, detail});
    return failed;
}

// A call stopped by SIGINT or SIGTERM: the report and the message say so.
int interrupted(const util::StopToken& stop, std::optional<CallReport>& report) {
    const std::string signal = stop.signal() == SIGTERM ? "SIGTERM" : "SIGINT";
    if (report) {
        report->write(failed_result("interrupted", "stopped by " + signal));
    }
    cli::print_error(Error(ErrorKind::usage, "call", "interrupted by " + signal,
                           "a call already placed goes on at Bland until it ends: 'blandhook "
                           "call get CALL_ID' shows it"));
    return cli::exit_code::k_interrupted;
}

int run_call_command(CallOptions opts, const cli::Context& context) {
    opts.api_key = util::resolve_secret(opts.api_key_input, util::k_api_key);
    opts.secret = util::resolve_secret(opts.secret_input, util::k_webhook_secret);
    Json body = build_request(opts);
    if (opts.dry_run) {
        bland::ApiClient api(api_options(opts));
        print_dry_run(opts, api, body);
        return cli::exit_code::k_ok;
    }
    if (opts.api_key.empty()) {
        throw Error(ErrorKind::usage, "call", "no API key",
                    "set BLAND_API_KEY (the official CLI's variable) or pass --api-key-file FILE");
    }
    bland::CallPlan plan = plan_call(opts, body);
    // SIGINT/SIGTERM end every wait of the run and any request in flight.
    plan.stop = context.stop;
    plan.api.cancel = context.stop.flag();

    // With --json, stdout carries the result only; progress goes to stderr.
    std::FILE* progress_out = opts.json ? stderr : stdout;
    bool color = opts.json ? context.color_stderr : context.color_stdout;
    auto progress = [progress_out](const std::string& line) {
        std::fprintf(progress_out, "%s\n", line.c_str());
        std::fflush(progress_out);
    };
    std::optional<CallReport> report;
    if (!opts.report.empty()) {
        report.emplace(opts.report);
    }
    bland::CallResult result;
    try {
        result = bland::run_call(plan, progress);
    } catch (const Error& error) {
        if (context.stop.stop_requested()) { // a request in flight ended by the stop
            return interrupted(context.stop, report);
        }
        // The API refused, or could not be reached: the report says so before the error is shown.
        if (report) {
            report->write(failed_result("api", error.what()));
        }
        throw;
    }
    if (result.interrupted) {
        return interrupted(context.stop, report);
    }
    if (report) {
        report->write(result);
    }
    if (opts.json) {
        std::printf("%s\n", payload::canonical_json(bland::result_json(result)).c_str());
    } else {
        print_result(result, color);
    }
    std::fflush(stdout);
    return exit_code_of(result.verdict);
}

} // namespace

namespace {

// What is asked of Bland: the call's request body and the API.
void add_request_flags(cli::Registrar& registrar, CLI::App* app, CallOptions& opts) {
    app->add_option("--to", opts.to, "Number to call, E.164 (+15551234567); required to call");
    app->add_option("--task", opts.task, "What the agent should do (or --pathway-id)");
    app->add_option("--pathway-id", opts.pathway_id,
                    "Conversational pathway to run instead of --task");
    app->add_option("--voice", opts.voice, "Voice name or id");
    app->add_option("--first-sentence", opts.first_sentence, "The agent's opening sentence");
    app->add_option("--from", opts.from, "Caller ID, E.164, one of your Bland numbers");
    app->add_flag("--record", opts.record, "Record the call (recording_url in the webhook)");
    app->add_option("--metadata", opts.metadata, "JSON object echoed in the webhook");
    app->add_option("--request-data", opts.request_data,
                    "JSON object of variables for the agent (request_data)");
    registrar.suggest(app->add_option("--webhook-events", opts.webhook_events,
                                      "Comma-separated webhook_events: queue,call,latency,webhook,"
                                      "tool,dynamic_data,citations,evals,post_transfer_transcript"),
                      {bland::k_webhook_events.begin(), bland::k_webhook_events.end()});
    app->add_option("--webhook", opts.webhook, "Where Bland sends the post-call webhook");
    cli::add_secret_options(app, opts.api_key_input, util::k_api_key,
                            "Bland API key (never printed)");
    app->add_option("--api-url", opts.api_url, "Bland API base URL (or the emulator's)")
        ->envname("BLAND_BASE_URL")
        ->capture_default_str();
    app->add_option("--max-duration", opts.max_duration,
                    "Longest call in minutes (a cost guard; Bland's default is 30)")
        ->capture_default_str();
    app->add_flag("--dry-run", opts.dry_run,
                  "Print the exact request (key redacted) and send nothing");
}

// Waiting for the call and its webhook, and what they must be.
void add_check_flags(cli::Registrar& registrar, CLI::App* app, CallOptions& opts) {
    app->add_flag("--wait", opts.wait,
                  "Poll the call until it is done, showing queued -> started -> completed");
    app->add_option("--timeout", opts.timeout, "Give up waiting after this long (exit 4)")
        ->capture_default_str();
    app->add_flag("--listen", opts.listen,
                  "Catch the post-call webhook on an embedded listener and check it");
    app->add_option("--listen-host", opts.listen_host, "Address the embedded listener binds")
        ->capture_default_str();
    app->add_option("--listen-port", opts.listen_port, "Port of the embedded listener, 0 = any")
        ->capture_default_str();
    app->add_option("--public-url", opts.public_url,
                    "The webhook URL Bland should use: a tunnel to the listener");
    cli::add_secret_options(app, opts.secret_input, util::k_webhook_secret,
                            "Webhook signing secret to check signatures with");
    std::vector<std::string> statuses(bland::k_call_statuses.begin(), bland::k_call_statuses.end());
    statuses.emplace_back("any");
    cli::add_old_spelling(app, "--expect-status", opts.expect_status)
        ->check(CLI::IsMember(statuses));
    registrar.choices(app->add_option("--expect-call-status", opts.expect_status,
                                      "The call status the check requires ('any' for none)")
                          ->capture_default_str(),
                      std::move(statuses));
    app->add_flag("--expect-delayed", opts.expect_delayed,
                  "Require the delayed webhook (corrected_transcript, citations)");
    app->add_flag("--check-delivery", opts.check_delivery,
                  "Read the delivery log and require a 2xx recorded for the webhook");
    app->add_flag("--json", opts.json, "Print the result as one JSON object");
    registrar.suggest(app->add_option("--report", opts.report, "Write a report: junit:FILE")
                          ->type_name("FORMAT:FILE"),
                      {"junit:"});
    app->add_flag("-k,--insecure", opts.insecure, "Skip TLS verification of the API");
}

// What the handler stored for the call.
void add_probe_flags(CLI::App* app, CallOptions& opts) {
    app->add_option("--probe", opts.probe,
                    "URL to GET what your handler stored for the call once it is done; "
                    "{call_id} is replaced");
    app->add_option("--probe-cmd", opts.probe_cmd,
                    "Shell command printing what your handler stored (BLANDHOOK_CALL_ID in its "
                    "environment)");
    app->add_option("--probe-header", opts.probe_headers,
                    "Header for --probe requests, 'Name: value' (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app->add_option("--settle", opts.settle,
                    "Wait this long at most for the stored state to appear and stop changing")
        ->capture_default_str();
    app->add_option("--expect-state", opts.expect_state,
                    "Check the stored state: 'POINTER == JSON', 'POINTER exists', … "
                    "(repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

} // namespace

void register_call(cli::Registrar& registrar) {
    auto opts = std::make_shared<CallOptions>();
    CLI::App* app = registrar.add_command(
        "call", "Place a call through Bland's API and prove its webhook arrives and is right",
        help_footer());
    // A repeated option takes its last value, as in curl: scripts can append overrides.
    app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    add_request_flags(registrar, app, *opts);
    add_check_flags(registrar, app, *opts);
    add_probe_flags(app, *opts);
    registrar.on_run(
        app, [opts](const cli::Context& context) { return run_call_command(*opts, context); },
        cli::OnSignal::request_stop);
    app->require_subcommand(0, 1);
    register_call_records(registrar, app, [opts] {
        bland::ApiOptions api;
        api.base_url = opts->api_url;
        api.api_key = util::resolve_secret(opts->api_key_input, util::k_api_key);
        api.insecure = opts->insecure;
        return api;
    });
}

} // namespace blandhook::commands
