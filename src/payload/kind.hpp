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
    /// `event_type: "post_transfer_transcript"`: the transcript after a transfer, on its own
    post_transfer_event,
    multiple_event, ///< `event_type: "multiple"`: several post-processing results, see `contents`
    evals_event,    ///< `event_type: "evals"`: the post-call evals results
    live_event,     ///< `category` + `message`, sent during the call
    unknown,        ///< anything else, non-JSON and non-object bodies included
};

/// The stable names used on the command line, in logs and in schema file names:
/// "post-call", "delayed-post-call", "citations-event", "post-transfer-transcript-event",
/// "multiple-event", "evals-event", "live-event", "unknown".
std::string_view kind_name(Kind kind);

/// The kind named `name` (see kind_name), if any.
std::optional<Kind> kind_from_name(std::string_view name);

/// The kinds that have a JSON Schema (all but unknown), in documentation order.
constexpr std::array<Kind, 7> k_schema_kinds = {
    Kind::post_call,      Kind::delayed_post_call, Kind::citations_event, Kind::post_transfer_event,
    Kind::multiple_event, Kind::evals_event,       Kind::live_event};

/// The post-processing events: a body of its own named by `event_type`, sent after the post-call
/// webhook (spec section 4), and the `event_type` value of each.
struct EventType {
    Kind kind;
    std::string_view event_type;
};
constexpr std::array<EventType, 4> k_event_types = {{
    {Kind::citations_event, "citations"},
    {Kind::post_transfer_event, "post_transfer_transcript"},
    {Kind::multiple_event, "multiple"},
    {Kind::evals_event, "evals"},
}};

} // namespace blandhook::payload
