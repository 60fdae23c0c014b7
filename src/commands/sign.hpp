#pragma once
// `blandhook sign`: see src/commands/sign.cpp for its options, help and examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `sign` (and its subcommands) to the command tree.
void register_sign(cli::Registrar& registrar);

} // namespace blandhook::commands
