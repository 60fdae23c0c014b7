#include "commands/listen.hpp"

#include "bland/inbound_link.hpp"
#include "capture/store.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "commands/api_flags.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "inspector/inspector.hpp"
#include "listen/display.hpp"
#include "listen/listener.hpp"
#include "util/duration.hpp"
#include "util/files.hpp"
#include "util/secret.hpp"
#include "util/size.hpp"
#include "util/stop.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fmt/core.h>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <thread>
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

struct ListenOptions {
    std::string host = "127.0.0.1";
    int port = 4000;
    std::string tls_cert;
    std::string tls_key;
    util::SecretInput secret;
    bool require_signature = false;
    std::string save;
    bool no_save = false;
    bool fsync = false;
    bool verbose = false;
    bool transcript = false;
    bool json = false;
    bool quiet = false;
    int status = 200;
    std::string delay;
    std::string respond_sequence;
    double fail_rate = 0;
    int fail_status = 500;
    std::uint64_t seed = 0;
    bool drop = false;
    std::string answer_body;
    std::vector<std::string> answer_headers;
    std::string forward_to;
    std::string forward_path = "exact";
    bool forward_status = false;
    std::string forward_timeout = "10s";
    std::size_t count = 0;
    std::string timeout;
    std::vector<std::string> matches;
    std::string max_body = "10MiB";
    std::string max_log_size;
    std::size_t max_connections = 1024;
    std::vector<std::string> inbound_numbers;
    std::string public_url;
    std::string tunnel;
    std::string ngrok_api;
    bool force = false;
    ApiFlags api;
    std::string request_timeout = "30s";
    int inspector_port = -1; ///< -1: the capture port + 100, or a free one when that is taken
    bool no_inspector = false;
};

// --match KEY=VALUE: every one given must hold for a capture to count.
struct Match {
    std::string key;
    std::string value;
};

std::vector<Match> parse_matches(const std::vector<std::string>& texts) {
    static const char* const k_keys[] = {"call_id", "kind", "status",
                                         "method",  "path", "signature"};
    std::vector<Match> matches;
    for (const std::string& text : texts) {
        const std::size_t equals = text.find('=');
        bool known = false;
        if (equals != std::string::npos) {
            for (const char* key : k_keys) {
                known = known || text.compare(0, equals, key) == 0;
            }
        }
        if (!known) {
            throw Error(ErrorKind::usage, "--match", "'" + text + "' is not KEY=VALUE",
                        "KEY is one of call_id, kind, status, method, path, signature; "
                        "example: --match kind=post-call");
        }
        matches.push_back({text.substr(0, equals), text.substr(equals + 1)});
    }
    return matches;
}

bool matches_all(const capture::Capture& capture, const std::vector<Match>& matches) {
    for (const Match& match : matches) {
        std::string actual;
        if (match.key == "call_id") {
            actual = capture.payload.call_id;
        } else if (match.key == "kind") {
            actual = capture.payload.kind;
        } else if (match.key == "status") {
            actual = capture.payload.status;
        } else if (match.key == "method") {
            actual = capture.method;
        } else if (match.key == "path") {
            actual = capture.path;
        } else if (match.key == "signature") {
            actual = capture.payload.signature;
        }
        if (actual != match.value) {
            return false;
        }
    }
    return true;
}

listen::AnswerConfig answer_config(const ListenOptions& options) {
    listen::AnswerConfig answer;
    if (options.status < 100 || options.status > 599) {
        throw Error(ErrorKind::usage, "--answer-status",
                    std::to_string(options.status) + " is not an HTTP status (100-599)");
    }
    if (options.fail_status < 100 || options.fail_status > 599) {
        throw Error(ErrorKind::usage, "--fail-answer-status",
                    std::to_string(options.fail_status) + " is not an HTTP status (100-599)");
    }
    if (!(options.fail_rate >= 0 && options.fail_rate <= 1)) { // NaN too
        throw Error(ErrorKind::usage, "--fail-rate", "must be between 0 and 1",
                    "example: --fail-rate 0.25 fails one request in four");
    }
    answer.status = options.status;
    answer.fail_rate = options.fail_rate;
    answer.fail_status = options.fail_status;
    answer.seed = options.seed;
    answer.drop = options.drop;
    answer.require_signature = options.require_signature;
    answer.forward_status = options.forward_status;
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
    return answer;
}

