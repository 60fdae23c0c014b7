#include "payload/kind.hpp"

namespace blandhook::payload {

std::string_view kind_name(Kind kind) {
    switch (kind) {
    case Kind::post_call:
        return "post-call";
    case Kind::delayed_post_call:
        return "delayed-post-call";
    case Kind::citations_event:
        return "citations-event";
    case Kind::live_event:
        return "live-event";
    case Kind::unknown:
        break;
    }
    return "unknown";
}

std::optional<Kind> kind_from_name(std::string_view name) {
    for (Kind kind : {Kind::post_call, Kind::delayed_post_call, Kind::citations_event,
                      Kind::live_event, Kind::unknown}) {
        if (kind_name(kind) == name) {
            return kind;
        }
    }
    return std::nullopt;
}

} // namespace blandhook::payload
