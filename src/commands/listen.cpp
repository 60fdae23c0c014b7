#include "commands/listen.hpp"

#include "bland/inbound_link.hpp"
#include "capture/store.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "commands/api_flags.hpp"
#include "commands/option_checks.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "inspector/inspector.hpp"
#include "listen/display.hpp"
#include "listen/listener.hpp"
#include "listen/match.hpp"
#include "listen/printer.hpp"
#include "util/duration.hpp"
#include "util/files.hpp"
#include "util/secret.hpp"
#include "util/size.hpp"
#include "util/stop.hpp"

#include <atomic>
#include <cstdio>
#include <fmt/core.h>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace blandhook::commands {
namespace {

constexpr const char* k_examples =
    R"(  blandhook listen                                 capture on http://127.0.0.1:4000
  blandhook listen --port 0 --require-signature        secret from $BLAND_WEBHOOK_SECRET
  blandhook listen --forward-to http://localhost:3000/webhook --forward-status
  blandhook listen --respond-sequence 500,500,200      watch Bland-style retries walk a sequence
  blandhook listen --fail-rate 0.3 --seed 7 --delay 2s
  blandhook listen --count 1 --match kind=post-call --timeout 5m --json | jq .payload
  blandhook listen -v --transcript                      headers, pretty body, the conversation
  blandhook listen --inspector-port 4040              the inspector on http://127.0.0.1:4040/
  cloudflared tunnel --url http://127.0.0.1:4000        then give Bland the https URL it prints
  blandhook listen --tunnel cloudflared --inbound-number +15551234567
                       ring the number: its webhook points here until listen stops (docs/inbound.md)
)";

// The flags that are fields of the listener's and the inbound link's own options are bound to
// them directly; the others are checked and converted by run_listen.
struct ListenOptions {
    listen::ListenerOptions listener;
    bland::InboundLinkOptions link;
    util::SecretInput secret;
    std::string save;
    bool no_save = false;
    bool verbose = false;
    bool transcript = false;
    bool json = false;
    bool quiet = false;
    std::string delay;
    std::string respond_sequence;
    std::string answer_body;
    std::vector<std::string> answer_headers;
    std::string forward_path = "exact";
    std::string forward_timeout = "10s";
    std::size_t count = 0;
    std::string timeout;
    std::vector<std::string> matches;
    std::string max_body = "10MiB";
    std::string max_log_size;
    std::size_t max_connections = 1024;
    ApiFlags api;
    std::string request_timeout = "30s";
    int inspector_port = -1; ///< -1: the capture port + 100, or a free one when that is taken
    bool no_inspector = false;
};

// Completes the answer flags bound to options.listener.answer with the ones that need parsing.
void complete_answer(ListenOptions& options) {
    listen::AnswerConfig& answer = options.listener.answer;
    check_http_status(answer.status, "--answer-status");
    check_http_status(answer.fail_status, "--fail-answer-status");
    if (!(answer.fail_rate >= 0 && answer.fail_rate <= 1)) { // NaN too
        throw Error(ErrorKind::usage, "--fail-rate", "must be between 0 and 1",
                    "example: --fail-rate 0.25 fails one request in four");
    }
    if (!options.delay.empty()) {
        answer.delay = util::parse_duration(options.delay, "--delay");
    }
    if (!options.respond_sequence.empty()) {
        answer.sequence = listen::parse_sequence(options.respond_sequence);
    }
    if (!options.answer_body.empty()) {
        if (options.answer_body.front() == '@') {
            answer.body = util::read_file(options.answer_body.substr(1), "--answer-body",
                                          ErrorKind::usage, "give @FILE naming a file");
        } else {
            answer.body = options.answer_body;
        }
    }
    for (const std::string& header : options.answer_headers) {
        http::Header parsed = http::parse_header_line(header, "--answer-header");
        answer.headers.emplace_back(std::move(parsed.name), std::move(parsed.value));
    }
}

