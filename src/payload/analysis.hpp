#pragma once
// One pass over a received body: parse (simdjson, the listener's hot path), classify, validate
// against the kind's embedded JSON Schema, and summarise for a one-line display.
#include "payload/kind.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::payload {

enum class Severity { error, warning };

/// "error" or "warning".
std::string_view severity_name(Severity severity);

/// One validation result: where (RFC 6901 JSON pointer, "" for the whole body), how bad, what.
struct Finding {
    std::string pointer;
    Severity severity = Severity::error;
    std::string message;
};

/// What a one-line display shows of a body. Empty strings / nullopt where the body has no value.
struct Summary {
    std::string call_id;
    std::string direction;                  ///< "inbound", "outbound" or "" (from `inbound`)
    std::string status;                     ///< `status`, or `queue_status` when no status
    std::string error_message;              ///< `error_message` when a string
    std::optional<double> duration_seconds; ///< `corrected_duration` (a string!) or call_length*60
    std::string answered_by;
    std::size_t transcript_turns = 0; ///< entries in `transcripts`
    std::string message;              ///< live events: `message`; citations events: "N citations"
};

struct Analysis {
    Kind kind = Kind::unknown;
    bool is_json = false;   ///< the body parsed as JSON (any type)
    bool valid_utf8 = true; ///< the body is valid UTF-8
    std::string json_error; ///< why it did not parse, when !is_json
    Summary summary;
    std::vector<Finding> findings; ///< empty for unknown bodies

    std::size_t error_count() const;
    std::size_t warning_count() const;
};

/// Parses, classifies, validates and summarises `body`. Never throws on any input; thread-safe.
Analysis analyze(std::string_view body);

/// The kind of `body` (Kind::unknown for non-JSON and non-object bodies).
Kind classify(std::string_view body);

/// Validates `body` as `kind` (as its own classified kind when absent).
std::vector<Finding> validate(std::string_view body, std::optional<Kind> kind = std::nullopt);

/// The embedded JSON Schema (draft 2020-12 plus x- annotations) for `kind`; empty for unknown.
std::string_view schema_text(Kind kind);

/// Analysis as JSON for logs, --json output and the inspector:
/// {"kind","is_json","valid_utf8","json_error"?,"summary":{…},"findings":[{pointer,severity,message}]}
nlohmann::json to_json(const Analysis& analysis);

} // namespace blandhook::payload
