#include "cli/app.hpp"

#include "cli/build_info.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "error.hpp"
#include "term/style.hpp"

#include <algorithm>
#include <cstdio>
#include <fmt/core.h>
#include <optional>
#include <string_view>
#include <tuple>
#include <unistd.h>
#include <utility>
#include <vector>

namespace blandhook::cli {
namespace {

constexpr const char* k_description =
    "blandhook makes Bland AI post-call webhooks testable: capture and inspect them locally,\n"
    "replay them signed against your handler in CI, emulate Bland's API offline, and prove a\n"
    "real call's webhook arrives.";

constexpr const char* k_examples =
    R"(  blandhook listen                          capture webhooks on http://127.0.0.1:4000
  blandhook listen --forward-to http://localhost:3000/webhook --secret "$SECRET"
  blandhook replay builtin:all --to http://localhost:3000/webhook --report junit:report.xml
  blandhook emulate                          a local Bland API on :4001 that delivers webhooks
  blandhook fixtures list                     the built-in payload library
  blandhook sign --secret "$SECRET" body.json
)";

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The name among `names` closest to `typed` (at most two edits away), "" when none is: the
// "did you mean" of git and ninja.
std::string closest(const std::string& typed, const std::vector<std::string>& names) {
    std::string best;
    std::size_t best_distance = 3;
    for (const std::string& name : names) {
        if (name == typed) {
            return {};
        }
        std::size_t distance = edit_distance(typed, name);
        if (distance < best_distance) {
            best_distance = distance;
            best = name;
        }
    }
    return best;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        names.push_back(sub->get_name());
    }
    return names;
}

const CLI::App* find_subcommand(const CLI::App& app, const std::string& name) {
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_name() == name) {
            return sub;
        }
    }
    return nullptr;
}

// "did you mean" for a mistyped command.
std::string suggestion_for(const CLI::App& app, int argc, char** argv) {
    if (argc < 2 || argv[1][0] == '-') {
        return {};
    }
    return closest(argv[1], subcommand_names(app));
}

// The long option names (--name) a command accepts, its parents' included.
std::vector<std::string> long_options(const CLI::App* app) {
    std::vector<std::string> names;
    for (; app != nullptr; app = app->get_parent()) {
        for (const CLI::Option* option : app->get_options()) {
            for (const std::string& name : option->get_lnames()) {
                names.push_back("--" + name);
            }
        }
    }
    return names;
}

const CLI::App* deepest_parsed(const CLI::App* app) {
    for (const CLI::App* sub : app->get_subcommands()) {
        return deepest_parsed(sub);
    }
    return app;
}

// "captures list" for the `list` below `captures`: what the user types after `blandhook`.
std::string command_path(const CLI::App* app) {
    std::string path = app->get_name();
    for (const CLI::App* parent = app->get_parent();
         parent != nullptr && parent->get_parent() != nullptr; parent = parent->get_parent()) {
        path = fmt::format("{} {}", parent->get_name(), path);
    }
    return path;
}

// "did you mean" for the first word the command line did not match: a mistyped long option of
// the command (`replay --secert`) or a mistyped subcommand (`fixtures lsit`). Message and hint.
std::optional<std::pair<std::string, std::string>> typo_error(CLI::App& app,
                                                              const CLI::App* where) {
    const std::vector<std::string> extras = app.remaining(true);
    if (extras.empty()) {
        return std::nullopt;
    }
    const std::string& word = extras.front();
    if (word.starts_with("--")) {
        const std::string name = word.substr(0, word.find('='));
        if (std::string guess = closest(name, long_options(where)); !guess.empty()) {
            return std::pair{fmt::format("unknown option '{}'", name),
                             fmt::format("did you mean '{}'?", guess)};
        }
    } else if (word[0] != '-' && where->get_parent() != nullptr) {
        if (std::string guess = closest(word, subcommand_names(*where)); !guess.empty()) {
            const std::string path = command_path(where);
            return std::pair{fmt::format("unknown command '{} {}'", path, word),
                             fmt::format("did you mean 'blandhook {} {}'?", path, guess)};
        }
    }
    return std::nullopt;
}

// `blandhook help [COMMAND [SUBCOMMAND]]`: the same text as `blandhook COMMAND --help`, on stdout.
int print_help(const CLI::App& app, int argc, char** argv) {
    const CLI::App* target = &app;
    for (int i = 2; i < argc; ++i) {
        const CLI::App* sub = find_subcommand(*target, argv[i]);
        if (sub == nullptr) {
            std::string path = target == &app ? "" : command_path(target) + " ";
            std::string guess = closest(argv[i], subcommand_names(*target));
            print_error(Error(
                ErrorKind::usage, "usage", fmt::format("unknown command '{}{}'", path, argv[i]),
                guess.empty() ? fmt::format("run 'blandhook help {}' for the commands", path)
                              : fmt::format("did you mean 'blandhook help {}{}'?", path, guess)));
            return exit_code::k_usage;
        }
        target = sub;
    }
    // CLI11 names the usage line after `prev` and the command: "blandhook captures list".
    std::string prev = target->get_parent() == nullptr ? "" : "blandhook";
    if (target->get_parent() != nullptr && target->get_parent()->get_parent() != nullptr) {
        prev += " " + command_path(target->get_parent());
    }
    std::fputs(target->help(prev).c_str(), stdout);
    return exit_code::k_ok;
}

} // namespace

