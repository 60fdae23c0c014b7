#pragma once
// The options every command that talks to Bland's API shares (call, inbound, deliver, listen
// --inbound-number): the key from --api-key, --api-key-file or BLAND_API_KEY (never printed), the
// base URL from
// --api-url or BLAND_BASE_URL, and -k/--insecure.
#include "bland/calls_api.hpp"

#include "payload/json.hpp"
#include "util/secret.hpp"

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::commands {

struct ApiFlags {
    util::SecretInput api_key; ///< resolved by api_options() or api_key_of()
    std::string api_url{bland::k_default_base_url};
    bool insecure = false;
};

/// Adds --api-key, --api-key-file, --api-url and -k/--insecure to `app`.
void add_api_flags(CLI::App* app, ApiFlags& flags);

/// The key from --api-key, --api-key-file or BLAND_API_KEY ("" when none).
std::string api_key_of(const ApiFlags& flags);

/// The client options for `flags`; a usage Error naming `what` when there is no key.
bland::ApiOptions api_options(const ApiFlags& flags, const std::string& what);

/// The "Exit codes:" paragraph of a command that asks Bland's API one thing (src/cli/exit_codes):
/// what 0, 2 and 6 mean for it (3 is "the API could not be reached"), then `after`.
std::string api_exit_codes_help(std::string_view done, std::string_view usage,
                                std::string_view api_error, std::string_view after);

/// The JSON object in `text` (--metadata, --request-data); a usage Error naming `what` otherwise.
payload::Json parse_object(const std::string& text, const char* what);

/// "call, latency" -> {"call", "latency"}: comma-separated, blanks trimmed, empty items dropped.
std::vector<std::string> split_list(const std::string& text);

/// A comma-separated --webhook-events list, each checked against Bland's documented events.
std::vector<std::string> parse_webhook_events(const std::string& text, const char* what);

} // namespace blandhook::commands
