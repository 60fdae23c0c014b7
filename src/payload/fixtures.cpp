#include "payload/fixtures.hpp"

#include "embed/embedded.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace blandhook::payload {
namespace {

// `modelled` marks the outcomes Bland never published an example payload of (spec section 3: no
// failed, busy or unanswered call; no inbound, voicemail or transfer call either; of the
// post-transfer transcript, "multiple" and evals events only the field names). Their fields are
// our best model; docs/fixtures.md and docs/payload.md say the same to users.
constexpr std::array k_fixtures = {
    FixtureInfo{"citations-event", Kind::citations_event,
                "separate citations event sent after the post-call webhook (delay toggle off)",
                false},
    FixtureInfo{"completed-inbound", Kind::post_call,
                "answered inbound call to a Bland number, no pathway, not recorded", true},
    FixtureInfo{"completed-outbound", Kind::post_call,
                "answered outbound pathway call, multi-turn conversation, recorded (the 9.5 KB "
                "benchmark body)",
                false},
    FixtureInfo{"delayed-citations", Kind::delayed_post_call,
                "delayed post-call webhook with corrected_transcript and citations", false},
    FixtureInfo{"delayed-post-transfer", Kind::delayed_post_call,
                "delayed post-call webhook of a transferred call: event_type \"multiple\", "
                "citations and post_transfer_transcript",
                true},
    FixtureInfo{"error-busy", Kind::post_call, "outbound call to a busy line (SIP 486)", true},
    FixtureInfo{"error-call-failed", Kind::post_call,
                "generic failure: error_message \"Call failed.\"", true},
    FixtureInfo{"error-database", Kind::post_call, "call never placed: internal database error",
                true},
    FixtureInfo{"error-number-not-found", Kind::post_call,
                "invalid or disconnected number (SIP 404)", true},
    FixtureInfo{"error-spam-blocked", Kind::post_call,
                "carrier blocked the call for spam or number reputation (SIP 608)", true},
    FixtureInfo{"error-temporarily-unavailable", Kind::post_call,
                "number temporarily unavailable, network or carrier trouble (SIP 480)", true},
    FixtureInfo{"error-unable-to-start", Kind::post_call, "call never started: dispatch failure",
                true},
    FixtureInfo{"error-unknown", Kind::post_call,
                "fallback failure: error_message \"unknown\", status unknown", true},
    FixtureInfo{"evals-event", Kind::evals_event,
                "post-call evals results, the event post_call_evals announces", true},
    FixtureInfo{"live-event", Kind::live_event,
                "live call event \"Call connected\" (category call)", false},
    FixtureInfo{"multiple-event", Kind::multiple_event,
                "separate event with several post-processing results (citations and the "
                "post-transfer transcript)",
                true},
    FixtureInfo{"no-answer", Kind::post_call, "outbound call that rang out unanswered", true},
    FixtureInfo{"post-transfer-transcript-event", Kind::post_transfer_event,
                "separate post-transfer transcript event after a transferred call", true},
    FixtureInfo{"voicemail", Kind::post_call, "outbound call answered by voicemail, message left",
                true},
    FixtureInfo{"warm-transfer", Kind::post_call,
                "call warm-transferred to a human agent and merged (warm_transfer_call)", true},
};

std::string_view stem(std::string_view name) {
    constexpr std::string_view extension = ".json";
    if (name.ends_with(extension)) {
        name.remove_suffix(extension.size());
    }
    return name;
}

} // namespace

std::span<const FixtureInfo> builtin_fixtures() {
    return k_fixtures;
}

const FixtureInfo* find_fixture(std::string_view name) {
    const std::string_view wanted = stem(name);
    auto it = std::ranges::find_if(k_fixtures,
                                   [&](const FixtureInfo& info) { return info.name == wanted; });
    return it == k_fixtures.end() ? nullptr : &*it;
}

std::optional<std::string_view> fixture_body(std::string_view name) {
    const FixtureInfo* info = find_fixture(name);
    if (info == nullptr) {
        return std::nullopt;
    }
    return embed::find("fixtures/" + std::string(info->name) + ".json");
}

} // namespace blandhook::payload
