#include "support/process.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace blandhook::test;

namespace {

struct Shell {
    std::string name;
    std::string committed; ///< path below the source tree
};

const Shell k_shells[] = {{"bash", "completions/blandhook.bash"},
                          {"zsh", "completions/_blandhook"},
                          {"fish", "completions/blandhook.fish"}};

} // namespace

TEST_CASE("the committed completion files are exactly what the command tree generates") {
    for (const auto& shell : k_shells) {
        CAPTURE(shell.name);
        auto result = run_blandhook({"completions", shell.name});
        REQUIRE(result.exit_code == 0);
        const bool same = result.out == read_file(source_dir() + "/" + shell.committed);
        if (!same) {
            FAIL_CHECK(shell.committed << " is out of date: a command or option changed. "
                                          "Regenerate it with: build/blandhook completions "
                                       << shell.name << " > " << shell.committed);
        }
    }
}

TEST_CASE("completions cover every visible command and the fixed values of options") {
    for (const auto& shell : k_shells) {
        CAPTURE(shell.name);
        auto result = run_blandhook({"completions", shell.name});
        REQUIRE(result.exit_code == 0);
        for (const std::string word : {"listen",
                                       "captures",
                                       "replay",
                                       "call",
                                       "emulate",
                                       "fixtures",
                                       "sign",
                                       "verify",
                                       "completions",
                                       "validate",
                                       "schema",
                                       "delayed-post-call",
                                       "citations-event",
                                       "canonical",
                                       "signature",
                                       "error-busy",
                                       "zsh",
                                       "inbound",
                                       "set-webhook",
                                       "deliver",
                                       "cloudflared"}) {
            CAPTURE(word);
            CHECK(result.out.find(word) != std::string::npos);
        }
        CHECK(result.out.find("manpage") == std::string::npos);
    }
}

TEST_CASE("completions names the file it is generated into and how to regenerate it") {
    for (const auto& shell : k_shells) {
        CAPTURE(shell.name);
        auto result = run_blandhook({"completions", shell.name});
        CHECK(result.out.find("build/blandhook completions " + shell.name + " > " +
                              shell.committed) != std::string::npos);
    }
}

TEST_CASE("completions for an unknown shell is a usage error listing the shells") {
    auto result = run_blandhook({"completions", "powershell"});
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find("bash") != std::string::npos);
    CHECK(result.err.find("fish") != std::string::npos);
}

TEST_CASE("completions without a shell is a usage error") {
    auto result = run_blandhook({"completions"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("shell") != std::string::npos);
}
