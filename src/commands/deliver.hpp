#pragma once
// `blandhook deliver`: see src/commands/deliver.cpp for its options, help and examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `deliver` to the command tree.
void register_deliver(cli::Registrar& registrar);

} // namespace blandhook::commands
