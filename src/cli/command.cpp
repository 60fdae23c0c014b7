#include "cli/command.hpp"

namespace blandhook::cli {
namespace {

// Option pointers live as long as the App that owns them, which outlives every lookup.
std::map<const CLI::Option*, std::vector<std::string>>& choices_table() {
    static std::map<const CLI::Option*, std::vector<std::string>> table;
    return table;
}

std::string examples_footer(const std::string& examples) {
    return examples.empty() ? std::string{} : "\nExamples:\n" + examples;
}

} // namespace

CLI::App* Registrar::add_command(const std::string& name, const std::string& summary,
                                 const std::string& examples) {
    return add_subcommand(&m_root, name, summary, examples);
}

CLI::App* Registrar::add_subcommand(CLI::App* parent, const std::string& name,
                                    const std::string& summary, const std::string& examples) {
    CLI::App* app = parent->add_subcommand(name, summary);
    app->footer(examples_footer(examples));
    return app;
}

void Registrar::on_run(CLI::App* app, RunFunction run) {
    m_runs[app] = std::move(run);
}

CLI::Option* Registrar::choices(CLI::Option* option, std::vector<std::string> values) {
    option->check(CLI::IsMember(values));
    choices_table()[option] = std::move(values);
    return option;
}

const RunFunction* Registrar::run_function(const CLI::App* app) const {
    auto it = m_runs.find(app);
    return it == m_runs.end() ? nullptr : &it->second;
}

const std::vector<std::string>& option_choices(const CLI::Option* option) {
    static const std::vector<std::string> none;
    auto it = choices_table().find(option);
    return it == choices_table().end() ? none : it->second;
}

} // namespace blandhook::cli
