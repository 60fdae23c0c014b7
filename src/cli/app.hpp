#pragma once
// The entry point behind main(): builds the command tree, parses argv, runs the chosen command and
// is the one place that turns errors into messages and exit codes.

namespace CLI {
class App;
}

namespace blandhook::cli {

class Registrar;

/// Parses argv, runs the command, returns the process exit code (src/cli/exit_codes.hpp).
int run(int argc, char** argv);

/// Builds the full command tree into `app`, recording run functions in `registrar`. Used by run()
/// and by the generators of completions and the man page, so all three see one description.
void build_command_tree(CLI::App& app, Registrar& registrar);

} // namespace blandhook::cli
