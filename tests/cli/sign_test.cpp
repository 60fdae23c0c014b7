#include "support/process.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace blandhook::test;

namespace {

// RFC 4231 test case 2: HMAC-SHA256 with key "Jefe".
constexpr const char* k_rfc_key = "Jefe";
constexpr const char* k_rfc_data = "what do ya want for nothing?";
constexpr const char* k_rfc_mac =
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

ProcessOptions without_env_secret() {
    ProcessOptions options;
    options.unset_env = {"BLAND_WEBHOOK_SECRET"};
    return options;
}

} // namespace

TEST_CASE("sign prints the lowercase hex HMAC-SHA256 of the file's exact bytes") {
    TempDir dir;
    write_file(dir.file("body"), k_rfc_data);
    auto result =
        run_blandhook({"sign", "--secret", k_rfc_key, dir.file("body")}, without_env_secret());
    CHECK(result.exit_code == 0);
    CHECK(result.out == std::string(k_rfc_mac) + "\n");
    CHECK(result.err.empty());
}

TEST_CASE("sign covers every byte: a trailing newline changes the signature") {
    TempDir dir;
    write_file(dir.file("body"), std::string(k_rfc_data) + "\n");
    auto result = run_blandhook({"sign", "--secret", k_rfc_key, dir.file("body")});
    CHECK(result.exit_code == 0);
    CHECK(result.out != std::string(k_rfc_mac) + "\n");
    CHECK(result.out.size() == 65);
}

TEST_CASE("sign reads stdin for - and the secret from BLAND_WEBHOOK_SECRET") {
    ProcessOptions options;
    options.stdin_data = k_rfc_data;
    options.env = {{"BLAND_WEBHOOK_SECRET", k_rfc_key}};
    auto result = run_blandhook({"sign", "-"}, options);
    CHECK(result.exit_code == 0);
    CHECK(result.out == std::string(k_rfc_mac) + "\n");
}

TEST_CASE("sign without any secret is a usage error with a hint, printing no signature") {
    TempDir dir;
    write_file(dir.file("body"), "{}");
    auto result = run_blandhook({"sign", dir.file("body")}, without_env_secret());
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find("blandhook: error: sign: no webhook secret given") == 0);
    CHECK(result.err.find("hint: set BLAND_WEBHOOK_SECRET or pass --secret-file FILE") !=
          std::string::npos);
}

TEST_CASE("sign never prints the secret") {
    TempDir dir;
    write_file(dir.file("body"), "not json");
    const std::string secret = "whsec-very-private-0123";
    for (const auto& args :
         {std::vector<std::string>{"sign", "--secret", secret, dir.file("body")},
          std::vector<std::string>{"sign", "--secret", secret, "--canonical", dir.file("body")},
          std::vector<std::string>{"sign", "--secret", secret, dir.file("missing")}}) {
        auto result = run_blandhook(args);
        CHECK(result.out.find(secret) == std::string::npos);
        CHECK(result.err.find(secret) == std::string::npos);
    }
}

TEST_CASE("sign --canonical signs JSON.stringify(JSON.parse(body)), not the pretty bytes") {
    TempDir dir;
    write_file(dir.file("pretty.json"), "{\n  \"call_id\": \"c-1\",\n  \"price\": 1.50,\n"
                                        "  \"text\": \"caf\\u00e9 \\u2019\"\n}\n");
    // What node prints for JSON.stringify(JSON.parse(...)) of the file above.
    write_file(dir.file("compact.json"),
               "{\"call_id\":\"c-1\",\"price\":1.5,\"text\":\"caf\xc3\xa9 "
               "\xe2\x80\x99\"}");
    auto canonical =
        run_blandhook({"sign", "--secret", "s3", "--canonical", dir.file("pretty.json")});
    auto compact = run_blandhook({"sign", "--secret", "s3", dir.file("compact.json")});
    auto raw = run_blandhook({"sign", "--secret", "s3", dir.file("pretty.json")});
    CHECK(canonical.exit_code == 0);
    CHECK(canonical.out == compact.out);
    CHECK(canonical.out != raw.out);
}

TEST_CASE("sign --canonical of a body that is not JSON exits 5") {
    TempDir dir;
    write_file(dir.file("body"), "call ended");
    auto result = run_blandhook({"sign", "--secret", "s", "--canonical", dir.file("body")});
    CHECK(result.exit_code == 5);
    CHECK(result.out.empty());
    CHECK(result.err.find("not JSON") != std::string::npos);
}

TEST_CASE("sign of a missing file exits 5 naming the file") {
    TempDir dir;
    auto result = run_blandhook({"sign", "--secret", "s", dir.file("missing.json")});
    CHECK(result.exit_code == 5);
    CHECK(result.err.find("blandhook: error: " + dir.file("missing.json") + ": ") == 0);
}

TEST_CASE("sign and verify read the secret from --secret-file, its last line break dropped") {
    TempDir dir;
    write_file(dir.file("secret"), std::string(k_rfc_key) + "\n");
    write_file(dir.file("body"), k_rfc_data);
    auto signed_ = run_blandhook({"sign", "--secret-file", dir.file("secret"), dir.file("body")},
                                 without_env_secret());
    CHECK(signed_.exit_code == 0);
    CHECK(signed_.out == std::string(k_rfc_mac) + "\n");
    auto verified = run_blandhook(
        {"verify", "--secret-file", dir.file("secret"), "-S", k_rfc_mac, dir.file("body")},
        without_env_secret());
    CHECK(verified.exit_code == 0);
}

TEST_CASE("help examples keep secrets and keys out of argv (they use the environment or a file)") {
    for (const auto& command : std::vector<std::vector<std::string>>{{"sign"},
                                                                     {"verify"},
                                                                     {"listen"},
                                                                     {"replay"},
                                                                     {"call"},
                                                                     {"emulate"},
                                                                     {"captures", "export"}}) {
        std::vector<std::string> args = command;
        args.push_back("--help");
        auto help = run_blandhook(args);
        CAPTURE(command.front());
        REQUIRE(help.exit_code == 0);
        const std::string examples = help.out.substr(help.out.find("Examples:"));
        CHECK(examples.find("--secret ") == std::string::npos);
        CHECK(examples.find("--api-key ") == std::string::npos);
        CHECK(help.out.find("--secret-file") != std::string::npos);
    }
}