void print_banner(const listen::Listener& listener, const ListenOptions& options) {
    const std::string url = listener.url();
    std::string banner;
    if (!http::is_loopback_host(options.listener.host)) {
        cli::print_warning(
            fmt::format("listening on {} ({}): anyone who can reach this machine can send to it",
                        options.listener.host, url));
    }
    if (options.quiet) {
        // -q: the same facts on one line; the tunnel advice is left to the full banner.
        banner = fmt::format(
            "  inspector: {}, captures: {}, signatures: {}{}\n",
            listener.inspector_url().empty() ? std::string("off") : listener.inspector_url(),
            options.no_save ? std::string("in memory") : listener.store().path(),
            listener.has_secret()
                ? (options.listener.answer.require_signature ? "required" : "checked")
                : "not checked",
            options.listener.forward_to.empty() ? std::string()
                                                : ", forwarding: " + options.listener.forward_to);
        std::fputs(banner.c_str(), stderr);
        return;
    }
    banner += listener.inspector_url().empty()
                  ? std::string("  inspector:  off (--no-inspector)\n")
                  : fmt::format("  inspector:  {} (this machine only)\n", listener.inspector_url());
    banner += fmt::format("  captures:   {}\n", options.no_save
                                                    ? std::string("kept in memory only (--no-log)")
                                                    : listener.store().path());
    banner += fmt::format("  signatures: {}\n",
                          listener.has_secret()
                              ? (options.listener.answer.require_signature
                                     ? "checked, required (401 otherwise)"
                                     : "checked")
                              : "not checked (set BLAND_WEBHOOK_SECRET, or --secret-file FILE)");
    if (!options.listener.forward_to.empty()) {
        banner += fmt::format(
            "  forwarding: {}{}{}\n", options.listener.forward_to,
            options.forward_path == "keep" ? " + the captured path" : "",
            options.listener.answer.forward_status ? " (its answer goes back to the sender)" : "");
    }
    if (!listener.tls() && options.link.public_url.empty() && options.link.tunnel.empty()) {
        const int port = listener.port();
        banner += "  Bland only delivers webhooks to https URLs. To reach this listener:\n";
        banner += fmt::format("    cloudflared tunnel --url http://127.0.0.1:{}\n", port);
        banner += fmt::format("    ngrok http {}\n", port);
        banner += "  and use the https URL the tunnel prints as the call's \"webhook\". A tunnel "
                  "reaches\n  this port only: webhooks and /_blandhook/health, never the "
                  "inspector.\n";
        banner += "  Or serve HTTPS yourself on a public host: --tls-cert cert.pem --tls-key "
                  "key.pem --host 0.0.0.0\n";
    }
    std::fputs(banner.c_str(), stderr);
}

std::string summary_text(const capture::Store& store,
                         const std::map<std::string, std::size_t>& kinds, std::size_t non_2xx,
                         const std::string& last_save_error, const ListenOptions& options) {
    std::string text =
        fmt::format("blandhook: {} capture{}", store.appended(), store.appended() == 1 ? "" : "s");
    if (!kinds.empty()) {
        std::string parts;
        for (const auto& [kind, count] : kinds) {
            parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", count, kind);
        }
        text += " (" + parts + ")";
    }
    if (non_2xx > 0) {
        text += fmt::format(", {} answered non-2xx", non_2xx);
    }
    if (const std::uint64_t unsaved = store.unsaved(); unsaved > 0) {
        text += fmt::format(", {} not saved ({}) and answered 503", unsaved, last_save_error);
    }
    text += options.no_save ? ", not saved" : ", saved to " + store.path();
    return text + "\n";
}

// stdout sent to /dev/null: formatting a line per capture would only cost time under load.
bool stdout_discarded() {
    struct stat out {};
    struct stat null {};
    return ::fstat(STDOUT_FILENO, &out) == 0 && ::stat("/dev/null", &null) == 0 &&
           S_ISCHR(out.st_mode) && out.st_rdev == null.st_rdev;
}

