// `blandhook replay` mistakes a user makes on the command line: each is a usage error (exit 2)
// naming what is wrong, before anything is sent.
#include "support/process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace blandhook::test;

namespace {

ProcessResult replay(std::vector<std::string> args) {
    args.insert(args.begin(), "replay");
    ProcessOptions options;
    options.unset_env = {"BLAND_WEBHOOK_SECRET"};
    return run_blandhook(args, options);
}

} // namespace

TEST_CASE("replay --help lists the scenarios, the report formats and examples") {
    auto result = run_blandhook({"replay", "--help"});
    CHECK(result.exit_code == 0);
    for (const char* text :
         {"--to", "--scenario", "signature-variants", "two-phase", "--report", "junit:FILE",
          "--manifest", "--fresh-ids", "Examples:", "Exit codes"}) {
        CAPTURE(text);
        CHECK(result.out.find(text) != std::string::npos);
    }
}

TEST_CASE("replay without --to is a usage error with a hint") {
    auto result = replay({"error-busy"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("blandhook: error: --to: no target URL") == 0);
    CHECK(result.err.find("hint: ") != std::string::npos);
}

TEST_CASE("replay without inputs is a usage error") {
    auto result = replay({"--to", "http://127.0.0.1:9/"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("nothing to replay") != std::string::npos);
}

TEST_CASE("replay rejects a URL that is not http(s), naming --to") {
    auto result = replay({"error-busy", "--to", "localhost:3000"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("blandhook: error: --to: 'localhost:3000' is not a valid URL") == 0);
}

TEST_CASE("replay rejects unknown scenarios, bad report specs, statuses and durations") {
    struct Row {
        const char* option;
        const char* value;
        const char* named; ///< what the error names
    };
    const Row rows[] = {
        {"--scenario", "twophase", "--scenario: twophase not in"},
        {"--report", "xml:out", "--report"},
        {"--expect-status", "ok", "--expect-answer-status"},
        {"--timeout", "soon", "--delivery-timeout: 'soon' is not a duration"},
        {"--set", "novalue", "--set"},
    };
    for (const auto& [option, value, named] : rows) {
        CAPTURE(option);
        auto result = replay({"error-busy", "--to", "http://127.0.0.1:9/", option, value});
        CHECK(result.exit_code == 2);
        CHECK(result.err.find(named) != std::string::npos);
    }
}

TEST_CASE("signature-variants without a secret is a usage error before anything is sent") {
    auto result =
        replay({"error-busy", "--to", "http://127.0.0.1:9/", "--scenario", "signature-variants"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("needs the handler's secret") != std::string::npos);
    CHECK(result.out.empty());
}

TEST_CASE("replay -H with a CR or LF inside the header is a usage error before anything is sent") {
    for (const char* header : {"X-Env: ci\r\nInjected: 1", "X-Env: a\rb", "X-Env: a\nb"}) {
        CAPTURE(header);
        auto result = replay({"error-busy", "--to", "http://127.0.0.1:9/", "-H", header});
        CHECK(result.exit_code == 2);
        CHECK(result.err.find("--header: header X-Env holds a CR, LF or NUL") != std::string::npos);
        CHECK(result.out.empty());
    }
    auto name = replay({"error-busy", "--to", "http://127.0.0.1:9/", "-H", "X Env: ci"});
    CHECK(name.exit_code == 2);
    CHECK(name.err.find("is not an HTTP token") != std::string::npos);
}

TEST_CASE("an unwritable report path is a usage error before anything is sent") {
    auto result = replay(
        {"error-busy", "--to", "http://127.0.0.1:9/", "--report", "junit:/nonexistent-dir/r.xml"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("cannot write /nonexistent-dir/r.xml") != std::string::npos);
}

TEST_CASE("a manifest with a typo names the file and the entry, exit 5") {
    TempDir dir;
    write_file(dir.file("m.json"), R"({"cases": [{"input": "error-busy"}, {"inptu": "x"}]})");
    auto result = replay({"--manifest", dir.file("m.json"), "--to", "http://127.0.0.1:9/"});
    CHECK(result.exit_code == 5);
    CHECK(result.err.find("m.json: cases[1]: unknown key \"inptu\"") != std::string::npos);
}

TEST_CASE(
    "replay --report json:- writes the report alone on stdout, the terminal lines on stderr") {
    // Port 9 on loopback refuses: one unreachable case is enough for a complete report.
    auto result =
        run_blandhook({"replay", "completed-outbound", "--to", "http://127.0.0.1:9/webhook",
                       "--secret", "s", "--report", "json:-"});
    CHECK(result.exit_code == 3);
    INFO(result.out);
    auto report = nlohmann::json::parse(result.out); // the whole of stdout is the JSON document
    CHECK(report["cases"].size() == 1);
    CHECK(report["summary"].is_object());
    CHECK(result.err.find("completed-outbound") != std::string::npos);
    CHECK(result.err.find("1 cases") != std::string::npos);
}

TEST_CASE("replay accepts one report on stdout, not two") {
    auto result =
        run_blandhook({"replay", "completed-outbound", "--to", "http://127.0.0.1:9/webhook",
                       "--report", "json:-", "--report", "junit:-"});
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find("only one report can go to stdout") != std::string::npos);
}

TEST_CASE(
    "replay without a secret to a handler that refuses unsigned bodies says why each failed") {
    TempDir scratch;
    auto listener =
        start_blandhook({"listen", "--port", "0", "--secret", "handler-secret",
                         "--require-signature", "--save", scratch.file("captures.ndjson")});
    const std::string to =
        "http://127.0.0.1:" + std::to_string(wait_for_port(*listener, "listening on")) + "/webhook";
    ProcessOptions no_secret;
    no_secret.unset_env = {"BLAND_WEBHOOK_SECRET"};
    auto result =
        run_blandhook({"replay", "completed-outbound", "error-busy", "--to", to}, no_secret);
    CHECK(result.exit_code == 1);
    INFO(result.out);
    const std::string why = "answered 401, expected 2xx: not signed: pass --secret or set "
                            "BLAND_WEBHOOK_SECRET";
    std::size_t count = 0;
    for (auto at = result.out.find(why); at != std::string::npos;
         at = result.out.find(why, at + 1)) {
        ++count;
    }
    CHECK(count >= 2); // one per failed case, in the case lines and the failure list

    // Signed, the same deliveries pass; a wrong secret is refused without that explanation.
    auto signed_run =
        run_blandhook({"replay", "completed-outbound", "--to", to, "--secret", "handler-secret"});
    CHECK(signed_run.exit_code == 0);
    auto wrong = run_blandhook({"replay", "completed-outbound", "--to", to, "--secret", "other"});
    CHECK(wrong.exit_code == 1);
    CHECK(wrong.out.find("not signed") == std::string::npos);
}

TEST_CASE("replay lists the first screenful of passing cases, then only failures, unless -v") {
    TempDir scratch;
    auto listener = start_blandhook({"listen", "--port", "0", "--save", scratch.file("c.ndjson")});
    const std::string to =
        "http://127.0.0.1:" + std::to_string(wait_for_port(*listener, "listening on")) + "/webhook";
    auto count = [](const std::string& text, const std::string& what) {
        std::size_t n = 0;
        for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
            ++n;
        }
        return n;
    };
    auto run = replay({"completed-outbound", "--repeat", "60", "--to", to});
    CHECK(run.exit_code == 0);
    CHECK(count(run.out, "PASS ") == 40);
    CHECK(count(run.out, "more passing cases are counted in the summary") == 1);
    auto verbose = replay({"completed-outbound", "--repeat", "60", "--to", to, "-v"});
    CHECK(verbose.exit_code == 0);
    CHECK(count(verbose.out, "PASS ") == 60);
}

TEST_CASE("replay off a terminal prints a plain progress line every 1000 cases; -q does not") {
    auto listener = start_blandhook({"listen", "--port", "0", "--no-save"});
    const std::string to =
        "http://127.0.0.1:" + std::to_string(wait_for_port(*listener, "listening on")) + "/webhook";
    auto run = replay({"completed-outbound", "--repeat", "1000", "-j", "8", "--to", to});
    CHECK(run.exit_code == 0);
    CHECK(run.err.find("replay: 1000 done, 0 failed, ") != std::string::npos);
    CHECK(run.err.find("\r") == std::string::npos); // no terminal control off a terminal
    auto quiet = replay({"completed-outbound", "--repeat", "1000", "-j", "8", "--to", to, "-q"});
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.err.find("done, 0 failed") == std::string::npos);
}
