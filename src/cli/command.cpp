#include "cli/command.hpp"

namespace blandhook::cli {
namespace {

// Option pointers live as long as the App that owns them, which outlives every lookup.
using ValuesTable = std::map<const CLI::Option*, std::vector<std::string>>;

ValuesTable& choices_table() {
    static ValuesTable table;
    return table;
}

ValuesTable& suggestions_table() {
    static ValuesTable table;
    return table;
}

const std::vector<std::string>& lookup(const ValuesTable& table, const CLI::Option* option) {
    static const std::vector<std::string> none;
    auto it = table.find(option);
    return it == table.end() ? none : it->second;
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

void Registrar::on_run(CLI::App* app, RunFunction run, OnSignal on_signal) {
    m_runs[app] = Run{std::move(run), on_signal};
}

CLI::Option* Registrar::choices(CLI::Option* option, std::vector<std::string> values) {
    option->check(CLI::IsMember(values));
    choices_table()[option] = std::move(values);
    return option;
}

const RunFunction* Registrar::run_function(const CLI::App* app) const {
    auto it = m_runs.find(app);
    return it == m_runs.end() ? nullptr : &it->second.function;
}

OnSignal Registrar::on_signal(const CLI::App* app) const {
    auto it = m_runs.find(app);
    return it == m_runs.end() ? OnSignal::end_process : it->second.on_signal;
}

CLI::Option* Registrar::suggest(CLI::Option* option, std::vector<std::string> values) {
    suggestions_table()[option] = std::move(values);
    return option;
}

const std::vector<std::string>& option_choices(const CLI::Option* option) {
    return lookup(choices_table(), option);
}

const std::vector<std::string>& option_suggestions(const CLI::Option* option) {
    return lookup(suggestions_table(), option);
}

void add_secret_options(CLI::App* app, util::SecretInput& input, const util::SecretKind& kind,
                        const std::string& what, const std::string& short_name) {
    const std::string option(kind.option);
    const std::string file_option(kind.file_option);
    const std::string env(kind.env);
    app->add_option((short_name.empty() ? "" : short_name + ",") + option, input.value,
                    what + " (default: $" + env + "; prefer it or " + file_option +
                        ": other local users see command lines)")
        ->type_name("TEXT");
    app->add_option(file_option, input.file,
                    "Read the " + std::string(kind.noun) +
                        " from this file (its last line break is "
                        "ignored; - reads stdin)")
        ->type_name("FILE");
}

} // namespace blandhook::cli