// Completes options.listener with the flags that need checking or parsing.
void complete_listener(ListenOptions& options) {
    listen::ListenerOptions& listener = options.listener;
    listener.secret = util::resolve_secret(options.secret, util::k_webhook_secret);
    if (listener.answer.require_signature && listener.secret.empty()) {
        throw Error(ErrorKind::usage, "--require-signature", "needs a secret to check against",
                    "set BLAND_WEBHOOK_SECRET, or pass --secret-file FILE");
    }
    if (options.no_save && !options.save.empty()) {
        throw Error(ErrorKind::usage, "--no-log", "--log and --no-log exclude each other");
    }
    check_port(listener.port, "--port");
    listener.forward_timeout = util::parse_duration(options.forward_timeout, "--forward-timeout");
    if (listener.forward_timeout.count() < 1) {
        throw Error(ErrorKind::usage, "--forward-timeout", "must be at least 1ms");
    }
    listener.forward_path =
        options.forward_path == "keep" ? listen::ForwardPath::keep : listen::ForwardPath::exact;
    if (listener.answer.forward_status && listener.forward_to.empty()) {
        throw Error(ErrorKind::usage, "--forward-status", "needs --forward-to URL");
    }
    listener.store.path = options.no_save
                              ? std::string()
                              : (options.save.empty() ? capture::default_log_path() : options.save);
    listener.max_body_bytes = util::parse_size(options.max_body, "--max-body");
    if (!options.max_log_size.empty()) {
        listener.store.max_log_bytes = util::parse_size(options.max_log_size, "--max-log-size");
    }
    if (options.max_connections < 1 || options.max_connections > 1'000'000) {
        throw Error(ErrorKind::usage, "--max-connections",
                    std::to_string(options.max_connections) + " is not from 1 to 1000000");
    }
    listener.request_timeout = util::parse_duration(options.request_timeout, "--request-timeout");
    if (listener.request_timeout.count() <= 0) {
        throw Error(ErrorKind::usage, "--request-timeout", "must be longer than 0",
                    "example: --request-timeout 30s");
    }
    listener.max_threads = std::max<std::size_t>(options.max_connections, 16);
    complete_answer(options);
    if (options.inspector_port != -1) {
        check_port(options.inspector_port, "--inspector-port");
    }
    if (options.no_inspector && options.inspector_port != -1) {
        throw Error(ErrorKind::usage, "--no-inspector",
                    "--inspector-port and --no-inspector exclude each other");
    }
    if (!options.no_inspector) {
        listen::InspectorBind bind;
        if (options.inspector_port >= 0) {
            bind.port = options.inspector_port;
        } else if (listener.port != 0 && listener.port + 100 <= 65535) {
            // Not + 1: `blandhook emulate` defaults to 4001.
            bind.port = listener.port + 100;
            bind.any_if_taken = true;
        }
        listener.inspector = bind;
    }
}

// What the captures of one run add up to, for the summary line; fed from the server's threads.
struct Tally {
    std::mutex mutex;
    std::map<std::string, std::size_t> kinds;
    std::size_t non_2xx = 0;
    std::string last_save_error;
    std::atomic<std::size_t> counted{0}; ///< captures that match every --match
};

