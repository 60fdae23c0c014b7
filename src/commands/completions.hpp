#pragma once
// `blandhook completions`: see src/commands/completions.cpp for its options, help and examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `completions` and the hidden `manpage` to the command tree.
void register_completions(cli::Registrar& registrar);

} // namespace blandhook::commands
