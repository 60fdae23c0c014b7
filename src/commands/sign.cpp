#include "commands/sign.hpp"

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "error.hpp"
#include "payload/json.hpp"
#include "payload/signature.hpp"
#include "term/style.hpp"
#include "util/files.hpp"
#include "util/secret.hpp"

#include <cstdio>
#include <fmt/core.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace blandhook::commands {
namespace {

constexpr const char* k_secret_env = "BLAND_WEBHOOK_SECRET";

struct SignOptions {
    util::SecretInput secret;
    std::string file;
    bool canonical = false;
};

struct VerifyOptions {
    util::SecretInput secret;
    std::string signature;
    std::string file;
    bool json = false;
};

// The exact bytes of FILE, or of stdin for "-": a signature covers every byte, newline included.
std::string read_body(const std::string& file) {
    std::string body;
    if (auto error = util::read_whole_file(file, body)) {
        throw Error(ErrorKind::input, util::input_name(file), *error,
                    "pass an existing file, or - to read the body from stdin");
    }
    return body;
}

// The secret from -s/--secret, --secret-file or the environment; stdin holds one of them only.
std::string secret_of(const util::SecretInput& input, const std::string& file) {
    if (input.file == "-" && file == "-") {
        throw Error(ErrorKind::usage, "--secret-file",
                    "stdin cannot hold both the secret and the body",
                    "give the secret or the body as a file");
    }
    return util::resolve_secret(input, util::k_webhook_secret);
}

void require_secret(const std::string& secret, std::string_view command) {
    if (secret.empty()) {
        throw Error(ErrorKind::usage, std::string(command), "no webhook secret given",
                    fmt::format("set {} or pass --secret-file FILE (Bland dashboard: "
                                "Settings, Keys)",
                                k_secret_env));
    }
}

int run_sign(const SignOptions& options) {
    const std::string secret = secret_of(options.secret, options.file);
    require_secret(secret, "sign");
    std::string body = read_body(options.file);
    if (options.canonical) {
        try {
            body = payload::canonical_json(std::string_view(body));
        } catch (const payload::JsonError& error) {
            throw Error(ErrorKind::input, util::input_name(options.file),
                        fmt::format("not JSON ({} at byte {})", error.what(), error.offset()),
                        "--canonical re-serialises JSON; drop it to sign arbitrary bytes");
        }
    }
    fmt::print("{}\n", payload::sign(secret, body));
    return cli::exit_code::k_ok;
}

int run_verify(const VerifyOptions& options, const cli::Context& context) {
    const std::string secret = secret_of(options.secret, options.file);
    require_secret(secret, "verify");
    const std::string body = read_body(options.file);
    const payload::SignatureVerdict verdict =
        payload::check_signature(secret, body, std::string_view(options.signature));
    const bool valid = verdict == payload::SignatureVerdict::valid_raw ||
                       verdict == payload::SignatureVerdict::valid_canonical;
    const std::string name = util::input_name(options.file);

    std::string matched;
    std::string explanation;
    switch (verdict) {
    case payload::SignatureVerdict::valid_raw:
        matched = "raw";
        explanation = fmt::format("the signature matches the raw bytes of {}", name);
        break;
    case payload::SignatureVerdict::valid_canonical:
        matched = "json-stringify";
        explanation = fmt::format(
            "the signature matches JSON.stringify(JSON.parse(body)) of {}, not its raw bytes: "
            "the sender re-serialised the JSON before signing",
            name);
        break;
    default:
        explanation = fmt::format("the signature matches neither the raw bytes of {} nor their "
                                  "JSON.stringify re-serialisation",
                                  name);
        break;
    }

    if (options.json) {
        nlohmann::json out = {
            {"file", name},
            {"valid", valid},
            {"matched", matched.empty() ? nlohmann::json(nullptr) : nlohmann::json(matched)},
            {"verdict", payload::verdict_name(verdict)}};
        fmt::print("{}\n", out.dump());
    } else {
        const std::string label =
            valid ? term::paint("valid", term::Style::green, context.color_stdout)
                  : term::paint("invalid", term::Style::red, context.color_stdout);
        fmt::print("{}: {}\n", label, explanation);
        if (!valid) {
            fmt::print("hint: check the secret (Settings, Keys in the Bland dashboard) and that "
                       "the file holds the exact body received\n");
        }
    }
    return valid ? cli::exit_code::k_ok : cli::exit_code::k_failed;
}

void add_secret(CLI::App* app, util::SecretInput& secret) {
    cli::add_secret_options(app, secret, util::k_webhook_secret, "Webhook signing secret", "-s");
}

} // namespace

void register_sign(cli::Registrar& registrar) {
    auto sign = std::make_shared<SignOptions>();
    CLI::App* sign_app = registrar.add_command(
        "sign", "Print the X-Webhook-Signature value Bland would send for a body",
        R"EX(  export BLAND_WEBHOOK_SECRET=...        the secret, kept out of argv (or --secret-file FILE)
  blandhook sign fixtures/completed-outbound.json
  curl -H "X-Webhook-Signature: $(blandhook sign body.json)" --data-binary @body.json URL
  blandhook sign --canonical body.json       sign JSON.stringify(JSON.parse(body)) instead
)EX");
    add_secret(sign_app, sign->secret);
    sign_app->add_flag("--canonical", sign->canonical,
                       "Sign the compact JSON.stringify(JSON.parse(body)) re-serialisation, as "
                       "Bland's example receiver hashes it, instead of the raw bytes");
    sign_app->add_option("file", sign->file, "The body to sign (- reads stdin)")
        ->required()
        ->type_name("FILE");
    registrar.on_run(sign_app, [sign](const cli::Context&) { return run_sign(*sign); });

    auto verify = std::make_shared<VerifyOptions>();
    CLI::App* verify_app = registrar.add_command(
        "verify", "Check an X-Webhook-Signature value against a body (exit 0 valid, 1 invalid)",
        R"(  blandhook verify --secret-file secret.txt --signature 3f9a...c1 body.json
  blandhook verify --signature "$SIG" --json - < body.json
)");
    add_secret(verify_app, verify->secret);
    verify_app
        ->add_option("-S,--signature", verify->signature,
                     "The X-Webhook-Signature value received (hex, either case)")
        ->required();
    verify_app->add_flag("--json", verify->json,
                         "Print {file, valid, matched, verdict} as JSON for machines");
    verify_app->add_option("file", verify->file, "The body received (- reads stdin)")
        ->required()
        ->type_name("FILE");
    registrar.on_run(
        verify_app, [verify](const cli::Context& context) { return run_verify(*verify, context); });
}

} // namespace blandhook::commands
