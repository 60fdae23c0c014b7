#pragma once
// `blandhook listen`: see src/commands/listen.cpp for its options, help and examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `listen` (and its subcommands) to the command tree.
void register_listen(cli::Registrar& registrar);

} // namespace blandhook::commands
