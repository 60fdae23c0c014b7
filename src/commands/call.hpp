#pragma once
// `blandhook call`: see src/commands/call.cpp for its options, help and examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `call` (and its subcommands) to the command tree.
void register_call(cli::Registrar& registrar);

} // namespace blandhook::commands
