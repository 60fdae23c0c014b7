#pragma once
// How a command plugs into the one registry (src/commands/registry.cpp). Each command lives in
// src/commands/NAME.{hpp,cpp}: an options struct, a `register_NAME(Registrar&)` that declares its
// subcommand, flags, help and examples, and a run function holding no domain logic of its own.
#include "util/secret.hpp"
#include "util/stop.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

namespace blandhook::cli {

/// What a command's run function gets besides its own options.
struct Context {
    bool color_stdout = false; ///< stdout is a TTY and NO_COLOR is unset
    bool color_stderr = false; ///< stderr is a TTY and NO_COLOR is unset
    /// Asked to stop by SIGINT/SIGTERM, for commands registered with OnSignal::request_stop;
    /// never stopped for the others (a signal ends them as usual).
    util::StopToken stop;
};

/// What SIGINT/SIGTERM do while a command runs.
enum class OnSignal {
    end_process,  ///< the default action: a one-shot command is simply ended
    request_stop, ///< Context::stop is stopped and the command winds down (reports, summary);
                  ///< a second signal ends the process at once with exit code 130
};

using RunFunction = std::function<int(const Context&)>;

class Registrar {
public:
    explicit Registrar(CLI::App& root) : m_root(root) {}

    /// Adds a top-level command with its one-line summary and an "Examples:" footer.
    CLI::App* add_command(const std::string& name, const std::string& summary,
                          const std::string& examples);
    /// Adds a subcommand below `parent` (for `fixtures list`, `captures show` …).
    CLI::App* add_subcommand(CLI::App* parent, const std::string& name, const std::string& summary,
                             const std::string& examples);
    /// Declares what runs when `app` is the deepest command on the command line.
    void on_run(CLI::App* app, RunFunction run, OnSignal on_signal = OnSignal::end_process);
    /// Restricts an option to fixed values and records them for completions and the man page.
    CLI::Option* choices(CLI::Option* option, std::vector<std::string> values);
    /// Records values the shell completions offer for an option or argument without restricting
    /// it to them (built-in fixture names besides files, `--match` keys).
    CLI::Option* suggest(CLI::Option* option, std::vector<std::string> values);

    CLI::App& root() { return m_root; }
    const RunFunction* run_function(const CLI::App* app) const;
    OnSignal on_signal(const CLI::App* app) const;

private:
    struct Run {
        RunFunction function;
        OnSignal on_signal = OnSignal::end_process;
    };
    CLI::App& m_root;
    std::map<const CLI::App*, Run> m_runs;
};

/// Adds the two options of one secret (`--secret S` and `--secret-file PATH`, or the API key's)
/// filling `input`; resolve them with util::resolve_secret, which also reads the environment.
/// `short_name` ("-s") is an extra spelling of the value option, "" for none.
void add_secret_options(CLI::App* app, util::SecretInput& input, const util::SecretKind& kind,
                        const std::string& what, const std::string& short_name = {});

/// Accepts `names` ("--save", "-k") as an older spelling of an option that was renamed: it fills
/// the same variable but stays out of help, completions and the man page, so scripts written for
/// the old name keep working while every place a user reads shows one vocabulary (docs/cli.md).
template <typename T>
CLI::Option* add_old_spelling(CLI::App* app, const std::string& names, T& variable) {
    CLI::Option* option = nullptr;
    if constexpr (std::is_same_v<T, bool>) {
        option = app->add_flag(names, variable);
    } else {
        option = app->add_option(names, variable);
    }
    return option->group("");
}

/// The fixed values recorded by Registrar::choices for an option, empty when it takes any value.
const std::vector<std::string>& option_choices(const CLI::Option* option);

/// The values recorded by Registrar::suggest for an option, empty when none.
const std::vector<std::string>& option_suggestions(const CLI::Option* option);

} // namespace blandhook::cli
