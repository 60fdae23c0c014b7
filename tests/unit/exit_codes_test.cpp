// The one table of exit codes (src/cli/exit_codes.hpp) against what the docs say: README's
// section is the table's own Markdown, and no page of docs/ documents a code the table lacks.
#include "cli/exit_codes.hpp"
#include "error.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace cli = blandhook::cli;
namespace test = blandhook::test;
using blandhook::ErrorKind;

namespace {

// The text of a Markdown section from its heading to the next blank line after its first table.
std::string table_after(const std::string& text, const std::string& heading) {
    const auto at = text.find(heading + "\n\n");
    REQUIRE(at != std::string::npos);
    const auto begin = at + heading.size() + 2;
    const auto end = text.find("\n\n", begin);
    return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin + 1);
}

} // namespace

TEST_CASE("README's exit codes section is the table of src/cli/exit_codes.hpp") {
    const std::string readme = test::read_file(test::source_dir() + "/README.md");
    const std::string expected = cli::exit_codes_markdown();
    // On failure, paste the expected text (printed below) under README's "## Exit codes".
    CAPTURE(expected);
    CHECK(table_after(readme, "## Exit codes") == expected);
}

TEST_CASE("every exit code docs/*.md documents in an exit codes table is one of the table's") {
    std::set<int> known;
    for (const auto& row : cli::k_exit_codes) {
        known.insert(row.code);
    }
    const std::regex row_code(R"(^\| (\d+) \|)");
    std::set<std::string> pages_with_rows;
    for (const auto& entry : std::filesystem::directory_iterator(test::source_dir() + "/docs")) {
        if (entry.path().extension() != ".md") {
            continue;
        }
        const std::string text = test::read_file(entry.path().string());
        for (auto at = text.find("## Exit codes\n\n"); at != std::string::npos;
             at = text.find("## Exit codes\n\n", at + 1)) {
            const std::string table = table_after(text.substr(at), "## Exit codes");
            std::istringstream lines(table);
            for (std::string line; std::getline(lines, line);) {
                std::smatch match;
                if (std::regex_search(line, match, row_code)) {
                    pages_with_rows.insert(entry.path().filename().string());
                    CAPTURE(entry.path().string());
                    CAPTURE(line);
                    CHECK(known.count(std::stoi(match[1].str())) == 1);
                }
            }
        }
    }
    // These pages have such tables: the check must have read them.
    for (const char* page : {"replay.md", "call.md", "sign.md"}) {
        CAPTURE(page);
        CHECK(pages_with_rows.count(page) == 1);
    }
}

TEST_CASE("the help footer names every code, wrapped at 100 columns") {
    const std::string help = cli::exit_codes_help();
    CHECK(help.starts_with("Exit codes: 0 ok, 1 a check failed, 2 usage,"));
    CHECK(help.ends_with("130 interrupted. Run 'man blandhook' for more.\n"));
    for (const auto& row : cli::k_exit_codes) {
        CAPTURE(row.code);
        CHECK(help.find(std::to_string(row.code) + " " + std::string(row.label)) !=
              std::string::npos);
    }
    std::istringstream lines(help);
    for (std::string line; std::getline(lines, line);) {
        CHECK(line.size() <= 100);
    }
}

TEST_CASE("each error kind ends a command with its documented code") {
    CHECK(cli::exit_code_for(ErrorKind::usage) == 2);
    CHECK(cli::exit_code_for(ErrorKind::input) == 5);
    CHECK(cli::exit_code_for(ErrorKind::network) == 3);
    CHECK(cli::exit_code_for(ErrorKind::timeout) == 4);
    CHECK(cli::exit_code_for(ErrorKind::api) == 6);
    CHECK(cli::exit_code_for(ErrorKind::internal) == 70);
}

TEST_CASE("a command's exit codes paragraph says each code with its own meaning, wrapped at 100") {
    using namespace cli::exit_code;
    const std::string text = cli::command_exit_codes_help(
        {{k_ok, "all passed"},
         {k_unreachable, "a delivery got no answer (target unreachable, connection reset, timed "
                         "out)"},
         {k_interrupted, "interrupted"}},
        "Reports are written in every case. See docs/replay.md.");
    CHECK(text == "Exit codes: 0 all passed, 3 a delivery got no answer (target unreachable, "
                  "connection reset, timed\nout), 130 interrupted. Reports are written in every "
                  "case. See docs/replay.md.\n");
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        CHECK(line.size() <= 100);
    }
}

TEST_CASE("a command cannot document an exit code the table does not have") {
    CHECK_THROWS_AS(cli::command_exit_codes_help({{0, "ok"}, {42, "the answer"}}, ""),
                    std::logic_error);
}
