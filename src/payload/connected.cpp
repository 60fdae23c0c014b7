#include "payload/connected.hpp"

#include <array>
#include <string_view>

namespace blandhook::payload {
namespace {

// Spec section 2's `status` values of a call nobody talked on: everything but "completed".
constexpr std::array<std::string_view, 5> k_unconnected_statuses = {"failed", "busy", "no-answer",
                                                                    "canceled", "unknown"};

std::string text_of(const Json& object, const char* field) {
    auto it = object.find(field);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

std::string never_connected_reason(const Json& post_call) {
    if (!post_call.is_object()) {
        return {};
    }
    const std::string status = text_of(post_call, "status");
    for (std::string_view unconnected : k_unconnected_statuses) {
        if (status == unconnected) {
            return "status " + status;
        }
    }
    if (status.empty() && text_of(post_call, "answered_by") == "no-answer") {
        return "answered_by no-answer";
    }
    return {};
}

} // namespace blandhook::payload
