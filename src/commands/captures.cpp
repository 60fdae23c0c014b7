#include "commands/captures.hpp"

#include "capture/call_story.hpp"
#include "capture/export.hpp"
#include "capture/history.hpp"
#include "capture/maintenance.hpp"
#include "capture/search.hpp"
#include "capture/store.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "listen/display.hpp"
#include "payload/kind.hpp"
#include "util/secret.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/core.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace blandhook::commands {
namespace {

constexpr const char* k_examples =
    R"(  blandhook captures list                       the newest 20 captures
  blandhook captures list --kind post-call --count 5
  blandhook captures list --grep '+15551234567' --since 7d   search the whole history
  blandhook captures show 12                     headers, pretty body, findings, transcript
  blandhook captures show 12 --json | jq .payload
  blandhook captures export 12 --as fixture -o fixtures/my-call.json
  blandhook captures export 12 --as curl --url http://localhost:3000/webhook | sh
  blandhook captures call 7f3c2a9e-…                  one call's captures and the delayed diff
  blandhook captures stats                            count, bytes, kinds, per day
  blandhook captures prune --keep 10000               drop all but the newest 10000
)";

struct CapturesOptions {
    std::string log;
    // list
    std::size_t limit = 20;
    std::string kind;
    std::string call_id;
    std::string status;
    std::string grep;
    std::string since;
    std::string until;
    bool json = false;
    // show / export
    std::uint64_t id = 0;
    std::string as = "fixture";
    std::string out;
    bool default_name = false; // -O: capture-ID.json, what a fixture export wrote before 0.2
    bool force = false;
    std::string url = "http://127.0.0.1:4000";
    util::SecretInput secret;
    // call
    std::string call;
    // prune
    std::string prune_before;
    std::optional<std::uint64_t> keep;
    bool dry_run = false;
};

std::string log_path(const CapturesOptions& options) {
    return options.log.empty() ? capture::default_log_path() : options.log;
}

// The log and its rotated segments; a missing log is an input error with a hint.
capture::History open_history(const CapturesOptions& options) {
    const std::string path = log_path(options);
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
        throw Error(ErrorKind::input, "capture log",
                    "cannot open " + path + ": it is a directory, not a file",
                    "name the log file itself with --log PATH");
    }
    capture::History history(path);
    if (!history.exists()) {
        throw Error(ErrorKind::input, "capture log",
                    "cannot open " + path + ": " + std::strerror(ENOENT),
                    "run 'blandhook listen' first, or name the log with --log PATH");
    }
    history.on_bad_line([](const std::string& where, const std::string& message) {
        cli::print_warning(fmt::format("capture log: {}: line skipped: {}", where, message));
    });
    return history;
}

capture::Capture find_capture(const CapturesOptions& options) {
    std::optional<capture::Capture> found = open_history(options).get(options.id);
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
    // Captured data (phone numbers, transcripts): readable by its owner only, like the log.
    const int fd = ::open(path.c_str(), flags, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            throw Error(ErrorKind::input, path, "already exists",
                        "pass --force to replace it, or choose another name with -o");
        }
        throw Error(ErrorKind::input, path, std::string("cannot write: ") + std::strerror(errno));
    }
    const ssize_t written = ::write(fd, text.data(), text.size());
    ::close(fd);
    if (std::cmp_not_equal(written, text.size())) {
        throw Error(ErrorKind::internal, path, "short write (disk full?)");
    }
}

