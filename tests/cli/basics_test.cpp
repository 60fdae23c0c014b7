#include "cli/exit_codes.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

using namespace blandhook::test;

TEST_CASE("--version prints the version, the commit it was built from and the build date") {
    auto result = run_blandhook({"--version"});
    CHECK(result.exit_code == 0);
    INFO(result.out);
    // The first line alone is what scripts have read so far: it stays "blandhook VERSION".
    REQUIRE(result.out.rfind(std::string("blandhook ") + BLANDHOOK_VERSION + "\ncommit ", 0) == 0);
    auto head = run_process({"git", "-C", source_dir(), "rev-parse", "--short=12", "HEAD"});
    if (head.exit_code == 0) {
        CHECK(result.out.find("\ncommit " + head.out.substr(0, 12)) != std::string::npos);
    }
    const std::regex shape("blandhook [0-9.]+\ncommit ([0-9a-f]{12}(-dirty)?|unknown)\n"
                           "built [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\n");
    CHECK(std::regex_match(result.out, shape));
}

TEST_CASE("the build date honours SOURCE_DATE_EPOCH, so two builds of one tree are identical") {
    TempDir scratch;
    const std::string output = scratch.file("build_info_data.cpp");
    auto generate = [&](const std::string& epoch) {
        ProcessOptions options;
        options.env["SOURCE_DATE_EPOCH"] = epoch;
        auto result =
            run_process({"cmake", "-DSOURCE_DIR=" + source_dir(), "-DOUTPUT=" + output,
                         "-DVERSION=9.8.7", "-P", source_dir() + "/cmake/build_info.cmake"},
                        options);
        REQUIRE(result.exit_code == 0);
        return read_file(output);
    };
    const std::string first = generate("1700000000");
    CHECK(first.find("\"9.8.7\"") != std::string::npos);
    CHECK(first.find("\"2023-11-14T22:13:20Z\"") != std::string::npos);
    CHECK(generate("1700000000") == first);
    CHECK(generate("0").find("\"1970-01-01T00:00:00Z\"") != std::string::npos);
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

TEST_CASE("--help ends with every exit code of src/cli/exit_codes.hpp") {
    auto result = run_blandhook({"--help"});
    CHECK(result.exit_code == 0);
    // CLI11 ends the footer with one more line break.
    CHECK(result.out.ends_with("\n\n" + blandhook::cli::exit_codes_help() + "\n"));
    CHECK(result.out.find("0 ok, 1 a check failed, 2 usage, 3 unreachable, 4 timeout, 5 bad input, "
                          "6 API error,\n70 internal error, 130 interrupted.") !=
          std::string::npos);
}

TEST_CASE("a mistyped command is a usage error with a did-you-mean hint and exit 2") {
    auto result = run_blandhook({"lisen"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.rfind("blandhook: error: usage: ", 0) == 0);
    CHECK(result.err.find("hint: did you mean 'blandhook listen'?") != std::string::npos);
}

TEST_CASE("bare blandhook prints the help on stdout and exits 0") {
    auto result = run_blandhook({});
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
    CHECK(result.out == run_blandhook({"--help"}).out);
    CHECK(result.out.find("Examples:") != std::string::npos);
}

TEST_CASE("blandhook help COMMAND prints that command's help, as COMMAND --help does") {
    for (std::vector<std::string> path :
         {std::vector<std::string>{}, {"replay"}, {"captures"}, {"captures", "list"}}) {
        CAPTURE(path.size());
        std::vector<std::string> help_args{"help"};
        help_args.insert(help_args.end(), path.begin(), path.end());
        std::vector<std::string> flag_args = path;
        flag_args.push_back("--help");
        auto result = run_blandhook(help_args);
        CHECK(result.exit_code == 0);
        CHECK(!result.out.empty());
        CHECK(result.out == run_blandhook(flag_args).out);
    }
}

TEST_CASE("blandhook help with a mistyped command suggests the right one and exits 2") {
    auto result = run_blandhook({"help", "captures", "lst"});
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find("unknown command 'captures lst'") != std::string::npos);
    CHECK(result.err.find("hint: did you mean 'blandhook help captures list'?") !=
          std::string::npos);
}

TEST_CASE("a mistyped long option gets a did-you-mean hint, in both spellings of a value") {
    auto spaced = run_blandhook(
        {"replay", "--secert", "s", "completed-outbound", "--to", "http://127.0.0.1:9/webhook"});
    CHECK(spaced.exit_code == 2);
    CHECK(spaced.err.find("blandhook: error: usage: unknown option '--secert'") !=
          std::string::npos);
    CHECK(spaced.err.find("hint: did you mean '--secret'?") != std::string::npos);
    auto joined = run_blandhook({"replay", "--rport=junit:x.xml", "completed-outbound"});
    CHECK(joined.exit_code == 2);
    CHECK(joined.err.find("hint: did you mean '--report'?") != std::string::npos);
}

TEST_CASE("a mistyped subcommand of a command group gets a did-you-mean hint") {
    auto result = run_blandhook({"fixtures", "lsit"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("unknown command 'fixtures lsit'") != std::string::npos);
    CHECK(result.err.find("hint: did you mean 'blandhook fixtures list'?") != std::string::npos);
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
