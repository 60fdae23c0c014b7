#include "commands/completions.hpp"

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/generate.hpp"
#include "commands/registry.hpp"

#include <cstdio>
#include <memory>
#include <string>

namespace blandhook::commands {
namespace {

struct CompletionsOptions {
    std::string shell;
};

// The generators walk a freshly built tree rather than the one being parsed, so that the output
// never depends on what this command line happened to contain.
std::string from_fresh_tree(const std::function<std::string(const CLI::App&)>& generate) {
    CLI::App app;
    cli::Registrar registrar(app);
    cli::build_command_tree(app, registrar, register_all_commands);
    return generate(app);
}

int run_completions(const CompletionsOptions& options) {
    cli::Shell shell = cli::Shell::bash;
    if (options.shell == "zsh") {
        shell = cli::Shell::zsh;
    } else if (options.shell == "fish") {
        shell = cli::Shell::fish;
    }
    const std::string script = from_fresh_tree(
        [shell](const CLI::App& root) { return cli::completion_script(root, shell); });
    std::fwrite(script.data(), 1, script.size(), stdout);
    return cli::exit_code::k_ok;
}

int run_manpage() {
    const std::string page = from_fresh_tree(cli::man_page);
    std::fwrite(page.data(), 1, page.size(), stdout);
    return cli::exit_code::k_ok;
}

} // namespace

void register_completions(cli::Registrar& registrar) {
    auto options = std::make_shared<CompletionsOptions>();
    CLI::App* app = registrar.add_command(
        "completions", "Print shell completions for bash, zsh or fish",
        R"(  blandhook completions bash > ~/.local/share/bash-completion/completions/blandhook
  blandhook completions zsh > "${fpath[1]}/_blandhook"
  blandhook completions fish > ~/.config/fish/completions/blandhook.fish
  source <(blandhook completions bash)        just for this shell
)");
    registrar.choices(
        app->add_option("shell", options->shell, "The shell to complete for")->required(),
        {"bash", "zsh", "fish"});
    registrar.on_run(app, [options](const cli::Context&) { return run_completions(*options); });

    // Hidden: the build runs it to produce blandhook.1 (see CMakeLists.txt).
    CLI::App* manpage = registrar.add_command(
        "manpage", "Print the man page (roff) generated from the command tree", "");
    manpage->group("");
    registrar.on_run(manpage, [](const cli::Context&) { return run_manpage(); });
}

} // namespace blandhook::commands
