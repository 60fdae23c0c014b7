#include "emulator/answer.hpp"

#include <fmt/core.h>

namespace blandhook::emulator {

using payload::Json;

Json status_error(std::string_view message, const std::vector<std::string>& errors) {
    Json body = {{"status", "error"}, {"message", message}};
    if (!errors.empty()) {
        body["errors"] = errors;
    }
    return body;
}

Json data_error(std::string_view code, std::string_view message) {
    return Json{{"data", nullptr},
                {"errors", Json::array({Json{{"error", code}, {"message", message}}})}};
}

Answer invalid_parameters(const std::vector<std::string>& errors) {
    return {400, status_error("Invalid parameters", errors)};
}

std::string not_json(const payload::JsonError& error) {
    return fmt::format("The body is not valid JSON: {}", error.what());
}

} // namespace blandhook::emulator
