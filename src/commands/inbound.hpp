#pragma once
// `blandhook inbound`: see src/commands/inbound.cpp for its options, help and examples.

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `inbound` (list, show, set-webhook, restore) to the command tree.
void register_inbound(cli::Registrar& registrar);

} // namespace blandhook::commands
