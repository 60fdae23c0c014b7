#include "commands/api_flags.hpp"

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "error.hpp"

#include <fmt/core.h>

namespace blandhook::commands {

void add_api_flags(CLI::App* app, ApiFlags& flags) {
    cli::add_secret_options(app, flags.api_key, util::k_api_key, "Bland API key (never printed)");
    app->add_option("--api-url", flags.api_url, "Bland API base URL (or the emulator's)")
        ->envname("BLAND_BASE_URL")
        ->capture_default_str();
    app->add_flag("-k,--insecure", flags.insecure, "Skip TLS verification of the API");
}

std::string api_exit_codes_help(std::string_view done, std::string_view usage,
                                std::string_view api_error, std::string_view after) {
    using namespace cli::exit_code;
    return cli::command_exit_codes_help({{k_ok, done},
                                         {k_usage, usage},
                                         {k_unreachable, "the API could not be reached"},
                                         {k_api, api_error}},
                                        after);
}

std::string api_key_of(const ApiFlags& flags) {
    return util::resolve_secret(flags.api_key, util::k_api_key);
}

bland::ApiOptions api_options(const ApiFlags& flags, const std::string& what) {
    std::string key = api_key_of(flags);
    if (key.empty()) {
        throw Error(ErrorKind::usage, what, "no API key",
                    "set BLAND_API_KEY (the official CLI's variable) or pass --api-key-file FILE");
    }
    bland::ApiOptions options;
    options.base_url = flags.api_url;
    options.api_key = std::move(key);
    options.insecure = flags.insecure;
    return options;
}

payload::Json parse_object(const std::string& text, const char* what) {
    payload::Json value;
    try {
        value = payload::parse_json(text);
    } catch (const payload::JsonError& error) {
        throw Error(ErrorKind::usage, what, fmt::format("not JSON: {}", error.what()),
                    R"(give a JSON object, e.g. '{"customer_id":"c_42"}')");
    }
    if (!value.is_object()) {
        throw Error(ErrorKind::usage, what, "must be a JSON object");
    }
    return value;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    std::string item;
    for (char c : text + ",") {
        if (c == ',') {
            auto first = item.find_first_not_of(' ');
            auto last = item.find_last_not_of(' ');
            if (first != std::string::npos) {
                items.push_back(item.substr(first, last - first + 1));
            }
            item.clear();
        } else {
            item += c;
        }
    }
    return items;
}

std::vector<std::string> parse_webhook_events(const std::string& text, const char* what) {
    std::vector<std::string> events = split_list(text);
    for (const auto& event : events) {
        if (!bland::is_webhook_event(event)) {
            std::string known;
            for (auto name : bland::k_webhook_events) {
                known += (known.empty() ? "" : ", ") + std::string(name);
            }
            throw Error(ErrorKind::usage, what,
                        fmt::format("'{}' is not a Bland webhook event", event),
                        "known events: " + known);
        }
    }
    return events;
}

} // namespace blandhook::commands
