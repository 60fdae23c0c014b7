#include "cli/app.hpp"
#include "commands/registry.hpp"

// The top of the layers: hands argv and the list of commands to the CLI (docs/architecture.md).
int main(int argc, char** argv) {
    return blandhook::cli::run(argc, argv, blandhook::commands::register_all_commands);
}
