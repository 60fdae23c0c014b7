#include "support/process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <string>

using namespace blandhook::test;

namespace {

constexpr const char* k_secret = "whsec-test-secret";

std::string trimmed(std::string text) {
    while (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    return text;
}

std::string signature_of(const std::string& file, bool canonical = false) {
    std::vector<std::string> args = {"sign", "--secret", k_secret, file};
    if (canonical) {
        args.insert(args.begin() + 1, "--canonical");
    }
    auto result = run_blandhook(args);
    REQUIRE(result.exit_code == 0);
    return trimmed(result.out);
}

std::string fixture(const std::string& name) {
    return source_dir() + "/fixtures/" + name + ".json";
}

} // namespace

TEST_CASE("verify accepts a signature over the raw bytes and says so") {
    const std::string file = fixture("completed-outbound");
    auto result =
        run_blandhook({"verify", "--secret", k_secret, "--signature", signature_of(file), file});
    CHECK(result.exit_code == 0);
    CHECK(result.out.rfind("valid: ", 0) == 0);
    CHECK(result.out.find("raw bytes") != std::string::npos);
}

TEST_CASE("verify accepts upper-case hex and surrounding blanks") {
    const std::string file = fixture("voicemail");
    std::string signature = signature_of(file);
    std::transform(signature.begin(), signature.end(), signature.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    auto result =
        run_blandhook({"verify", "--secret", k_secret, "--signature", " " + signature + " ", file});
    CHECK(result.exit_code == 0);
}

TEST_CASE("verify recognises a signature over the JSON.stringify re-serialisation") {
    const std::string file = fixture("warm-transfer");
    auto result = run_blandhook(
        {"verify", "--secret", k_secret, "--signature", signature_of(file, true), file});
    CHECK(result.exit_code == 0);
    CHECK(result.out.rfind("valid: ", 0) == 0);
    CHECK(result.out.find("JSON.stringify(JSON.parse(body))") != std::string::npos);
    CHECK(result.out.find("not its raw bytes") != std::string::npos);
}

TEST_CASE("verify rejects a wrong signature or secret with exit 1") {
    const std::string file = fixture("error-busy");
    const std::string good = signature_of(file);
    auto wrong_secret = run_blandhook({"verify", "--secret", "other", "--signature", good, file});
    CHECK(wrong_secret.exit_code == 1);
    CHECK(wrong_secret.out.rfind("invalid: ", 0) == 0);
    std::string flipped = good;
    flipped[0] = flipped[0] == '0' ? '1' : '0';
    auto wrong_signature =
        run_blandhook({"verify", "--secret", k_secret, "--signature", flipped, file});
    CHECK(wrong_signature.exit_code == 1);
    auto garbage = run_blandhook({"verify", "--secret", k_secret, "--signature", "zz", file});
    CHECK(garbage.exit_code == 1);
}

TEST_CASE("verify --json reports the verdict for machines") {
    const std::string file = fixture("live-event");
    auto valid = run_blandhook(
        {"verify", "--json", "--secret", k_secret, "--signature", signature_of(file), file});
    CHECK(valid.exit_code == 0);
    const auto out = nlohmann::json::parse(valid.out);
    CHECK(out["valid"] == true);
    CHECK(out["matched"] == "raw");
    CHECK(out["verdict"] == "valid-raw");
    auto invalid = run_blandhook(
        {"verify", "--json", "--secret", k_secret, "--signature", std::string(64, 'a'), file});
    CHECK(invalid.exit_code == 1);
    const auto bad = nlohmann::json::parse(invalid.out);
    CHECK(bad["valid"] == false);
    CHECK(bad["matched"].is_null());
}

TEST_CASE("verify reads the body from stdin and the secret from the environment") {
    const std::string file = fixture("no-answer");
    ProcessOptions options;
    options.stdin_data = read_file(file);
    options.env = {{"BLAND_WEBHOOK_SECRET", k_secret}};
    auto result = run_blandhook({"verify", "--signature", signature_of(file), "-"}, options);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("stdin") != std::string::npos);
}

TEST_CASE("verify never prints the secret, valid or not") {
    const std::string file = fixture("no-answer");
    for (const std::string& signature : {signature_of(file), std::string("00")}) {
        auto result =
            run_blandhook({"verify", "--secret", k_secret, "--signature", signature, file});
        CHECK(result.out.find(k_secret) == std::string::npos);
        CHECK(result.err.find(k_secret) == std::string::npos);
    }
}

TEST_CASE("verify without --signature or without a secret is a usage error") {
    const std::string file = fixture("no-answer");
    ProcessOptions no_env;
    no_env.unset_env = {"BLAND_WEBHOOK_SECRET"};
    auto no_signature = run_blandhook({"verify", "--secret", k_secret, file}, no_env);
    CHECK(no_signature.exit_code == 2);
    auto no_secret = run_blandhook({"verify", "--signature", "ab", file}, no_env);
    CHECK(no_secret.exit_code == 2);
    CHECK(no_secret.err.find("BLAND_WEBHOOK_SECRET") != std::string::npos);
}
