#include "commands/fixtures.hpp"

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "error.hpp"
#include "payload/analysis.hpp"
#include "payload/fixtures.hpp"
#include "payload/kind.hpp"
#include "term/style.hpp"
#include "util/files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/core.h>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace blandhook::commands {
namespace {

struct FixturesOptions {
    bool list_json = false;
    std::string show_name;
    std::vector<std::string> validate_files;
    std::string validate_kind;
    bool validate_json = false;
    std::string schema_kind = "post-call";
};

std::vector<std::string> schema_kind_names() {
    std::vector<std::string> names;
    names.reserve(std::size(payload::k_schema_kinds));
    for (payload::Kind kind : payload::k_schema_kinds) {
        names.emplace_back(payload::kind_name(kind));
    }
    return names;
}

// ------------------------------------------------------------------------------------------ list

int run_list(const FixturesOptions& options, const cli::Context& context) {
    const auto fixtures = payload::builtin_fixtures();
    if (options.list_json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& fixture : fixtures) {
            out.push_back({{"name", fixture.name},
                           {"kind", payload::kind_name(fixture.kind)},
                           {"modelled", fixture.modelled},
                           {"description", fixture.description},
                           {"bytes", payload::fixture_body(fixture.name).value_or("").size()}});
        }
        fmt::print("{}\n", out.dump(2));
        return cli::exit_code::k_ok;
    }
    std::size_t name_width = 4;
    std::size_t kind_width = 4;
    for (const auto& fixture : fixtures) {
        name_width = std::max(name_width, fixture.name.size());
        kind_width = std::max(kind_width, payload::kind_name(fixture.kind).size());
    }
    const std::string header = fmt::format("{:<{}}  {:<{}}  {:<8}  {}", "NAME", name_width, "KIND",
                                           kind_width, "MODELLED", "DESCRIPTION");
    fmt::print("{}\n", term::paint(header, term::Style::bold, context.color_stdout));
    for (const auto& fixture : fixtures) {
        fmt::print("{:<{}}  {:<{}}  {:<8}  {}\n", fixture.name, name_width,
                   payload::kind_name(fixture.kind), kind_width, fixture.modelled ? "yes" : "no",
                   fixture.description);
    }
    fmt::print("\nmodelled: Bland never published an example of this case; the fixture is our "
               "best model.\n");
    return cli::exit_code::k_ok;
}

// ------------------------------------------------------------------------------------------ show

int run_show(const FixturesOptions& options) {
    const std::optional<std::string_view> body = payload::fixture_body(options.show_name);
    if (!body) {
        throw Error(ErrorKind::usage, "fixtures show",
                    fmt::format("no fixture named '{}'", options.show_name),
                    "run 'blandhook fixtures list' for the names");
    }
    std::fwrite(body->data(), 1, body->size(), stdout);
    return cli::exit_code::k_ok;
}

// -------------------------------------------------------------------------------------- validate

struct FileReport {
    std::string file;
    std::optional<std::string> input_error; ///< unreadable or not JSON
    payload::Kind kind = payload::Kind::unknown;
    std::vector<payload::Finding> findings;
};

FileReport validate_file(const std::string& file, std::optional<payload::Kind> forced_kind) {
    FileReport report;
    report.file = util::input_name(file);
    std::string body;
    if (file.starts_with("builtin:")) {
        const auto embedded = payload::fixture_body(std::string_view(file).substr(8));
        if (!embedded) {
            report.input_error = "no such built-in fixture (see 'blandhook fixtures list')";
            return report;
        }
        body = std::string(*embedded);
    } else if (auto error = util::read_whole_file(file, body)) {
        report.input_error = "cannot read: " + *error;
        return report;
    }
    const payload::Analysis analysis = payload::analyze(body);
    if (!analysis.is_json) {
        report.input_error = "not JSON: " + analysis.json_error;
        return report;
    }
    report.kind = forced_kind.value_or(analysis.kind);
    if (report.kind == payload::Kind::unknown) {
        report.findings.push_back(
            {"", payload::Severity::error,
             "not a body Bland sends (no post-call, citations-event or live-event fields); pass "
             "--kind to validate it as one"});
        return report;
    }
    report.findings = forced_kind ? payload::validate(body, forced_kind) : analysis.findings;
    return report;
}

void print_text_report(const FileReport& report, const cli::Context& context) {
    const std::string error_label = term::paint("error:", term::Style::red, context.color_stdout);
    const std::string warning_label =
        term::paint("warning:", term::Style::yellow, context.color_stdout);
    if (report.input_error) {
        fmt::print("{}: {} {}\n", report.file, error_label, *report.input_error);
        return;
    }
    for (const auto& finding : report.findings) {
        const std::string& label =
            finding.severity == payload::Severity::error ? error_label : warning_label;
        if (finding.pointer.empty()) {
            fmt::print("{}: {} {}\n", report.file, label, finding.message);
        } else {
            fmt::print("{}: {} {}: {}\n", report.file, label, finding.pointer, finding.message);
        }
    }
}

nlohmann::json report_json(const FileReport& report) {
    nlohmann::json out = {{"file", report.file}};
    if (report.input_error) {
        out["input_error"] = *report.input_error;
        out["kind"] = nullptr;
    } else {
        out["kind"] = payload::kind_name(report.kind);
    }
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& finding : report.findings) {
        findings.push_back({{"pointer", finding.pointer},
                            {"severity", payload::severity_name(finding.severity)},
                            {"message", finding.message}});
    }
    out["findings"] = std::move(findings);
    return out;
}

