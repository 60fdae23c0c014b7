#pragma once
// The kinds of body that reach a Bland webhook URL (spec section 4): how a body is told apart.
#include <array>
#include <optional>
#include <string_view>

namespace blandhook::payload {

enum class Kind {
    post_call,         ///< has `completed` / `concatenated_transcript`
    delayed_post_call, ///< a post-call body that also has `corrected_transcript` or `citations`
    citations_event,   ///< `event_type: "citations"`
    live_event,        ///< `category` + `message`, sent during the call
    unknown,           ///< anything else, non-JSON and non-object bodies included
};

/// The stable names used on the command line, in logs and in schema file names:
/// "post-call", "delayed-post-call", "citations-event", "live-event", "unknown".
std::string_view kind_name(Kind kind);

/// The kind named `name` (see kind_name), if any.
std::optional<Kind> kind_from_name(std::string_view name);

/// The kinds that have a JSON Schema (all but unknown), in documentation order.
constexpr std::array<Kind, 4> k_schema_kinds = {Kind::post_call, Kind::delayed_post_call,
                                                Kind::citations_event, Kind::live_event};

} // namespace blandhook::payload
