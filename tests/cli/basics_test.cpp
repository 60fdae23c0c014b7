#include "support/process.hpp"

#include <doctest/doctest.h>

using namespace blandhook::test;

TEST_CASE("--version prints the version and exits 0") {
    auto result = run_blandhook({"--version"});
    CHECK(result.exit_code == 0);
    CHECK(result.out == std::string("blandhook ") + BLANDHOOK_VERSION + "\n");
}

TEST_CASE("--help lists every command with examples") {
    auto result = run_blandhook({"--help"});
    CHECK(result.exit_code == 0);
    for (const char* command : {"listen", "captures", "replay", "call", "emulate", "fixtures",
                                "sign", "verify", "completions"}) {
        CAPTURE(command);
        CHECK(result.out.find(command) != std::string::npos);
    }
    CHECK(result.out.find("Examples:") != std::string::npos);
}

TEST_CASE("a mistyped command is a usage error with a did-you-mean hint and exit 2") {
    auto result = run_blandhook({"lisen"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.rfind("blandhook: error: usage: ", 0) == 0);
    CHECK(result.err.find("hint: did you mean 'blandhook listen'?") != std::string::npos);
}

TEST_CASE("errors carry no colour when stderr is not a terminal") {
    auto result = run_blandhook({"--no-such-flag"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find('\x1b') == std::string::npos);
}

TEST_CASE("a bad option of a nested command hints at that command's full help") {
    auto result = run_blandhook({"captures", "list", "--no-such-flag"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("hint: run 'blandhook captures list --help'") != std::string::npos);
}
