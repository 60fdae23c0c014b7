#pragma once
// The entry point behind main(): builds the command tree from the list main() hands it, parses
// argv, runs the chosen command and is the one place that turns errors into messages and exit
// codes.

namespace CLI {
class App;
}

namespace blandhook::cli {

class Registrar;

/// Registers every command on a registrar: the list lives above cli/ (commands/registry.cpp) and
/// is handed down by main(), so cli/ runs commands without including any of them.
using CommandList = void (*)(Registrar&);

/// Parses argv, runs the command, returns the process exit code (src/cli/exit_codes.hpp).
int run(int argc, char** argv, CommandList commands);

/// Builds the full command tree of `commands` into `app`, recording run functions in `registrar`.
/// Used by run() and by the generators of completions and the man page, so all three see one
/// description.
void build_command_tree(CLI::App& app, Registrar& registrar, CommandList commands);

} // namespace blandhook::cli
