#include "emulator/inbound.hpp"

#include "bland/calls_api.hpp"
#include "bland/inbound_api.hpp"
#include "emulator/call_payload.hpp"

#include <chrono>
#include <fmt/core.h>

namespace blandhook::emulator {
namespace {

using payload::Json;

Answer not_a_number(std::string_view number) {
    return invalid_parameters({fmt::format("'{}' is not a valid phone number.", number)});
}

} // namespace

Json& InboundNumbers::entry(const std::string& e164) {
    auto it = m_numbers.find(e164);
    if (it != m_numbers.end()) {
        return it->second;
    }
    // The fields of Bland's "List Numbers" example, with the defaults a new number would have.
    Json details = {{"created_at", iso_offset(std::chrono::system_clock::now())},
                    {"phone_number", e164},
                    {"prompt", ""},
                    {"webhook", nullptr},
                    {"webhook_events", Json::array()},
                    {"metadata", Json::object()},
                    {"voice_id", 0},
                    {"pathway_id", nullptr},
                    {"dynamic_data", nullptr},
                    {"interruption_threshold", nullptr},
                    {"first_sentence", nullptr},
                    {"reduce_latency", true},
                    {"transfer_phone_number", nullptr},
                    {"voice_settings", nullptr},
                    {"record", false},
                    {"max_duration", 30}};
    m_order.push_back(e164);
    return m_numbers.emplace(e164, std::move(details)).first->second;
}

Answer InboundNumbers::list() const {
    std::lock_guard lock(m_mutex);
    Json numbers = Json::array();
    for (const auto& number : m_order) {
        numbers.push_back(m_numbers.at(number));
    }
    return {200, Json{{"inbound_numbers", numbers}}};
}

Answer InboundNumbers::details(std::string_view number) {
    auto e164 = bland::normalize_number(number);
    if (!e164) {
        return not_a_number(number);
    }
    std::lock_guard lock(m_mutex);
    return {200, entry(*e164)};
}

Answer InboundNumbers::update(std::string_view number, const std::string& text,
                              const ValidationOptions& validation) {
    auto e164 = bland::normalize_number(number);
    if (!e164) {
        return not_a_number(number);
    }
    Json body;
    try {
        body = payload::parse_json(text);
    } catch (const payload::JsonError& error) {
        return invalid_parameters({not_json(error)});
    }
    std::vector<std::string> errors;
    if (!body.is_object()) {
        errors.emplace_back("The body must be a JSON object.");
    } else {
        if (auto it = body.find("webhook");
            it != body.end() && !it->is_null() &&
            !(it->is_string() && it->get_ref<const std::string&>().empty())) {
            auto problems = validate_webhook_url(*it, "webhook", validation);
            errors.insert(errors.end(), problems.begin(), problems.end());
        }
        if (auto it = body.find("webhook_events"); it != body.end() && !it->is_null()) {
            bool ok = it->is_array();
            for (const auto& event : ok ? *it : Json::array()) {
                if (!event.is_string() || !bland::is_webhook_event(event.get<std::string>())) {
                    errors.push_back(
                        fmt::format("webhook_events: {} is not a webhook event.", event.dump()));
                }
            }
            if (!ok) {
                errors.emplace_back("webhook_events must be an array of strings.");
            }
        }
        if (auto it = body.find("metadata");
            it != body.end() && !it->is_null() && !it->is_object()) {
            errors.emplace_back("metadata must be an object.");
        }
        if (auto it = body.find("max_duration");
            it != body.end() && !(it->is_number() && it->get<double>() >= 1)) {
            errors.emplace_back("max_duration must be a number of minutes, at least 1.");
        }
    }
    if (!errors.empty()) {
        return invalid_parameters(errors);
    }
    std::lock_guard lock(m_mutex);
    Json& details = entry(*e164);
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() == "phone_number" || it.key() == "created_at") {
            continue;
        }
        Json value = it.value();
        if (it.key() == "webhook" && value.is_string() &&
            value.get_ref<const std::string&>().empty()) {
            value = nullptr; // "" clears the webhook, as null does
        }
        if ((it.key() == "webhook_events" || it.key() == "metadata") && value.is_null()) {
            value = it.key() == "metadata" ? Json::object() : Json::array();
        }
        details[it.key()] = std::move(value);
    }
    return {200, Json{{"status", "success"},
                      {"message", "Inbound number updated."},
                      {"inbound_number", details}}};
}

std::optional<InboundSettings> InboundNumbers::settings(std::string_view number) {
    auto e164 = bland::normalize_number(number);
    if (!e164) {
        return std::nullopt;
    }
    std::lock_guard lock(m_mutex);
    const Json& details = entry(*e164);
    InboundSettings settings;
    settings.phone_number = *e164;
    settings.webhook = bland::webhook_of(details);
    for (const auto& event : details.value("webhook_events", Json::array())) {
        if (event.is_string()) {
            settings.events.push_back(event.get<std::string>());
        }
    }
    settings.metadata = details.value("metadata", Json::object());
    if (auto it = details.find("max_duration"); it != details.end() && it->is_number()) {
        // Read as a double: a huge value must not overflow an int conversion.
        const double minutes = it->get<double>();
        settings.max_duration = minutes >= 1 && minutes <= 1e6 ? static_cast<int>(minutes) : 30;
    }
    return settings;
}

} // namespace blandhook::emulator
