#pragma once
// What the inspector's JSON API says about a capture: a short row for the list and the live stream,
// and the whole request for the detail view. Its exports (curl command, fixture file) are
// capture/export's, the same as `blandhook captures export`.
#include "capture/capture.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace blandhook::inspector {

/// The list row: id, time, method, path, answer {status, dropped, latency_ms, note}, kind,
/// call_id, status, error_message, message, duration_s, signature, errors, warnings, size.
nlohmann::json row_json(const capture::Capture& capture);

/// The row plus target, query, headers [[name, value]…], peer, tls, body (text, or base64 with
/// body_encoding "base64"), analysis {is_json, valid_utf8, json_error, findings}, signature_text
/// and forward.
nlohmann::json detail_json(const capture::Capture& capture);

} // namespace blandhook::inspector
