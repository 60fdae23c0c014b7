#include "payload/kind.hpp"

#include "util/enum_table.hpp"

namespace blandhook::payload {

namespace {

// Each kind's stable name: one row each, read in both directions.
constexpr util::Named<Kind> k_kind_names[] = {
    {Kind::post_call, "post-call"},
    {Kind::delayed_post_call, "delayed-post-call"},
    {Kind::citations_event, "citations-event"},
    {Kind::post_transfer_event, "post-transfer-transcript-event"},
    {Kind::multiple_event, "multiple-event"},
    {Kind::evals_event, "evals-event"},
    {Kind::live_event, "live-event"},
    {Kind::unknown, "unknown"},
};

} // namespace

std::string_view kind_name(Kind kind) {
    return util::name_of(k_kind_names, kind, "unknown");
}

std::optional<Kind> kind_from_name(std::string_view name) {
    return util::value_of(k_kind_names, name);
}

} // namespace blandhook::payload
