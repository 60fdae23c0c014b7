#pragma once
// `blandhook captures`: see src/commands/captures.cpp for its options, help and examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `captures` (and its subcommands) to the command tree.
void register_captures(cli::Registrar& registrar);

} // namespace blandhook::commands
