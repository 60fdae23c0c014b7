#pragma once
// The emulator's read-only call endpoints beyond GET /v1/calls/{id}, as the official `bland` CLI
// uses them (docs/emulate.md): the call list (GET /v1/calls), a call's events
// (GET /v1/calls/{id}/events), call analysis (POST /v1/calls/{id}/analyze, Bland's documented
// one, and POST /v1/calls/analyze, the one bland-cli 0.6 calls) and the recording the
// post-call payload points at (GET /v1/recordings/{id}.wav). Pure functions over snapshots of
// the calls, so the emulator's state and locking stay in emulator.cpp.
#include "emulator/answer.hpp"
#include "emulator/call_payload.hpp"
#include "payload/json.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::emulator {

/// One call as the query endpoints see it, copied out under the emulator's lock.
struct CallSnapshot {
    payload::Json details; ///< what GET /v1/calls/{id} answers now
    SystemTime created_at;
    bool ended = false;
    bool recorded = false;   ///< the request asked for record: true
    payload::Json events;    ///< [{call_id, message, category, log_level, timestamp}]
    payload::Json citations; ///< the call's citations once ended (array, maybe empty)
};

/// GET /v1/calls with Bland's documented query parameters (from_number, to_number, from, to,
/// limit, ascending, sort_by, start_date, end_date, completed, inbound, batch_id, answered_by,
/// created_at). `calls` in any order. Answers {count, total_count, calls:[…]} or a 400 naming a
/// bad parameter.
Answer list_calls(const std::vector<CallSnapshot>& calls,
                  const std::multimap<std::string, std::string>& query);

/// GET /v1/calls/{id}/events: {data:[events], errors:null}.
Answer call_events(const CallSnapshot& call);

/// POST /v1/calls/{id}/analyze, body {goal, questions:[[question, type], …]}: one answer per
/// question, chosen from the call's details (no language model: docs/emulate.md).
Answer analyze_questions(const CallSnapshot& call, std::string_view request_body);

/// POST /v1/calls/analyze, body {call_id, schema_id?} (bland-cli's `call analyze`): the call's
/// citation-style analysis, {data:{call_id, schema_id, status, citations}, errors:null}.
Answer analyze_with_schema(
    std::string_view request_body,
    const std::function<std::optional<CallSnapshot>(const std::string& call_id)>& find);

/// A valid WAV file: `seconds` of a quiet 440 Hz tone, 8 kHz mono 16-bit PCM.
std::string wav_recording(double seconds);

} // namespace blandhook::emulator
