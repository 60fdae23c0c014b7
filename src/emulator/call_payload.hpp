#pragma once
// Builds the bodies a simulated call sends and shows, from the fixture library: the post-call
// payload (also the call-details object once the call is over), the in-progress call details,
// the citations event and live events. Pure: the caller passes every time and id.
#include "payload/json.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace blandhook::emulator {

using SystemTime = std::chrono::system_clock::time_point;

/// `2025-09-12T20:39:03.168+00:00`, the form Bland uses for created_at.
std::string iso_offset(SystemTime time);
/// `2025-09-12T20:39:03.168Z`, the form Bland uses for started_at and end_at.
std::string iso_zulu(SystemTime time);

/// Everything about one call that its bodies echo.
struct CallFacts {
    std::string call_id;
    payload::Json request; ///< the POST /v1/calls body as received (validated)
    std::string outcome;   ///< fixture name (emulator/outcome.hpp)
    SystemTime created_at;
    std::optional<SystemTime> started_at; ///< absent while queued
    std::optional<SystemTime> ended_at;   ///< absent until the call is over
    bool stopped = false;                 ///< ended by POST /v1/calls/{id}/stop
    bool inbound = false;                 ///< someone rang an inbound number: `from` is the caller
    /// http://HOST:PORT of the emulator serving the call: recording_url points there. "" keeps
    /// the fixture's URL (re-pointed at this call).
    std::string base_url;
};

/// The zone a call's variables are written in: the request's `timezone` when it names a zone we
/// know, else the outcome fixture's variables.timezone, else "UTC".
std::string call_time_zone(const CallFacts& facts);

/// "Monday, September 15, 2025 10:02 AM", the form of Bland's `now` and `now_utc` variables,
/// shifted by `offset` from UTC.
std::string human_time(SystemTime time, std::chrono::seconds offset);

/// False when the outcome never reaches `started` (the fixture has no started_at: a call that
/// failed before it was placed, queue_error).
bool outcome_starts(std::string_view outcome);

/// False when the outcome's call never connected (busy, failed, no answer …): no "Call
/// connected" event, no citations (payload::never_connected_reason).
bool outcome_connects(std::string_view outcome);

/// The path the emulator serves a call's recording at: /v1/recordings/CALL_ID.wav.
std::string recording_path(std::string_view call_id);

/// The default caller ID when the request has no `from`.
constexpr std::string_view k_default_from = "+15550000000";

/// Which post-call webhook: the one sent at hang-up, or the delayed one that also carries
/// corrected_transcript and citations.
enum class PostCallVariant { immediate, delayed };

/// The post-call payload of a finished call: the outcome fixture with this call's ids, numbers,
/// times, metadata, variables and request_data, plus the delayed variant's fields when asked.
/// Throws blandhook::Error (internal) for a missing fixture.
payload::Json build_post_call(const CallFacts& facts, PostCallVariant variant);

/// GET /v1/calls/{id} while the call is not over: ids, numbers, times, `completed: false` and
/// `queue_status` (`queued` or `started`). Bland does not document the in-progress `status`
/// value; the emulator sends null.
payload::Json build_in_progress(const CallFacts& facts);

/// The separate citations event (spec section 4) for a finished call.
payload::Json build_citations_event(const CallFacts& facts, SystemTime now);

/// A live event `{message, call_id, category, log_level}`.
payload::Json build_live_event(std::string_view call_id, std::string_view message,
                               std::string_view category, std::string_view log_level);

} // namespace blandhook::emulator
