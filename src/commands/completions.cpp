#include "commands/completions.hpp"

#include "cli/command.hpp"
#include "error.hpp"

namespace blandhook::commands {

// Interim registration while the command is being written; replaced by its real implementation.
void register_completions(cli::Registrar& registrar) {
    CLI::App* app = registrar.add_command("completions", "(in progress)", "");
    app->allow_extras();
    registrar.on_run(app, [](const cli::Context&) -> int {
        throw Error(ErrorKind::internal, "completions", "this command is not built yet");
    });
}

} // namespace blandhook::commands
