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
    case Kind::post_transfer_event:
        return "post-transfer-transcript-event";
    case Kind::multiple_event:
        return "multiple-event";
    case Kind::evals_event:
        return "evals-event";
    case Kind::live_event:
        return "live-event";
    case Kind::unknown:
        break;
    }
    return "unknown";
}

std::optional<Kind> kind_from_name(std::string_view name) {
    for (Kind kind : k_schema_kinds) {
        if (kind_name(kind) == name) {
            return kind;
        }
    }
    if (name == kind_name(Kind::unknown)) {
        return Kind::unknown;
    }
    return std::nullopt;
}

} // namespace blandhook::payload
