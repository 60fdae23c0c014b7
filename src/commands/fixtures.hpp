#pragma once
// `blandhook fixtures`: see src/commands/fixtures.cpp for its options, help and examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `fixtures` (and its subcommands) to the command tree.
void register_fixtures(cli::Registrar& registrar);

} // namespace blandhook::commands