// Writes the terminal lines on a thread of its own. Requests are served on a few event loops: a
// terminal that scrolls slowly, or a pipe nobody reads, must never hold them up. Lines wait in a
// bounded queue; beyond it they are counted, not shown, and the count is printed once the
// terminal catches up (every capture is in the log either way).
class Printer {
public:
    Printer() : m_thread([this] { run(); }) {}
    ~Printer() { finish(); }
    Printer(const Printer&) = delete;
    Printer& operator=(const Printer&) = delete;

    void print(std::string text) {
        std::lock_guard lock(m_mutex);
        if (m_queued_bytes + text.size() > k_max_queued_bytes) {
            ++m_dropped;
            return;
        }
        m_queued_bytes += text.size();
        m_queue.push_back(std::move(text));
        m_cv.notify_one();
    }

    /// Returns once everything queued so far is written (the readiness line must come out before
    /// the banner on stderr).
    void wait_written() {
        std::unique_lock lock(m_mutex);
        m_written_cv.wait(lock, [&] { return m_queue.empty() && !m_writing; });
    }

    /// Writes everything queued, then stops the thread. Idempotent.
    void finish() {
        {
            std::lock_guard lock(m_mutex);
            m_done = true;
            m_cv.notify_one();
        }
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }

private:
    static constexpr std::size_t k_max_queued_bytes = 16u << 20;

