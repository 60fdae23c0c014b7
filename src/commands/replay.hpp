#pragma once
// `blandhook replay`: see src/commands/replay.cpp for its options, help and examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `replay` (and its subcommands) to the command tree.
void register_replay(cli::Registrar& registrar);

} // namespace blandhook::commands
