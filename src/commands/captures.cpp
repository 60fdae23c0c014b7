#include "commands/captures.hpp"

#include "capture/export.hpp"
#include "capture/store.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "error.hpp"
#include "listen/display.hpp"
#include "payload/kind.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fmt/core.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace blandhook::commands {
namespace {

constexpr const char* k_examples =
    R"(  blandhook captures list                       the newest 20 captures
  blandhook captures list --kind post-call --limit 5
  blandhook captures show 12                     headers, pretty body, findings, transcript
  blandhook captures show 12 --json | jq .payload
  blandhook captures export 12 --as fixture -o fixtures/my-call.json
  blandhook captures export 12 --as curl --url http://localhost:3000/webhook | sh
)";

struct CapturesOptions {
    std::string log;
    // list
    std::size_t limit = 20;
    std::string kind;
    std::string call_id;
    std::string status;
    bool json = false;
    // show / export
    std::uint64_t id = 0;
    std::string as = "fixture";
    std::string out;
    bool default_name = false; // -O: capture-ID.json, what a fixture export wrote before 0.2
    bool force = false;
    std::string url = "http://127.0.0.1:4000";
    std::string secret;
};

std::string log_path(const CapturesOptions& options) {
    return options.log.empty() ? capture::default_log_path() : options.log;
}

void warn_bad_line(std::size_t line, const std::string& message) {
    cli::print_warning(fmt::format("capture log line {} skipped: {}", line, message));
}

capture::Capture find_capture(const CapturesOptions& options) {
    std::optional<capture::Capture> found;
    capture::read_log(
        log_path(options),
        [&](capture::Capture&& capture) {
            if (capture.id == options.id) {
                found = std::move(capture);
                return false;
            }
            return true;
        },
        warn_bad_line);
    if (!found) {
        throw Error(ErrorKind::input, "capture " + std::to_string(options.id),
                    "not in " + log_path(options), "list the ids with 'blandhook captures list'");
    }
    return std::move(*found);
}

void write_output(const std::string& path, const std::string& text, bool force) {
    if (path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return;
    }
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) {
        if (errno == EEXIST) {
            throw Error(ErrorKind::input, path, "already exists",
                        "pass --force to replace it, or choose another name with -o");
        }
        throw Error(ErrorKind::input, path, std::string("cannot write: ") + std::strerror(errno));
    }
    const ssize_t written = ::write(fd, text.data(), text.size());
    ::close(fd);
    if (written != static_cast<ssize_t>(text.size())) {
        throw Error(ErrorKind::internal, path, "short write (disk full?)");
    }
}

int run_list(const CapturesOptions& options, const cli::Context& context) {
    capture::Filter filter;
    filter.kind = options.kind;
    filter.call_id = options.call_id;
    filter.status = options.status;
    // The newest `limit` matches: a window slid over the log, so memory stays bounded.
    std::deque<capture::Capture> newest;
    capture::read_log(
        log_path(options),
        [&](capture::Capture&& capture) {
            if (filter.matches(capture)) {
                newest.push_back(std::move(capture));
                if (newest.size() > options.limit) {
                    newest.pop_front();
                }
            }
            return true;
        },
        warn_bad_line);
    listen::DisplayOptions display;
    display.color = context.color_stdout;
    display.findings = false;
    for (auto it = newest.rbegin(); it != newest.rend(); ++it) {
        const std::string text =
            options.json ? capture::to_json_line(*it) + "\n" : listen::format_capture(*it, display);
        std::fputs(text.c_str(), stdout);
    }
    if (newest.empty() && !options.json) {
        std::fputs("no captures\n", stderr);
    }
    return cli::exit_code::k_ok;
}

int run_show(const CapturesOptions& options, const cli::Context& context) {
    const capture::Capture capture = find_capture(options);
    if (options.json) {
        std::fputs((capture::to_json_line(capture) + "\n").c_str(), stdout);
        return cli::exit_code::k_ok;
    }
    listen::DisplayOptions display;
    display.color = context.color_stdout;
    display.headers = true;
    display.body = true;
    display.transcript = true;
    display.max_findings = 1000;
    std::fputs(listen::format_capture(capture, display).c_str(), stdout);
    return cli::exit_code::k_ok;
}

