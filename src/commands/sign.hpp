#pragma once
// `blandhook sign` and `blandhook verify`: see src/commands/sign.cpp for their options, help and
// examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `sign` and `verify` to the command tree.
void register_sign(cli::Registrar& registrar);

} // namespace blandhook::commands
