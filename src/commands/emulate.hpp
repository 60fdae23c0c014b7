#pragma once
// `blandhook emulate`: see src/commands/emulate.cpp for its options, help and examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `emulate` (and its subcommands) to the command tree.
void register_emulate(cli::Registrar& registrar);

} // namespace blandhook::commands
