#include "cli/exit_codes.hpp"
#include "payload/kind.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <string>
#include <unistd.h>

using namespace blandhook::test;

namespace {

std::string manpage() {
    auto result = run_blandhook({"manpage"});
    REQUIRE(result.exit_code == 0);
    REQUIRE(result.err.empty());
    return result.out;
}

bool has(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

} // namespace

TEST_CASE("manpage prints a section 1 roff page with the standard sections") {
    const std::string page = manpage();
    CHECK(has(page, ".TH BLANDHOOK 1 "));
    for (const char* section :
         {".SH NAME\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n", ".SH COMMANDS\n",
          ".SH EXIT STATUS\n", ".SH ENVIRONMENT\n", ".SH EXAMPLES\n"}) {
        CAPTURE(section);
        CHECK(has(page, section));
    }
}

TEST_CASE("manpage documents every command with its options and examples") {
    const std::string page = manpage();
    for (const char* synopsis :
         {"blandhook listen [OPTIONS]", "blandhook fixtures validate [OPTIONS] FILES...",
          "blandhook sign [OPTIONS] FILE", "blandhook verify [OPTIONS] FILE",
          "blandhook completions [OPTIONS] SHELL", "blandhook fixtures schema [OPTIONS] [KIND]"}) {
        // roff escapes hyphens: compare against the escaped form.
        std::string escaped;
        for (char c : std::string(synopsis)) {
            escaped += c == '-' ? std::string("\\-") : std::string(1, c);
        }
        CAPTURE(synopsis);
        CHECK(has(page, ".SS \"" + escaped + "\""));
    }
    CHECK(has(page, "\\fB\\-\\-canonical\\fR"));
    CHECK(has(page, "\\fB\\-S\\fR, \\fB\\-\\-signature\\fR"));
    // The --kind choices, every kind with a schema, in roff's escaped form.
    std::string kinds;
    for (auto kind : blandhook::payload::k_schema_kinds) {
        for (char c : blandhook::payload::kind_name(kind)) {
            kinds += c == '-' ? std::string("\\-") : std::string(1, c);
        }
        kinds += '|';
    }
    kinds.pop_back();
    CHECK(has(page, kinds));
    CHECK(has(page, "blandhook fixtures validate fixtures/*.json"));
    CHECK_FALSE(has(page, ".SS \"blandhook manpage"));
}

TEST_CASE("manpage lists every exit code of src/cli/exit_codes.hpp and the environment") {
    const std::string page = manpage();
    const std::string status = page.substr(page.find(".SH EXIT STATUS"));
    for (const auto& row : blandhook::cli::k_exit_codes) {
        CAPTURE(row.code);
        CHECK(has(status, ".TP\n.B " + std::to_string(row.code) + "\n"));
    }
    // The codes are a section of their own, not a line of the examples.
    const std::string examples = page.substr(page.find(".SH EXAMPLES"));
    CHECK_FALSE(has(examples.substr(0, examples.find(".SH FILES")), "Exit codes"));
    for (const char* variable :
         {"BLAND_WEBHOOK_SECRET", "BLAND_API_KEY", "BLAND_BASE_URL", "NO_COLOR"}) {
        CAPTURE(variable);
        CHECK(has(page.substr(page.find(".SH ENVIRONMENT")), std::string(".B ") + variable));
    }
}

TEST_CASE("manpage renders with groff without a single warning") {
    TempDir dir;
    write_file(dir.file("blandhook.1"), manpage());
    auto result = run_process({"groff", "-man", "-Tutf8", "-ww", "-z", dir.file("blandhook.1")});
    CHECK(result.exit_code == 0);
    CHECK(result.err == "");
    auto text =
        run_process({"groff", "-man", "-Tutf8", "-P-c", "-P-b", "-P-u", dir.file("blandhook.1")});
    CHECK(has(text.out, "EXIT STATUS"));
    CHECK(has(text.out, "blandhook fixtures validate"));
}

TEST_CASE("manpage is hidden from --help") {
    auto result = run_blandhook({"--help"});
    CHECK(result.exit_code == 0);
    CHECK_FALSE(has(result.out, "manpage"));
}