// Prints every capture as it is stored, counts it, and asks `done` to stop at --count.
void watch_captures(listen::Listener& listener, listen::Printer& printer,
                    const ListenOptions& options, const cli::Context& context, Tally& tally,
                    util::StopSource& done) {
    const std::vector<listen::Match> matches = listen::parse_matches(options.matches);
    const bool print_lines = !options.quiet && !stdout_discarded();
    listen::DisplayOptions display;
    display.color = context.color_stdout;
    display.width = listen::line_width(STDOUT_FILENO);
    display.headers = options.verbose;
    display.body = options.verbose;
    display.transcript = options.transcript;
    listener.store().subscribe([&, matches, print_lines, display](const capture::Capture& capture) {
        {
            const std::lock_guard lock(tally.mutex);
            ++tally.kinds[capture.payload.kind];
            if (capture.response_status < 200 || capture.response_status > 299) {
                ++tally.non_2xx;
            }
        }
        if (print_lines) {
            printer.print(options.json ? capture::to_json_line(capture) + "\n"
                                       : listen::format_capture(capture, display));
        }
        if (options.count > 0 && listen::matches_all(capture, matches) &&
            tally.counted.fetch_add(1) + 1 == options.count) {
            done.request_stop();
        }
    });
    // A full disk is said once when saving stops and once when it works again, not per request
    // (senders get 503 meanwhile; health and the inspector say "not saving").
    listener.store().on_save_state([&tally, &listener](const std::string& error) {
        const std::lock_guard lock(tally.mutex);
        if (!error.empty()) {
            tally.last_save_error = error;
            cli::print_error(Error(ErrorKind::internal, "capture log",
                                   "cannot write to " + listener.store().path() + ": " + error,
                                   "webhooks are answered 503 until it can be written; saving "
                                   "resumes by itself once there is room"));
        } else {
            fmt::print(stderr, "blandhook: saving to {} again\n", listener.store().path());
        }
    });
}

// Waits for `done` (a signal or --count) or the end of --timeout; true when the timeout ended it.
bool wait_until_done(const util::StopSource& done, const listen::Listener& listener,
                     std::optional<std::chrono::milliseconds> timeout) {
    const auto started = std::chrono::steady_clock::now();
    // The server ending on its own (it cannot, short of a bug) is checked once a second.
    while (!done.stop_requested() && listener.running()) {
        auto wait = std::chrono::steady_clock::duration(std::chrono::seconds(1));
        if (timeout) {
            const auto left = started + *timeout - std::chrono::steady_clock::now();
            if (left <= std::chrono::steady_clock::duration::zero()) {
                return true;
            }
            wait = std::min(wait, left);
        }
        done.token().wait_for(wait);
    }
    return false;
}

void link_info(const std::string& line) {
    fmt::print(stderr, "  {}\n", line);
}

void link_warn(const std::string& line) {
    cli::print_warning(line);
}

// The exit code once the run ended, after the summary: a --count not reached is a timeout (an
// Error) or an interruption.
int outcome(const ListenOptions& options, const Tally& tally, bool timed_out) {
    if (options.count == 0 || tally.counted >= options.count) {
        return cli::exit_code::k_ok;
    }
    if (timed_out) {
        throw Error(ErrorKind::timeout, "--timeout",
                    fmt::format("{} of {} matching capture{} came within {}", tally.counted.load(),
                                options.count, options.count == 1 ? "" : "s", options.timeout),
                    "is the sender pointed at this listener's URL?");
    }
    return cli::exit_code::k_interrupted;
}

int run_listen(ListenOptions options, const cli::Context& context) {
    complete_listener(options);
    listen::parse_matches(options.matches); // a bad --match fails before anything starts
    std::optional<std::chrono::milliseconds> timeout;
    if (!options.timeout.empty()) {
        timeout = util::parse_duration(options.timeout, "--timeout");
    }
    options.link.stop = context.stop;
    options.link.api.base_url = options.api.api_url;
    options.link.api.api_key = api_key_of(options.api);
    options.link.api.insecure = options.api.insecure;
    bland::InboundLink link(options.link);
    link.repair(link_info, link_warn);

    listen::Listener listener(options.listener);
    if (options.listener.inspector) {
        inspector::mount(listener);
    }
    listen::Printer printer;
    // What the run loop waits for: a stop asked by a signal, or by --count.
    util::StopSource done;
    const util::StopCallback on_signal = context.stop.on_stop([&done] { done.request_stop(); });
    Tally tally;
    watch_captures(listener, printer, options, context, tally, done);

    listener.start();
    // The numbers point here before the readiness line: a script that waits for it can ring.
    try {
        link.start(listener.url(), link_info, link_warn);
    } catch (const Error&) {
        link.stop(link_info, link_warn);
        throw;
    }
    if (context.stop.stop_requested()) {
        // Stopped while the tunnel started: never ready, nothing captured for the user.
        link.stop(link_info, link_warn);
        listener.stop();
        return cli::exit_code::k_interrupted;
    }
    const std::string ready = fmt::format("blandhook listening on {}\n", listener.url());
    if (options.json) {
        std::fputs(ready.c_str(), stderr);
    } else {
        printer.print(ready);
        printer.wait_written();
    }
    print_banner(listener, options);

    const bool timed_out = wait_until_done(done, listener, timeout);
    link.stop(link_info, link_warn); // numbers restored while late deliveries still land here
    listener.stop();
    printer.finish(); // every line shown before the summary
    {
        const std::lock_guard lock(tally.mutex);
        std::fputs(summary_text(listener.store(), tally.kinds, tally.non_2xx, tally.last_save_error,
                                options)
                       .c_str(),
                   stderr);
    }
    return outcome(options, tally, timed_out);
}

} // namespace

