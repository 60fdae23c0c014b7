#include "emulator/request_validation.hpp"

#include "bland/calls_api.hpp"
#include "error.hpp"
#include "http/client.hpp"

#include <fmt/core.h>

namespace blandhook::emulator {
namespace {

// A URI with a scheme, "://", a host and no blanks: enough to reject what Bland rejects.
bool plausible_url(std::string_view url, std::string_view scheme) {
    if (!url.starts_with(scheme) || url.size() <= scheme.size()) {
        return false;
    }
    std::string_view rest = url.substr(scheme.size());
    if (rest.front() == '/' || rest.front() == ':' || rest.front() == '?') {
        return false;
    }
    for (char c : url) {
        if (c <= ' ' || c == 0x7f) {
            return false;
        }
    }
    return true;
}

void expect_type(const payload::Json& body, const char* field, bool (payload::Json::*test)() const,
                 const char* type, std::vector<std::string>& errors) {
    auto it = body.find(field);
    if (it != body.end() && !it->is_null() && !((*it).*test)()) {
        errors.push_back(fmt::format("Invalid parameter: {} must be {}.", field, type));
    }
}

} // namespace

std::vector<std::string> validate_webhook_url(const payload::Json& value, std::string_view field,
                                              const ValidationOptions& options) {
    std::vector<std::string> errors;
    if (!value.is_string()) {
        errors.push_back(fmt::format("Invalid parameter: {} must be a string.", field));
        return errors;
    }
    const auto& url = value.get_ref<const std::string&>();
    bool https = plausible_url(url, "https://");
    bool http = options.allow_http_webhooks && plausible_url(url, "http://");
    bool parses = true;
    try {
        http::parse_url(url, field);
    } catch (const Error&) {
        parses = false; // a bad port or host: the URL could not be delivered to
    }
    if ((!https && !http) || !parses) {
        errors.push_back(
            options.allow_http_webhooks
                ? fmt::format("Invalid parameter: {} must be a valid URI starting with https:// "
                              "(or http://, accepted by the emulator).",
                              field)
                : fmt::format("Invalid parameter: {} must be a valid URI starting with https://.",
                              field));
    }
    return errors;
}

std::vector<std::string> validate_send_call(const payload::Json& body,
                                            const ValidationOptions& options) {
    std::vector<std::string> errors;
    if (!body.is_object()) {
        errors.emplace_back("Invalid parameters: the body must be a JSON object.");
        return errors;
    }
    auto phone = body.find("phone_number");
    if (phone == body.end() || phone->is_null() ||
        (phone->is_string() && phone->get_ref<const std::string&>().empty())) {
        errors.emplace_back("Missing required parameter: phone_number.");
    } else if (!phone->is_string() || !bland::is_e164(phone->get_ref<const std::string&>())) {
        errors.emplace_back(
            "Invalid parameter: phone_number must be in E.164 format (+ and up to 15 digits).");
    }
    auto has_text = [&](const char* field) {
        auto it = body.find(field);
        return it != body.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
    };
    if (!has_text("task") && !has_text("pathway_id")) {
        errors.emplace_back("Missing required parameter: task.");
    }
    expect_type(body, "task", &payload::Json::is_string, "a string", errors);
    expect_type(body, "pathway_id", &payload::Json::is_string, "a string", errors);
    expect_type(body, "voice", &payload::Json::is_string, "a string", errors);
    expect_type(body, "first_sentence", &payload::Json::is_string, "a string", errors);
    expect_type(body, "from", &payload::Json::is_string, "a string", errors);
    expect_type(body, "record", &payload::Json::is_boolean, "a boolean", errors);
    expect_type(body, "wait_for_greeting", &payload::Json::is_boolean, "a boolean", errors);
    expect_type(body, "metadata", &payload::Json::is_object, "an object", errors);
    expect_type(body, "request_data", &payload::Json::is_object, "an object", errors);
    if (auto from = body.find("from"); from != body.end() && from->is_string() &&
                                       !bland::is_e164(from->get_ref<const std::string&>())) {
        errors.emplace_back("Invalid parameter: from must be in E.164 format.");
    }
    if (auto it = body.find("max_duration"); it != body.end() && !it->is_null()) {
        if (!it->is_number() || it->get<double>() < 1) {
            errors.emplace_back("Invalid parameter: max_duration must be a number of minutes, "
                                "at least 1.");
        }
    }
    if (auto it = body.find("webhook"); it != body.end() && !it->is_null()) {
        auto more = validate_webhook_url(*it, "webhook", options);
        errors.insert(errors.end(), more.begin(), more.end());
    }
    if (auto it = body.find("webhook_events"); it != body.end() && !it->is_null()) {
        if (!it->is_array()) {
            errors.emplace_back("Invalid parameter: webhook_events must be an array.");
        } else {
            for (const auto& event : *it) {
                if (!event.is_string() ||
                    !bland::is_webhook_event(event.get_ref<const std::string&>())) {
                    errors.push_back(fmt::format("Invalid parameter: webhook_events value {} is "
                                                 "not a known event.",
                                                 event.dump()));
                }
            }
        }
    }
    return errors;
}

} // namespace blandhook::emulator
