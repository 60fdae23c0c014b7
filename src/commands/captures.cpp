#include "commands/captures.hpp"

#include "cli/command.hpp"
#include "error.hpp"

namespace blandhook::commands {

// Interim registration while the command is being written; replaced by its real implementation.
void register_captures(cli::Registrar& registrar) {
    CLI::App* app = registrar.add_command("captures", "(in progress)", "");
    app->allow_extras();
    registrar.on_run(app, [](const cli::Context&) -> int {
        throw Error(ErrorKind::internal, "captures", "this command is not built yet");
    });
}

} // namespace blandhook::commands