namespace {

// Where captures come in, and how they are checked and kept.
void add_capture_flags(CLI::App* app, ListenOptions& options) {
    listen::ListenerOptions& listener = options.listener;
    app->add_option("--host", listener.host, "Address to bind (a warning unless loopback)")
        ->capture_default_str();
    app->add_option("-p,--port", listener.port, "Port to listen on; 0 picks a free one")
        ->capture_default_str();
    app->add_option("--tls-cert", listener.tls_cert, "Serve HTTPS with this PEM certificate");
    app->add_option("--tls-key", listener.tls_key, "The PEM private key for --tls-cert")
        ->type_name("FILE");
    cli::add_secret_options(app, options.secret, util::k_webhook_secret,
                            "Webhook signing secret to check X-Webhook-Signature");
    app->add_flag("--require-signature", listener.answer.require_signature,
                  "Answer 401 to requests without a valid signature");
    app->add_option("--log", options.save,
                    "Capture log to append to (default: $XDG_STATE_HOME/blandhook/captures.ndjson)")
        ->type_name("FILE");
    cli::add_old_spelling(app, "--save", options.save);
    app->add_flag("--no-log", options.no_save, "Keep captures in memory only");
    cli::add_old_spelling(app, "--no-save", options.no_save);
    app->add_flag("--fsync", listener.store.fsync,
                  "fdatasync the capture log before answering (survives power loss; slower)");
    app->add_option("--max-log-size", options.max_log_size,
                    "Rotate the capture log into numbered, gzipped segments (PATH.1.gz …) when "
                    "it reaches SIZE (64MiB, 1GiB); readers read every segment");
    app->add_flag("-v,--verbose", options.verbose, "Show headers and the pretty-printed body");
    app->add_flag("--transcript", options.transcript, "Show the call's conversation");
    app->add_flag("--json", options.json,
                  "Print each capture as one JSON line on stdout (the capture log format)");
    app->add_flag("-q,--quiet", options.quiet,
                  "Print no line per capture, and the banner on one line");
}

// How captures are answered (fault injection) and relayed to the app.
void add_answer_flags(cli::Registrar& registrar, CLI::App* app, ListenOptions& options) {
    listen::AnswerConfig& answer = options.listener.answer;
    app->add_option("--answer-status", answer.status, "HTTP status to answer with")
        ->capture_default_str();
    cli::add_old_spelling(app, "--status", answer.status);
    app->add_option("--delay", options.delay, "Wait this long before answering (250ms, 2s)");
    app->add_option("--respond-sequence", options.respond_sequence,
                    "Statuses to answer in turn per call_id, the last one repeating "
                    "(500,500,200; 'drop' closes)");
    app->add_option("--fail-rate", answer.fail_rate,
                    "Fraction of requests answered with --fail-answer-status (0..1)");
    app->add_option("--fail-answer-status", answer.fail_status,
                    "HTTP status for --fail-rate failures")
        ->capture_default_str();
    cli::add_old_spelling(app, "--fail-status", answer.fail_status);
    app->add_option("--seed", answer.seed, "Seed for --fail-rate, for repeatable runs")
        ->capture_default_str();
    app->add_flag("--drop", answer.drop, "Close every connection without answering");
    app->add_option("--answer-body", options.answer_body,
                    "Body to answer with instead of the JSON receipt (@FILE reads a file)");
    app->add_option("--answer-header", options.answer_headers,
                    "Header to add to answers, 'Name: value' (repeatable)");
    app->add_option("--forward-to", options.listener.forward_to,
                    "Relay every captured request byte-exact to this URL (your handler's URL; "
                    "the captured query string is kept)");
    registrar
        .choices(app->add_option("--forward-path", options.forward_path,
                                 "exact: send to the --forward-to URL as given; keep: append the "
                                 "captured path to it"),
                 {"exact", "keep"})
        ->capture_default_str();
    app->add_flag("--forward-status", answer.forward_status,
                  "Answer the sender with the app's answer instead of the configured one");
    app->add_option("--forward-timeout", options.forward_timeout, "How long the app may take")
        ->capture_default_str();
}

// When listen ends, and the limits of what it accepts.
void add_limit_flags(cli::Registrar& registrar, CLI::App* app, ListenOptions& options) {
    app->add_option("-n,--count", options.count,
                    "Exit 0 after N captures (that match every --match)");
    app->add_option("--timeout", options.timeout,
                    "Stop after this long; with --count, exit 4 if they did not all come");
    std::vector<std::string> key_values;
    for (const std::string& key : listen::match_keys()) {
        key_values.push_back(key + "=");
    }
    registrar.suggest(app->add_option("--match", options.matches,
                                      "KEY=VALUE a capture must have to count (call_id, kind, "
                                      "status, method, path, signature); repeatable"),
                      key_values);
    app->add_option("--max-body", options.max_body, "Largest body accepted; 413 beyond")
        ->capture_default_str();
    app->add_option("--request-timeout", options.request_timeout,
                    "A request must arrive whole within this of its first byte (slow senders "
                    "are cut off)")
        ->capture_default_str();
    app->add_option("--inspector-port", options.inspector_port,
                    "Port of the inspector on 127.0.0.1 (0 = any free one; default: --port + 100, "
                    "or a free one when that is taken)");
    app->add_flag("--no-inspector", options.no_inspector,
                  "Serve no inspector (the capture port never serves it)");
    app->add_option("--max-connections", options.max_connections,
                    "Connections served at once, idle keep-alive ones included")
        ->capture_default_str();
}

// Pointing Bland inbound numbers at the listener while it runs.
void add_inbound_flags(cli::Registrar& registrar, CLI::App* app, ListenOptions& options) {
    bland::InboundLinkOptions& link = options.link;
    app->add_option("--inbound-number", link.numbers,
                    "Point this Bland inbound number's webhook here while listening, and back "
                    "afterwards (repeatable; needs BLAND_API_KEY)");
    app->add_option("--public-url", link.public_url,
                    "The URL Bland reaches this listener at (a tunnel you run)");
    registrar.choices(app->add_option("--tunnel", link.tunnel,
                                      "Start this tunnel to the listener and use its https URL"),
                      {"cloudflared", "ngrok"});
    app->add_option("--ngrok-api", link.ngrok_api,
                    "ngrok's agent API (default: the address ngrok logs, else "
                    "http://127.0.0.1:4040)");
    app->add_flag("--force", link.force,
                  "Take an --inbound-number over from another running listener");
    add_api_flags(app, options.api);
}

} // namespace

void register_listen(cli::Registrar& registrar) {
    auto options = std::make_shared<ListenOptions>();
    CLI::App* app = registrar.add_command(
        "listen", "Capture, check and answer webhooks on a local URL (a private Webhook.site)",
        k_examples);
    add_capture_flags(app, *options);
    add_answer_flags(registrar, app, *options);
    add_limit_flags(registrar, app, *options);
    add_inbound_flags(registrar, app, *options);
    registrar.on_run(
        app, [options](const cli::Context& context) { return run_listen(*options, context); },
        cli::OnSignal::request_stop);
}

} // namespace blandhook::commands
