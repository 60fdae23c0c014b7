#pragma once
// Shell completions and the man page, generated from the one command tree (cli::build_command_tree)
// so that help, completions and `man blandhook` can never disagree about commands and options.
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace blandhook::cli {

enum class Shell { bash, zsh, fish };

/// "bash", "zsh", "fish".
std::string_view shell_name(Shell shell);

/// The completion script for `shell` covering every visible command, subcommand and option of
/// `root`, the fixed values recorded through Registrar::choices, and file completion where an
/// option or argument takes a path (type name FILE, PATH or DIR). Deterministic output.
std::string completion_script(const CLI::App& root, Shell shell);

/// A roff man page (section 1) for `root`: NAME, SYNOPSIS, DESCRIPTION, COMMANDS with their
/// options, EXIT STATUS (src/cli/exit_codes.hpp), ENVIRONMENT, EXAMPLES. Deterministic output.
std::string man_page(const CLI::App& root);

} // namespace blandhook::cli
