#pragma once
// The one visible list of blandhook's commands. Adding a command means adding one line to
// register_all_commands() in registry.cpp, and its file pair in src/commands/.

namespace blandhook::cli {

class Registrar;

/// Registers every command, in the order `blandhook --help` lists them.
void register_all_commands(Registrar& registrar);

} // namespace blandhook::cli