namespace {

// A command line CLI11 could not parse: the message, with "did you mean" where a guess is close.
int usage_error(CLI::App& app, int argc, char** argv, const CLI::ParseError& parse_error) {
    std::string hint = "run 'blandhook --help' for the commands and their options";
    std::string message = parse_error.what();
    const CLI::App* where = deepest_parsed(&app);
    if (std::string guess = suggestion_for(app, argc, argv); !guess.empty()) {
        message = fmt::format("unknown command '{}'", argv[1]);
        hint = fmt::format("did you mean 'blandhook {}'?", guess);
    } else if (auto typo = typo_error(app, where); typo) {
        std::tie(message, hint) = *typo;
    } else if (where != &app) {
        hint = fmt::format("run 'blandhook {} --help'", command_path(where));
    }
    print_error(Error(ErrorKind::usage, "usage", message, hint));
    return exit_code::k_usage;
}

// Runs the chosen command: the one place that turns an Error into its message and exit code.
int run_command(const RunFunction& run_function, OnSignal on_signal) {
    Context context;
    context.color_stdout = term::use_color(STDOUT_FILENO);
    context.color_stderr = term::use_color(STDERR_FILENO);
    // The one place SIGINT/SIGTERM become a stop request (before the command starts a thread).
    util::StopSource stop;
    std::optional<util::SignalStop> signals;
    if (on_signal == OnSignal::request_stop) {
        signals.emplace(stop, exit_code::k_interrupted);
        context.stop = stop.token();
    }
    try {
        return run_function(context);
    } catch (const Error& error) {
        print_error(error);
        return exit_code_for(error.kind());
    } catch (const std::bad_alloc&) {
        print_error(Error(ErrorKind::internal, "memory", "out of memory"));
        return exit_code::k_internal;
    } catch (const std::exception& unexpected) {
        print_error(Error(ErrorKind::internal, "internal", unexpected.what(),
                          "this is a bug in blandhook; please report it with the command you ran"));
        return exit_code::k_internal;
    }
}

} // namespace

// CLI11 2.1 reads "-1" into an unsigned option as its largest value (`listen --count -1` waited
// for 18446744073709551615 captures): every UINT option of the tree refuses a sign.
void refuse_negative_unsigned(CLI::App& app) {
    const auto is_unsigned = [](CLI::Option* option) { return option->get_type_name() == "UINT"; };
    for (CLI::Option* option : app.get_options(is_unsigned)) {
        option->check(CLI::Validator(
            [](std::string& value) {
                return value.starts_with('-') ? std::string("must be 0 or more") : std::string();
            },
            "", "non-negative"));
    }
    for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
        refuse_negative_unsigned(*command);
    }
}

void build_command_tree(CLI::App& app, Registrar& registrar, CommandList commands) {
    app.name("blandhook");
    app.description(k_description);
    app.footer(std::string("\nExamples:\n") + k_examples + "\n" + exit_codes_help());
    app.set_version_flag("--version", version_text(),
                         "Print the version, the commit and the build date, and exit");
    app.require_subcommand(1);
    app.fallthrough(false);
    commands(registrar);
    refuse_negative_unsigned(app);
}

int run(int argc, char** argv, CommandList commands) {
    // `blandhook --version` alone is answered before the command tree is built: building every
    // command's options is most of blandhook's own start-up (bench/RESULTS-startup.md), and
    // scripts and package managers call --version often. The text is the one CLI11 prints.
    if (argc == 2 && std::string_view(argv[1]) == "--version") {
        std::fputs((version_text() + "\n").c_str(), stdout);
        return exit_code::k_ok;
    }
    CLI::App app;
    Registrar registrar(app);
    build_command_tree(app, registrar, commands);
    // Bare `blandhook` and `blandhook help [COMMAND…]` print the help and succeed, as git, cargo
    // and stripe do.
    if (argc == 1) {
        std::fputs(app.help().c_str(), stdout);
        return exit_code::k_ok;
    }
    if (std::string_view(argv[1]) == "help") {
        return print_help(app, argc, argv);
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& parse_error) {
        if (parse_error.get_exit_code() == 0) {
            return app.exit(parse_error); // --help, --version
        }
        return usage_error(app, argc, argv, parse_error);
    }

    const CLI::App* chosen = deepest_parsed(&app);
    const RunFunction* run_function = registrar.run_function(chosen);
    if (run_function == nullptr) {
        // A command group such as `fixtures` or `captures` given without its subcommand.
        std::fputs(chosen->help().c_str(), stderr);
        return exit_code::k_usage;
    }
    return run_command(*run_function, registrar.on_signal(chosen));
}

} // namespace blandhook::cli