    void run() {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_cv.wait(lock, [&] { return m_done || !m_queue.empty(); });
            if (m_queue.empty() && m_done) {
                return;
            }
            std::deque<std::string> batch;
            batch.swap(m_queue);
            m_queued_bytes = 0;
            const std::size_t dropped = std::exchange(m_dropped, 0);
            m_writing = true;
            lock.unlock();
            if (dropped > 0) {
                std::fputs(
                    fmt::format("blandhook: {} line{} not shown: the terminal could not keep "
                                "up (the capture log has them)\n",
                                dropped, dropped == 1 ? "" : "s")
                        .c_str(),
                    stdout);
            }
            for (const std::string& text : batch) {
                std::fwrite(text.data(), 1, text.size(), stdout);
            }
            std::fflush(stdout);
            lock.lock();
            m_writing = false;
            m_written_cv.notify_all();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::condition_variable m_written_cv;
    bool m_writing = false; ///< a batch is being written outside the lock
    std::deque<std::string> m_queue;
    std::size_t m_queued_bytes = 0;
    std::size_t m_dropped = 0;
    bool m_done = false;
    std::thread m_thread;
};

void print_banner(const listen::Listener& listener, const ListenOptions& options) {
    const std::string url = listener.url();
    std::string banner;
    if (!http::is_loopback_host(options.host)) {
        cli::print_warning(
            fmt::format("listening on {} ({}): anyone who can reach this machine can send to it",
                        options.host, url));
    }
    if (options.quiet) {
        // -q: the same facts on one line; the tunnel advice is left to the full banner.
        banner = fmt::format(
            "  inspector: {}, captures: {}, signatures: {}{}\n",
            listener.inspector_url().empty() ? std::string("off") : listener.inspector_url(),
            options.no_save ? std::string("in memory") : listener.store().path(),
            listener.has_secret() ? (options.require_signature ? "required" : "checked")
                                  : "not checked",
            options.forward_to.empty() ? std::string() : ", forwarding: " + options.forward_to);
        std::fputs(banner.c_str(), stderr);
        return;
    }
    banner += listener.inspector_url().empty()
                  ? std::string("  inspector:  off (--no-inspector)\n")
                  : fmt::format("  inspector:  {} (this machine only)\n", listener.inspector_url());
    banner += fmt::format("  captures:   {}\n", options.no_save
                                                    ? std::string("kept in memory only (--no-log)")
                                                    : listener.store().path());
    banner += fmt::format(
        "  signatures: {}\n",
        listener.has_secret()
            ? (options.require_signature ? "checked, required (401 otherwise)" : "checked")
            : "not checked (set BLAND_WEBHOOK_SECRET, or --secret-file FILE)");
    if (!options.forward_to.empty()) {
        banner +=
            fmt::format("  forwarding: {}{}{}\n", options.forward_to,
                        options.forward_path == "keep" ? " + the captured path" : "",
                        options.forward_status ? " (its answer goes back to the sender)" : "");
    }
    if (!listener.tls() && options.public_url.empty() && options.tunnel.empty()) {
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

int run_listen(const ListenOptions& options, const cli::Context& context) {
    listen::ListenerOptions listener_options;
    listener_options.host = options.host;
    listener_options.port = options.port;
    listener_options.tls_cert = options.tls_cert;
    listener_options.tls_key = options.tls_key;
    listener_options.secret = util::resolve_secret(options.secret, util::k_webhook_secret);
    if (options.require_signature && listener_options.secret.empty()) {
        throw Error(ErrorKind::usage, "--require-signature", "needs a secret to check against",
                    "set BLAND_WEBHOOK_SECRET, or pass --secret-file FILE");
    }
    if (options.no_save && !options.save.empty()) {
        throw Error(ErrorKind::usage, "--no-log", "--log and --no-log exclude each other");
    }
    if (options.port < 0 || options.port > 65535) {
        throw Error(ErrorKind::usage, "--port", std::to_string(options.port) + " is not a port",
                    "use 0 to pick a free one");
    }
    listener_options.forward_to = options.forward_to;
    listener_options.forward_timeout =
        util::parse_duration(options.forward_timeout, "--forward-timeout");
    if (listener_options.forward_timeout.count() < 1) {
        throw Error(ErrorKind::usage, "--forward-timeout", "must be at least 1ms");
    }
    listener_options.forward_path =
        options.forward_path == "keep" ? listen::ForwardPath::keep : listen::ForwardPath::exact;
    if (options.forward_status && options.forward_to.empty()) {
        throw Error(ErrorKind::usage, "--forward-status", "needs --forward-to URL");
    }
    listener_options.store.path =
        options.no_save ? std::string()
                        : (options.save.empty() ? capture::default_log_path() : options.save);
    listener_options.store.fsync = options.fsync;
    listener_options.max_body_bytes = util::parse_size(options.max_body, "--max-body");
    if (!options.max_log_size.empty()) {
        listener_options.store.max_log_bytes =
            util::parse_size(options.max_log_size, "--max-log-size");
    }
    if (options.max_connections < 1 || options.max_connections > 1'000'000) {
        throw Error(ErrorKind::usage, "--max-connections",
                    std::to_string(options.max_connections) + " is not from 1 to 1000000");
    }
    listener_options.request_timeout =
        util::parse_duration(options.request_timeout, "--request-timeout");
    if (listener_options.request_timeout.count() <= 0) {
        throw Error(ErrorKind::usage, "--request-timeout", "must be longer than 0",
                    "example: --request-timeout 30s");
    }
    listener_options.max_threads = std::max<std::size_t>(options.max_connections, 16);
    listener_options.answer = answer_config(options);
    if (options.inspector_port < -1 || options.inspector_port > 65535) {
        throw Error(ErrorKind::usage, "--inspector-port",
                    std::to_string(options.inspector_port) + " is not a port",
                    "use 0 to pick a free one");
    }
    if (options.no_inspector && options.inspector_port != -1) {
        throw Error(ErrorKind::usage, "--no-inspector",
                    "--inspector-port and --no-inspector exclude each other");
    }
    if (!options.no_inspector) {
        listen::InspectorBind bind;
        if (options.inspector_port >= 0) {
            bind.port = options.inspector_port;
        } else if (options.port != 0 && options.port + 100 <= 65535) {
            // Not + 1: `blandhook emulate` defaults to 4001.
            bind.port = options.port + 100;
            bind.any_if_taken = true;
        }
        listener_options.inspector = bind;
    }
    const std::vector<Match> matches = parse_matches(options.matches);
    std::optional<std::chrono::milliseconds> timeout;
    if (!options.timeout.empty()) {
        timeout = util::parse_duration(options.timeout, "--timeout");
    }

    bland::InboundLinkOptions link_options;
    link_options.numbers = options.inbound_numbers;
    link_options.public_url = options.public_url;
    link_options.tunnel = options.tunnel;
    link_options.ngrok_api = options.ngrok_api;
    link_options.force = options.force;
    link_options.stop = context.stop;
    link_options.api.base_url = options.api.api_url;
    link_options.api.api_key = api_key_of(options.api);
    link_options.api.insecure = options.api.insecure;
    bland::InboundLink link(link_options);
    const auto link_info = [](const std::string& line) {
        std::fputs(("  " + line + "\n").c_str(), stderr);
    };
    const auto link_warn = [](const std::string& line) { cli::print_warning(line); };
    link.repair(link_info, link_warn);

    listen::Listener listener(listener_options);
    if (listener_options.inspector) {
        inspector::mount(listener);
    }

    Printer printer;
    // What the run loop waits for: a stop asked by a signal, or by --count.
    util::StopSource done;
    const util::StopCallback on_signal = context.stop.on_stop([&done] { done.request_stop(); });
    std::mutex stats_mutex;
    std::map<std::string, std::size_t> kinds;
    std::size_t non_2xx = 0;
    std::atomic<std::size_t> counted{0};
    const bool print_lines = !options.quiet && !stdout_discarded();
    listen::DisplayOptions display;
    display.color = context.color_stdout;
    display.width = listen::line_width(STDOUT_FILENO);
    display.headers = options.verbose;
    display.body = options.verbose;
    display.transcript = options.transcript;
    listener.store().subscribe([&](const capture::Capture& capture) {
        {
            std::lock_guard lock(stats_mutex);
            ++kinds[capture.payload.kind];
            if (capture.response_status < 200 || capture.response_status > 299) {
                ++non_2xx;
            }
        }
        if (!print_lines) {
            // nothing to show
        } else if (options.json) {
            printer.print(capture::to_json_line(capture) + "\n");
        } else {
            printer.print(listen::format_capture(capture, display));
        }
        if (options.count > 0 && matches_all(capture, matches) &&
            counted.fetch_add(1) + 1 == options.count) {
            done.request_stop();
        }
    });

    // A full disk is said once when saving stops and once when it works again, not per request
    // (senders get 503 meanwhile; health and the inspector say "not saving").
    std::string last_save_error;
    listener.store().on_save_state([&](const std::string& error) {
        std::lock_guard lock(stats_mutex);
        if (!error.empty()) {
            last_save_error = error;
            cli::print_error(Error(ErrorKind::internal, "capture log",
                                   "cannot write to " + listener.store().path() + ": " + error,
                                   "webhooks are answered 503 until it can be written; saving "
                                   "resumes by itself once there is room"));
        } else {
            std::fputs(
                fmt::format("blandhook: saving to {} again\n", listener.store().path()).c_str(),
                stderr);
        }
    });

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

    bool timed_out = false;
    const auto started = std::chrono::steady_clock::now();
    // The server ending on its own (it cannot, short of a bug) is checked once a second.
    while (!done.stop_requested() && listener.running()) {
        auto wait = std::chrono::steady_clock::duration(std::chrono::seconds(1));
        if (timeout) {
            const auto left = started + *timeout - std::chrono::steady_clock::now();
            if (left <= std::chrono::steady_clock::duration::zero()) {
                timed_out = true;
                break;
            }
            wait = std::min(wait, left);
        }
        done.token().wait_for(wait);
    }
    link.stop(link_info, link_warn); // numbers restored while late deliveries still land here
    listener.stop();
    printer.finish(); // every line shown before the summary

    std::string summary;
    {
        std::lock_guard lock(stats_mutex);
        summary = summary_text(listener.store(), kinds, non_2xx, last_save_error, options);
    }
    std::fputs(summary.c_str(), stderr);

    if (options.count > 0 && counted < options.count) {
        if (timed_out) {
            throw Error(ErrorKind::timeout, "--timeout",
                        fmt::format("{} of {} matching capture{} came within {}", counted.load(),
                                    options.count, options.count == 1 ? "" : "s", options.timeout),
                        "is the sender pointed at this listener's URL?");
        }
        return cli::exit_code::k_interrupted;
    }
    return cli::exit_code::k_ok;
}

} // namespace

void register_listen(cli::Registrar& registrar) {
    auto options = std::make_shared<ListenOptions>();
    CLI::App* app = registrar.add_command(
        "listen", "Capture, check and answer webhooks on a local URL (a private Webhook.site)",
        k_examples);

    app->add_option("--host", options->host, "Address to bind (a warning unless loopback)")
        ->capture_default_str();
    app->add_option("-p,--port", options->port, "Port to listen on; 0 picks a free one")
        ->capture_default_str();
    app->add_option("--tls-cert", options->tls_cert, "Serve HTTPS with this PEM certificate");
    app->add_option("--tls-key", options->tls_key, "The PEM private key for --tls-cert")
        ->type_name("FILE");
    cli::add_secret_options(app, options->secret, util::k_webhook_secret,
                            "Webhook signing secret to check X-Webhook-Signature");
    app->add_flag("--require-signature", options->require_signature,
                  "Answer 401 to requests without a valid signature");
    app->add_option("--log", options->save,
                    "Capture log to append to (default: $XDG_STATE_HOME/blandhook/captures.ndjson)")
        ->type_name("FILE");
    cli::add_old_spelling(app, "--save", options->save);
    app->add_flag("--no-log", options->no_save, "Keep captures in memory only");
    cli::add_old_spelling(app, "--no-save", options->no_save);
    app->add_flag("--fsync", options->fsync,
                  "fdatasync the capture log before answering (survives power loss; slower)");
    app->add_option("--max-log-size", options->max_log_size,
                    "Rotate the capture log into numbered, gzipped segments (PATH.1.gz …) when "
                    "it reaches SIZE (64MiB, 1GiB); readers read every segment");
    app->add_flag("-v,--verbose", options->verbose, "Show headers and the pretty-printed body");
    app->add_flag("--transcript", options->transcript, "Show the call's conversation");
    app->add_flag("--json", options->json,
                  "Print each capture as one JSON line on stdout (the capture log format)");
    app->add_flag("-q,--quiet", options->quiet,
                  "Print no line per capture, and the banner on one line");
    app->add_option("--answer-status", options->status, "HTTP status to answer with")
        ->capture_default_str();
    cli::add_old_spelling(app, "--status", options->status);
    app->add_option("--delay", options->delay, "Wait this long before answering (250ms, 2s)");
    app->add_option("--respond-sequence", options->respond_sequence,
                    "Statuses to answer in turn per call_id, the last one repeating "
                    "(500,500,200; 'drop' closes)");
    app->add_option("--fail-rate", options->fail_rate,
                    "Fraction of requests answered with --fail-answer-status (0..1)");
    app->add_option("--fail-answer-status", options->fail_status,
                    "HTTP status for --fail-rate failures")
        ->capture_default_str();
    cli::add_old_spelling(app, "--fail-status", options->fail_status);
    app->add_option("--seed", options->seed, "Seed for --fail-rate, for repeatable runs")
        ->capture_default_str();
    app->add_flag("--drop", options->drop, "Close every connection without answering");
    app->add_option("--answer-body", options->answer_body,
                    "Body to answer with instead of the JSON receipt (@FILE reads a file)");
    app->add_option("--answer-header", options->answer_headers,
                    "Header to add to answers, 'Name: value' (repeatable)");
    app->add_option("--forward-to", options->forward_to,
                    "Relay every captured request byte-exact to this URL (your handler's URL; "
                    "the captured query string is kept)");
    registrar
        .choices(app->add_option("--forward-path", options->forward_path,
                                 "exact: send to the --forward-to URL as given; keep: append the "
                                 "captured path to it"),
                 {"exact", "keep"})
        ->capture_default_str();
    app->add_flag("--forward-status", options->forward_status,
                  "Answer the sender with the app's answer instead of the configured one");
    app->add_option("--forward-timeout", options->forward_timeout, "How long the app may take")
        ->capture_default_str();
    app->add_option("-n,--count", options->count,
                    "Exit 0 after N captures (that match every --match)");
    app->add_option("--timeout", options->timeout,
                    "Stop after this long; with --count, exit 4 if they did not all come");
    registrar.suggest(app->add_option("--match", options->matches,
                                      "KEY=VALUE a capture must have to count (call_id, kind, "
                                      "status, method, path, signature); repeatable"),
                      {"call_id=", "kind=", "status=", "method=", "path=", "signature="});
    app->add_option("--max-body", options->max_body, "Largest body accepted; 413 beyond")
        ->capture_default_str();
    app->add_option("--request-timeout", options->request_timeout,
                    "A request must arrive whole within this of its first byte (slow senders "
                    "are cut off)")
        ->capture_default_str();
    app->add_option("--inspector-port", options->inspector_port,
                    "Port of the inspector on 127.0.0.1 (0 = any free one; default: --port + 100, "
                    "or a free one when that is taken)");
    app->add_flag("--no-inspector", options->no_inspector,
                  "Serve no inspector (the capture port never serves it)");
    app->add_option("--max-connections", options->max_connections,
                    "Connections served at once, idle keep-alive ones included")
        ->capture_default_str();

    app->add_option("--inbound-number", options->inbound_numbers,
                    "Point this Bland inbound number's webhook here while listening, and back "
                    "afterwards (repeatable; needs BLAND_API_KEY)");
    app->add_option("--public-url", options->public_url,
                    "The URL Bland reaches this listener at (a tunnel you run)");
    registrar.choices(app->add_option("--tunnel", options->tunnel,
                                      "Start this tunnel to the listener and use its https URL"),
                      {"cloudflared", "ngrok"});
    app->add_option("--ngrok-api", options->ngrok_api,
                    "ngrok's agent API (default: the address ngrok logs, else "
                    "http://127.0.0.1:4040)");
    app->add_flag("--force", options->force,
                  "Take an --inbound-number over from another running listener");
    add_api_flags(app, options->api);

    registrar.on_run(
        app, [options](const cli::Context& context) { return run_listen(*options, context); },
        cli::OnSignal::request_stop);
}

} // namespace blandhook::commands
