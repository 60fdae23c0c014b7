#pragma once
// Secrets (the webhook signing secret, the Bland API key) from an option, a file or the
// environment. A value in argv is visible to every local user through `ps`; a file or the
// environment is not, so the help examples use those.
#include <string>
#include <string_view>

namespace blandhook::util {

/// The names one kind of secret goes by.
struct SecretKind {
    std::string_view option;      ///< "--secret"
    std::string_view file_option; ///< "--secret-file"
    std::string_view env;         ///< "BLAND_WEBHOOK_SECRET"
    std::string_view noun;        ///< "webhook secret", for help and messages
};

constexpr SecretKind k_webhook_secret{"--secret", "--secret-file", "BLAND_WEBHOOK_SECRET",
                                      "webhook secret"};
constexpr SecretKind k_api_key{"--api-key", "--api-key-file", "BLAND_API_KEY", "API key"};

/// What the command line gave for one secret.
struct SecretInput {
    std::string value; ///< --secret S
    std::string file;  ///< --secret-file PATH ("-" reads stdin)
};

/// The secret: the option's value, else the file's contents (without the trailing line break),
/// else the environment variable; "" when none is set. Throws Error (usage) when both the option
/// and the file are given, Error (input) when the file cannot be read or is empty.
std::string resolve_secret(const SecretInput& input, const SecretKind& kind);

} // namespace blandhook::util
