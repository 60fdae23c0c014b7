#include "bland/inbound_api.hpp"

#include "error.hpp"

#include <algorithm>
#include <fmt/core.h>

namespace blandhook::bland {
namespace {

using payload::Json;

// The path segment for a number: Bland accepts "%2B" for the plus sign, and a literal "+" in a
// path is read as a space by some servers.
std::string number_path(std::string_view number) {
    std::string e164 = require_number(number, "phone number");
    return "/v1/inbound/%2B" + e164.substr(1);
}

} // namespace

std::optional<std::string> normalize_number(std::string_view text) {
    std::string digits;
    if (text.starts_with("%2B") || text.starts_with("%2b")) {
        text.remove_prefix(3);
    } else if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    } else if (text.size() == 10) {
        digits = "1"; // 3334445555: Bland assumes a US number
    }
    if (text.empty() || !std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    digits += text;
    std::string e164 = "+" + digits;
    if (!is_e164(e164)) {
        return std::nullopt;
    }
    return e164;
}

std::string require_number(std::string_view text, std::string_view what) {
    auto number = normalize_number(text);
    if (!number) {
        throw Error(ErrorKind::usage, std::string(what),
                    fmt::format("'{}' is not a phone number", text),
                    "write it in E.164 form, e.g. +15551234567 (Bland also accepts 5551234567 "
                    "for a US number)");
    }
    return *number;
}

std::string webhook_of(const Json& details) {
    if (!details.is_object()) {
        return {};
    }
    auto it = details.find("webhook");
    return it != details.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Json list_inbound(ApiClient& api) {
    Json body = api.request("GET", "/v1/inbound", nullptr).body;
    if (body.is_object() && body.contains("inbound_numbers") &&
        body["inbound_numbers"].is_array()) {
        return body["inbound_numbers"];
    }
    if (body.is_array()) {
        return body;
    }
    return Json::array();
}

Json get_inbound(ApiClient& api, std::string_view number) {
    return api.request("GET", number_path(number), nullptr).body;
}

Json set_inbound_webhook(ApiClient& api, std::string_view number, const WebhookSettings& settings,
                         const Json& current) {
    Json body = Json::object();
    if (current.is_object()) {
        auto prompt = current.find("prompt");
        auto pathway = current.find("pathway_id");
        bool has_pathway = pathway != current.end() && pathway->is_string() &&
                           !pathway->get<std::string>().empty();
        if (!has_pathway && prompt != current.end() && prompt->is_string() &&
            !prompt->get<std::string>().empty()) {
            body["prompt"] = *prompt;
        }
    }
    if (settings.webhook) {
        body["webhook"] = settings.webhook->empty() ? Json() : Json(*settings.webhook);
    }
    if (settings.webhook_events) {
        body["webhook_events"] = *settings.webhook_events;
    }
    if (settings.metadata) {
        body["metadata"] = *settings.metadata;
    }
    return api.request("POST", number_path(number), &body).body;
}

Json create_postcall_webhooks(ApiClient& api, const std::vector<std::string>& call_ids,
                              std::string_view url) {
    Json body = {{"call_ids", call_ids}, {"webhook_url", url}};
    return api.request("POST", "/v1/postcall/webhooks/create", &body).body;
}

} // namespace blandhook::bland