int run_list(const CapturesOptions& options, const cli::Context& context) {
    capture::Filter filter;
    filter.kind = options.kind;
    filter.call_id = options.call_id;
    filter.status = options.status;
    filter.text = options.grep;
    const auto now = std::chrono::system_clock::now();
    if (!options.since.empty()) {
        filter.since = capture::parse_when(options.since, "--since", now);
    }
    if (!options.until.empty()) {
        filter.until = capture::parse_when(options.until, "--until", now);
    }
    filter.limit = options.limit;
    const std::vector<capture::Capture> newest = open_history(options).newest(filter);
    listen::DisplayOptions display;
    display.color = context.color_stdout;
    display.width = listen::line_width(STDOUT_FILENO);
    display.findings = false;
    for (const capture::Capture& capture : newest) {
        const std::string text = options.json ? capture::to_json_line(capture) + "\n"
                                              : listen::format_capture(capture, display);
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
    display.width = listen::line_width(STDOUT_FILENO);
    display.headers = true;
    display.body = true;
    display.transcript = true;
    display.max_findings = 1000;
    std::fputs(listen::format_capture(capture, display).c_str(), stdout);
    return cli::exit_code::k_ok;
}

int run_export(const CapturesOptions& options) {
    if (options.as == "curl") {
        http::parse_url(options.url, "--url");
    }
    const capture::Capture capture = find_capture(options);
    if (options.as == "curl") {
        if (options.default_name) {
            throw Error(ErrorKind::usage, "-O",
                        "names a fixture file; a curl command goes to stdout",
                        "use -o FILE to write the curl command to a file");
        }
        const std::string secret = util::resolve_secret(options.secret, util::k_webhook_secret);
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

std::string json_text(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string human_bytes(std::uint64_t bytes) {
    if (bytes < 1024) {
        return fmt::format("{} B", bytes);
    }
    const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes) / 1024;
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    return fmt::format("{:.1f} {}", value, units[unit]);
}

int run_call(const CapturesOptions& options, const cli::Context& context) {
    const capture::CallStory story = capture::call_story(open_history(options), options.call);
    if (options.json) {
        const auto row = [](const capture::Capture& capture) {
            return nlohmann::json::parse(capture::to_json_line(capture));
        };
        std::fputs((json_text(capture::call_story_json(story, row)) + "\n").c_str(), stdout);
        return story.captures.empty() ? cli::exit_code::k_input : cli::exit_code::k_ok;
    }
    if (story.captures.empty()) {
        throw Error(ErrorKind::input, "call " + options.call, "no capture in " + log_path(options),
                    "give the whole call_id; 'blandhook captures list --call-id PREFIX' finds it");
    }
    std::string out =
        fmt::format("call {}: {} capture{}, {} to {}\n", story.call_id, story.captures.size(),
                    story.captures.size() == 1 ? "" : "s", story.captures.front().received_at,
                    story.captures.back().received_at);
    listen::DisplayOptions display;
    display.color = context.color_stdout;
    display.width = listen::line_width(STDOUT_FILENO) - 2; // each line is indented by two
    display.findings = false;
    for (const capture::Capture& capture : story.captures) {
        out += "  " + listen::format_capture(capture, display);
    }
    if (story.post_call_id && story.delayed_id) {
        out += fmt::format("post-call #{} -> delayed #{}: {} change{}\n", *story.post_call_id,
                           *story.delayed_id, story.changes.size(),
                           story.changes.size() == 1 ? "" : "s");
        for (const capture::BodyChange& change : story.changes) {
            const std::string pointer = change.pointer.empty() ? "(whole body)" : change.pointer;
            const auto cut = [](const nlohmann::json& value) {
                std::string text = json_text(value);
                return text.size() > 100 ? text.substr(0, 97) + "..." : text;
            };
            if (change.op == "add") {
                out += fmt::format("  + {}: {}\n", pointer, cut(change.after));
            } else if (change.op == "remove") {
                out += fmt::format("  - {}: {}\n", pointer, cut(change.before));
            } else {
                out += fmt::format("  ~ {}: {} -> {}\n", pointer, cut(change.before),
                                   cut(change.after));
            }
        }
    } else if (story.post_call_id) {
        out += fmt::format("post-call #{}; no delayed post-call captured\n", *story.post_call_id);
    }
    std::fputs(out.c_str(), stdout);
    return cli::exit_code::k_ok;
}

int run_stats(const CapturesOptions& options) {
    const capture::LogStats stats = capture::log_stats(open_history(options));
    if (options.json) {
        nlohmann::json days = nlohmann::json::object();
        for (const auto& [day, counts] : stats.days) {
            days[day] = {{"captures", counts.captures}, {"bytes", counts.bytes}};
        }
        const nlohmann::json out = {
            {"log", log_path(options)},
            {"captures", stats.captures},
            {"bytes_on_disk", stats.bytes_on_disk},
            {"line_bytes", stats.line_bytes},
            {"segments", stats.segments},
            {"compressed_segments", stats.compressed_segments},
            {"first_id", stats.first_id ? nlohmann::json(*stats.first_id) : nullptr},
            {"last_id", stats.last_id ? nlohmann::json(*stats.last_id) : nullptr},
            {"first_received_at", stats.first_time},
            {"last_received_at", stats.last_time},
            {"kinds", stats.kinds},
            {"days", std::move(days)}};
        std::fputs((json_text(out) + "\n").c_str(), stdout);
        return cli::exit_code::k_ok;
    }
    std::string out = fmt::format("{}\n  captures  {}", log_path(options), stats.captures);
    if (stats.first_id && stats.last_id) {
        out += fmt::format(" (ids {} to {}, {} to {})", *stats.first_id, *stats.last_id,
                           stats.first_time, stats.last_time);
    }
    out += fmt::format("\n  on disk   {} in {} file{} ({} compressed); {} uncompressed\n",
                       human_bytes(stats.bytes_on_disk), stats.segments,
                       stats.segments == 1 ? "" : "s", stats.compressed_segments,
                       human_bytes(stats.line_bytes));
    out += "  kinds\n";
    for (const auto& [kind, count] : stats.kinds) {
        out += fmt::format("    {:<20} {:>10}\n", kind, count);
    }
    out += "  per day (UTC)\n";
    for (const auto& [day, counts] : stats.days) {
        out += fmt::format("    {}  {:>10}  {:>10}\n", day, counts.captures,
                           human_bytes(counts.bytes));
    }
    std::fputs(out.c_str(), stdout);
    return cli::exit_code::k_ok;
}

int run_prune(const CapturesOptions& options) {
    if (options.prune_before.empty() == !options.keep.has_value()) {
        throw Error(ErrorKind::usage, "captures prune", "give one of --before WHEN or --keep N",
                    "blandhook captures prune --before 30d, or --keep 10000");
    }
    const capture::History history = open_history(options);
    std::optional<std::uint64_t> keep_from;
    if (options.keep) {
        keep_from = *options.keep == 0 ? history.last_id().value_or(0) + 1
                                       : history.nth_newest_id(*options.keep);
    } else {
        const std::string when =
            capture::parse_when(options.prune_before, "--before", std::chrono::system_clock::now());
        keep_from = capture::first_id_since(history, when);
        if (!keep_from) {
            keep_from = history.last_id().value_or(0) + 1; // every capture is older
        }
    }
    if (!keep_from) {
        std::fprintf(stderr, "nothing to prune: the log holds %llu captures or fewer\n",
                     static_cast<unsigned long long>(*options.keep));
        return cli::exit_code::k_ok;
    }
    const capture::PruneResult result =
        capture::prune(log_path(options), *keep_from,
                       options.dry_run ? capture::PruneMode::dry_run : capture::PruneMode::apply);
    std::fprintf(stderr, "%s %llu capture%s (ids below %llu)%s; %llu kept\n",
                 options.dry_run ? "would remove" : "removed",
                 static_cast<unsigned long long>(result.removed), result.removed == 1 ? "" : "s",
                 static_cast<unsigned long long>(*keep_from),
                 options.dry_run ? "" : (", freed " + human_bytes(result.bytes_freed)).c_str(),
                 static_cast<unsigned long long>(result.kept));
    if (result.left_in_active > 0) {
        cli::print_warning(fmt::format(
            "{} older capture{} left in {}: a listener is writing it; they go once it rotates "
            "(listen --max-log-size) or after the listener stops",
            result.left_in_active, result.left_in_active == 1 ? "" : "s", log_path(options)));
    }
    return cli::exit_code::k_ok;
}

// A subcommand of `captures` reading the capture log (--log FILE).
CLI::App* add_log_subcommand(cli::Registrar& registrar, CLI::App* captures, const char* name,
                             const char* summary, const char* examples, CapturesOptions& options) {
    CLI::App* app = registrar.add_subcommand(captures, name, summary, examples);
    app->add_option("--log", options.log,
                    "Capture log to read (default: $XDG_STATE_HOME/blandhook/captures.ndjson)")
        ->type_name("FILE");
    return app;
}

void register_list(cli::Registrar& registrar, CLI::App* captures,
                   const std::shared_ptr<CapturesOptions>& options) {
    CLI::App* list =
        add_log_subcommand(registrar, captures, "list", "The newest captures, one line each",
                           "  blandhook captures list --count 50 --kind "
                           "post-call\n",
                           *options);
    list->add_option("-n,--count", options->limit, "How many of the newest captures to list")
        ->capture_default_str();
    cli::add_old_spelling(list, "--limit", options->limit);
    std::vector<std::string> kinds;
    kinds.reserve(std::size(payload::k_schema_kinds) + 1);
    for (payload::Kind kind : payload::k_schema_kinds) {
        kinds.emplace_back(payload::kind_name(kind));
    }
    kinds.emplace_back(payload::kind_name(payload::Kind::unknown));
    registrar.suggest(list->add_option("--kind", options->kind,
                                       "Only this payload kind (post-call, live-event …)"),
                      std::move(kinds));
    list->add_option("--call-id", options->call_id, "Only this call_id (or call_ids starting so)");
    list->add_option("--call-status", options->status,
                     "Only this call status (completed, failed …)");
    cli::add_old_spelling(list, "--status", options->status);
    list->add_option("--grep", options->grep,
                     "Only captures whose path, query, headers or body hold TEXT (ignoring case)");
    list->add_option("--since", options->since,
                     "Only captures received at or after WHEN: a UTC time (2026-11-27, "
                     "2026-11-27T10:06) or a duration ago (90s, 15m, 2h, 7d)");
    list->add_option("--until", options->until, "Only captures received before WHEN (as --since)");
    list->add_flag("--json", options->json, "One JSON line per capture (the log format)");
    registrar.on_run(
        list, [options](const cli::Context& context) { return run_list(*options, context); });
}

void register_export(cli::Registrar& registrar, CLI::App* captures,
                     const std::shared_ptr<CapturesOptions>& options) {
    CLI::App* exporter = add_log_subcommand(
        registrar, captures, "export", "A capture as a fixture file or a curl command",
        "  blandhook captures export 12 > fixtures/busy.json\n"
        "  blandhook captures export 12 --as fixture -o fixtures/busy.json\n"
        "  blandhook captures export 12 --as curl --url http://localhost:3000/webhook\n",
        *options);
    exporter->add_option("id", options->id, "Capture id (see 'captures list')")->required();
    registrar.choices(
        exporter->add_option("--as", options->as, "What to export as")->capture_default_str(),
        {"fixture", "curl"});
    CLI::Option* out =
        exporter->add_option("-o,--output", options->out, "Write to this file (default: stdout)")
            ->type_name("FILE");
    CLI::Option* old_out = cli::add_old_spelling(exporter, "--out", options->out);
    exporter
        ->add_flag("-O,--default-name", options->default_name,
                   "Write a fixture to capture-ID.json (export's default before 0.2)")
        ->excludes(out)
        ->excludes(old_out);
    exporter->add_flag("-f,--force", options->force, "Replace an existing file");
    exporter
        ->add_option("--url", options->url,
                     "For curl: where to send (the capture's path is added when URL has none)")
        ->capture_default_str();
    cli::add_secret_options(exporter, options->secret, util::k_webhook_secret,
                            "For curl: sign with this secret");
    registrar.on_run(exporter, [options](const cli::Context&) { return run_export(*options); });
}

void register_prune(cli::Registrar& registrar, CLI::App* captures,
                    const std::shared_ptr<CapturesOptions>& options) {
    CLI::App* prune = add_log_subcommand(
        registrar, captures, "prune", "Remove the oldest captures from the log (every segment)",
        "  blandhook captures prune --before 30d\n  blandhook captures prune --keep 10000 "
        "--dry-run\n",
        *options);
    prune->add_option("--before", options->prune_before,
                      "Remove captures received before WHEN: a UTC time (2026-11-27) or a "
                      "duration ago (30d, 12h)");
    prune->add_option("--keep", options->keep, "Keep only the newest N captures");
    prune->add_flag("--dry-run", options->dry_run, "Say what would go; change nothing");
    registrar.on_run(prune, [options](const cli::Context&) { return run_prune(*options); });
}

} // namespace

void register_captures(cli::Registrar& registrar) {
    auto options = std::make_shared<CapturesOptions>();
    CLI::App* app = registrar.add_command(
        "captures", "List, show and export what 'blandhook listen' captured", k_examples);
    app->require_subcommand(0, 1);
    register_list(registrar, app, options);

    CLI::App* show = add_log_subcommand(registrar, app, "show",
                                        "One capture in full: headers, body, findings, transcript",
                                        "  blandhook captures show 12\n", *options);
    show->add_option("id", options->id, "Capture id (see 'captures list')")->required();
    show->add_flag("--json", options->json, "The capture as one JSON line");
    registrar.on_run(
        show, [options](const cli::Context& context) { return run_show(*options, context); });

    register_export(registrar, app, options);

    CLI::App* call = add_log_subcommand(
        registrar, app, "call",
        "Everything captured for one call, in order, and what the delayed webhook changed",
        "  blandhook captures call 7f3c2a9e-5b1d-4c8e-9f0a-1b2c3d4e5f60\n", *options);
    call->add_option("call_id", options->call, "The call_id (see 'captures list')")->required();
    call->add_flag("--json", options->json,
                   "One JSON object: captures (log lines), post_call_id, delayed_id, changes");
    registrar.on_run(
        call, [options](const cli::Context& context) { return run_call(*options, context); });

    CLI::App* stats = add_log_subcommand(
        registrar, app, "stats", "What the capture log holds: captures, bytes, kinds, per day",
        "  blandhook captures stats\n  blandhook captures stats --json | jq .kinds\n", *options);
    stats->add_flag("--json", options->json, "One JSON object");
    registrar.on_run(stats, [options](const cli::Context&) { return run_stats(*options); });

    register_prune(registrar, app, options);
}

} // namespace blandhook::commands