int run_validate(const FixturesOptions& options, const cli::Context& context) {
    std::optional<payload::Kind> forced_kind;
    if (!options.validate_kind.empty()) {
        forced_kind = payload::kind_from_name(options.validate_kind);
    }
    std::size_t errors = 0;
    std::size_t warnings = 0;
    std::size_t unreadable = 0;
    nlohmann::json files = nlohmann::json::array();
    // builtin:all stands for every embedded fixture, so the library validates from anywhere.
    std::vector<std::string> inputs;
    for (const auto& file : options.validate_files) {
        if (file != "builtin:all") {
            inputs.push_back(file);
            continue;
        }
        for (const payload::FixtureInfo& fixture : payload::builtin_fixtures()) {
            inputs.push_back("builtin:" + std::string(fixture.name));
        }
    }
    for (const auto& file : inputs) {
        const FileReport report = validate_file(file, forced_kind);
        if (report.input_error) {
            ++unreadable;
        }
        for (const auto& finding : report.findings) {
            ++(finding.severity == payload::Severity::error ? errors : warnings);
        }
        if (options.validate_json) {
            files.push_back(report_json(report));
        } else {
            print_text_report(report, context);
        }
    }

    const std::size_t count = inputs.size();
    if (options.validate_json) {
        nlohmann::json out = {{"files", std::move(files)},
                              {"errors", errors},
                              {"warnings", warnings},
                              {"unreadable", unreadable}};
        fmt::print("{}\n", out.dump(2));
    } else {
        std::string summary =
            fmt::format("{} file{}: {} error{}, {} warning{}", count, count == 1 ? "" : "s", errors,
                        errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
        if (unreadable > 0) {
            summary += fmt::format(", {} unreadable or not JSON", unreadable);
        }
        fmt::print("{}\n", summary);
    }
    // An input that could not be checked at all outranks a finding: exit 5, then 1.
    if (unreadable > 0) {
        return cli::exit_code::k_input;
    }
    return errors > 0 ? cli::exit_code::k_failed : cli::exit_code::k_ok;
}

// ---------------------------------------------------------------------------------------- schema

int run_schema(const FixturesOptions& options) {
    const std::optional<payload::Kind> kind = payload::kind_from_name(options.schema_kind);
    const std::string_view text = kind ? payload::schema_text(*kind) : std::string_view{};
    if (text.empty()) {
        throw Error(ErrorKind::usage, "fixtures schema",
                    fmt::format("no schema for kind '{}'", options.schema_kind),
                    fmt::format("kinds: {}", fmt::join(schema_kind_names(), ", ")));
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (!text.ends_with('\n')) {
        std::fputc('\n', stdout);
    }
    return cli::exit_code::k_ok;
}

} // namespace

void register_fixtures(cli::Registrar& registrar) {
    auto options = std::make_shared<FixturesOptions>();
    CLI::App* app = registrar.add_command(
        "fixtures", "The built-in payload library: list, show, validate, schema",
        R"(  blandhook fixtures list
  blandhook fixtures show error-busy > busy.json
  blandhook fixtures validate my-call.json
  blandhook fixtures validate builtin:all
  blandhook fixtures schema delayed-post-call > delayed.schema.json
)");
    app->require_subcommand(0, 1);

    CLI::App* list = registrar.add_subcommand(
        app, "list", "List the built-in fixtures: name, kind, modelled?, description",
        "  blandhook fixtures list\n  blandhook fixtures list --json | jq -r '.[].name'\n");
    list->add_flag("--json", options->list_json, "Print the list as JSON");
    registrar.on_run(
        list, [options](const cli::Context& context) { return run_list(*options, context); });

    CLI::App* show = registrar.add_subcommand(
        app, "show", "Print a built-in fixture's exact bytes",
        "  blandhook fixtures show completed-outbound\n"
        "  blandhook fixtures show voicemail | blandhook sign --secret \"$SECRET\" -\n");
    std::vector<std::string> names;
    for (const auto& fixture : payload::builtin_fixtures()) {
        names.emplace_back(fixture.name);
    }
    registrar.choices(
        show->add_option("name", options->show_name, "Fixture name (see 'fixtures list')")
            ->required(),
        names);
    registrar.on_run(show, [options](const cli::Context&) { return run_show(*options); });

    CLI::App* validate = registrar.add_subcommand(
        app, "validate",
        "Validate payload files against the schema of their kind (exit 1 on errors, 5 when a "
        "file is unreadable or not JSON)",
        "  blandhook fixtures validate fixtures/*.json\n"
        "  blandhook fixtures validate --kind post-call body.json\n"
        "  blandhook fixtures validate --json my-call.json\n");
    validate
        ->add_option("files", options->validate_files,
                     "Payload files, - for stdin, builtin:NAME or builtin:all for the library")
        ->required()
        ->type_name("FILE");
    registrar.choices(
        validate->add_option("--kind", options->validate_kind,
                             "Validate as this kind instead of the one the body looks like"),
        schema_kind_names());
    // -k was --kind here before it meant --insecure everywhere; old scripts keep working.
    cli::add_old_spelling(validate, "-k", options->validate_kind)
        ->check(CLI::IsMember(schema_kind_names()));
    validate->add_flag("--json", options->validate_json, "Print the findings as JSON");
    registrar.on_run(validate, [options](const cli::Context& context) {
        return run_validate(*options, context);
    });

    CLI::App* schema = registrar.add_subcommand(
        app, "schema", "Print the JSON Schema of a payload kind (default post-call)",
        "  blandhook fixtures schema\n  blandhook fixtures schema citations-event\n");
    registrar.choices(schema->add_option("kind", options->schema_kind, "Payload kind"),
                      schema_kind_names());
    registrar.on_run(schema, [options](const cli::Context&) { return run_schema(*options); });
}

} // namespace blandhook::commands