int run_export(const CapturesOptions& options) {
    const capture::Capture capture = find_capture(options);
    if (options.as == "curl") {
        if (options.default_name) {
            throw Error(ErrorKind::usage, "-O",
                        "names a fixture file; a curl command goes to stdout",
                        "use -o FILE to write the curl command to a file");
        }
        std::string secret = options.secret;
        if (secret.empty()) {
            if (const char* from_env = std::getenv("BLAND_WEBHOOK_SECRET"); from_env != nullptr) {
                secret = from_env;
            }
        }
        write_output(options.out.empty() ? "-" : options.out,
                     capture::curl_command(capture, options.url, secret), options.force);
        return cli::exit_code::k_ok;
    }
    // Standard output unless -o or -O says otherwise, as stripe and hurl do, so that
    // `captures export 12 > my-call.json` works.
    const std::string path = options.default_name  ? fmt::format("capture-{}.json", capture.id)
                             : options.out.empty() ? "-"
                                                   : options.out;
    write_output(path, capture::fixture_text(capture), options.force);
    if (path != "-") {
        std::fprintf(stderr, "wrote %s (capture %llu, %s)\n", path.c_str(),
                     static_cast<unsigned long long>(capture.id), capture.payload.kind.c_str());
    }
    return cli::exit_code::k_ok;
}

void add_log_option(CLI::App* app, CapturesOptions& options) {
    app->add_option("--log", options.log,
                    "Capture log to read (default: $XDG_STATE_HOME/blandhook/captures.ndjson)")
        ->type_name("FILE");
}

} // namespace

void register_captures(cli::Registrar& registrar) {
    auto options = std::make_shared<CapturesOptions>();
    CLI::App* app = registrar.add_command(
        "captures", "List, show and export what 'blandhook listen' captured", k_examples);
    app->require_subcommand(0, 1);

    CLI::App* list = registrar.add_subcommand(app, "list", "The newest captures, one line each",
                                              "  blandhook captures list --limit 50 --kind "
                                              "post-call\n");
    add_log_option(list, *options);
    list->add_option("-n,--limit", options->limit, "How many")->capture_default_str();
    std::vector<std::string> kinds;
    for (payload::Kind kind : payload::k_schema_kinds) {
        kinds.emplace_back(payload::kind_name(kind));
    }
    kinds.emplace_back(payload::kind_name(payload::Kind::unknown));
    registrar.suggest(list->add_option("--kind", options->kind,
                                       "Only this payload kind (post-call, live-event …)"),
                      std::move(kinds));
    list->add_option("--call-id", options->call_id, "Only this call_id (or call_ids starting so)");
    list->add_option("--status", options->status, "Only this call status (completed, failed …)");
    list->add_flag("--json", options->json, "One JSON line per capture (the log format)");
    registrar.on_run(
        list, [options](const cli::Context& context) { return run_list(*options, context); });

    CLI::App* show = registrar.add_subcommand(
        app, "show", "One capture in full: headers, body, findings, transcript",
        "  blandhook captures show 12\n");
    add_log_option(show, *options);
    show->add_option("id", options->id, "Capture id (see 'captures list')")->required();
    show->add_flag("--json", options->json, "The capture as one JSON line");
    registrar.on_run(
        show, [options](const cli::Context& context) { return run_show(*options, context); });

    CLI::App* exporter = registrar.add_subcommand(
        app, "export", "A capture as a fixture file or a curl command",
        "  blandhook captures export 12 > fixtures/busy.json\n"
        "  blandhook captures export 12 --as fixture -o fixtures/busy.json\n"
        "  blandhook captures export 12 --as curl --url http://localhost:3000/webhook\n");
    add_log_option(exporter, *options);
    exporter->add_option("id", options->id, "Capture id (see 'captures list')")->required();
    registrar.choices(
        exporter->add_option("--as", options->as, "What to export as")->capture_default_str(),
        {"fixture", "curl"});
    CLI::Option* out =
        exporter->add_option("-o,--out", options->out, "Write to this file (default: stdout)")
            ->type_name("FILE");
    exporter
        ->add_flag("-O,--default-name", options->default_name,
                   "Write a fixture to capture-ID.json (export's default before 0.2)")
        ->excludes(out);
    exporter->add_flag("-f,--force", options->force, "Replace an existing file");
    exporter
        ->add_option("--url", options->url,
                     "For curl: where to send (the capture's path is added when URL has none)")
        ->capture_default_str();
    exporter->add_option("--secret", options->secret,
                         "For curl: sign with this secret (default: $BLAND_WEBHOOK_SECRET)");
    registrar.on_run(exporter, [options](const cli::Context&) { return run_export(*options); });
}

} // namespace blandhook::commands
