#include "capture/call_story.hpp"

namespace blandhook::capture {

std::vector<BodyChange> json_changes(const nlohmann::json& before, const nlohmann::json& after) {
    std::vector<BodyChange> changes;
    for (const nlohmann::json& step : nlohmann::json::diff(before, after)) {
        BodyChange change;
        change.op = step.at("op").get<std::string>();
        change.pointer = step.at("path").get<std::string>();
        const nlohmann::json::json_pointer pointer(change.pointer);
        if (change.op != "add" && before.contains(pointer)) {
            change.before = before.at(pointer);
        }
        if (step.contains("value")) {
            change.after = step.at("value");
        }
        changes.push_back(std::move(change));
    }
    return changes;
}

CallStory call_story(const History& history, const std::string& call_id) {
    Filter filter;
    filter.call_id = call_id;
    std::vector<Capture> captures;
    history.oldest_first(filter, [&](Capture&& capture) {
        captures.push_back(std::move(capture));
        return true;
    });
    return call_story(call_id, std::move(captures));
}

CallStory call_story(const std::string& call_id, std::vector<Capture> captures) {
    CallStory story;
    story.call_id = call_id;
    for (Capture& capture : captures) {
        if (capture.payload.call_id == call_id) { // a Filter matches a call_id's beginning
            story.captures.push_back(std::move(capture));
        }
    }
    const Capture* post_call = nullptr;
    const Capture* delayed = nullptr;
    for (const Capture& capture : story.captures) {
        if (capture.payload.kind == "post-call" && post_call == nullptr) {
            post_call = &capture;
        } else if (capture.payload.kind == "delayed-post-call") {
            delayed = &capture;
        }
    }
    if (post_call != nullptr) {
        story.post_call_id = post_call->id;
    }
    if (delayed != nullptr) {
        story.delayed_id = delayed->id;
    }
    if (post_call != nullptr && delayed != nullptr) {
        const auto before = nlohmann::json::parse(post_call->body, nullptr, false);
        const auto after = nlohmann::json::parse(delayed->body, nullptr, false);
        if (!before.is_discarded() && !after.is_discarded()) {
            story.changes = json_changes(before, after);
        }
    }
    return story;
}

nlohmann::json call_story_json(const CallStory& story,
                               const std::function<nlohmann::json(const Capture&)>& row) {
    nlohmann::json captures = nlohmann::json::array();
    for (const Capture& capture : story.captures) {
        captures.push_back(row(capture));
    }
    nlohmann::json changes = nlohmann::json::array();
    for (const BodyChange& change : story.changes) {
        changes.push_back({{"op", change.op},
                           {"pointer", change.pointer},
                           {"before", change.before},
                           {"after", change.after}});
    }
    return {{"call_id", story.call_id},
            {"captures", std::move(captures)},
            {"post_call_id", story.post_call_id ? nlohmann::json(*story.post_call_id) : nullptr},
            {"delayed_id", story.delayed_id ? nlohmann::json(*story.delayed_id) : nullptr},
            {"changes", std::move(changes)}};
}

} // namespace blandhook::capture
