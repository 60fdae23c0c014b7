#pragma once
// The one visible list of blandhook's commands. Adding a command means adding one line to
// register_all_commands() in registry.cpp, and its file pair in src/commands/. main() hands this
// list to cli::run, so that cli/ never includes a command (docs/architecture.md).

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Registers every command, in the order `blandhook --help` lists them (a cli::CommandList).
void register_all_commands(cli::Registrar& registrar);

} // namespace blandhook::commands
