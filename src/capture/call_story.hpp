#pragma once
// Everything captured for one call, in order (live events, the post-call webhook, the delayed
// one, citations), and what changed between the post-call body and the delayed one, for
// `blandhook captures call` and the inspector's call view.
#include "capture/history.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace blandhook::capture {

/// One difference between two JSON bodies, by RFC 6901 pointer.
struct BodyChange {
    std::string op;        ///< "add", "remove" or "replace"
    std::string pointer;   ///< "" for the whole body
    nlohmann::json before; ///< null for "add"
    nlohmann::json after;  ///< null for "remove"
};

struct CallStory {
    std::string call_id;
    std::vector<Capture> captures;             ///< in log order
    std::optional<std::uint64_t> post_call_id; ///< the first post-call capture
    std::optional<std::uint64_t> delayed_id;   ///< the last delayed post-call capture
    std::vector<BodyChange> changes;           ///< post-call body -> delayed body
};

/// The captures whose payload call_id is exactly `call_id`, read from the whole history.
CallStory call_story(const History& history, const std::string& call_id);
/// The story of `captures` (in log order; those of other calls are left out).
CallStory call_story(const std::string& call_id, std::vector<Capture> captures);

/// The differences between two JSON documents, pointer by pointer (arrays index by index).
std::vector<BodyChange> json_changes(const nlohmann::json& before, const nlohmann::json& after);

/// The story as JSON: {call_id, captures: [rows], post_call_id, delayed_id, changes: [...]};
/// `row` turns a capture into its row.
nlohmann::json call_story_json(const CallStory& story,
                               const std::function<nlohmann::json(const Capture&)>& row);

} // namespace blandhook::capture
