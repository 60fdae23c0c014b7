#pragma once
// What the inspector's JSON API says about a capture: a short row for the list and the live stream,
// the whole request for the detail view, and the two exports (curl command, fixture file).
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

/// `s` quoted for a POSIX shell: inside single quotes, each ' written as '\''.
std::string shell_quote(std::string_view s);

/// A curl command that sends the capture's body to `url` with its Content-Type, signed with
/// `secret` (X-Webhook-Signature over the exact bytes) unless `secret` is empty.
std::string curl_command(const capture::Capture& capture, std::string_view url,
                         std::string_view secret);

/// The body as a fixture file: pretty JSON (2 spaces) and a final newline. Throws
/// blandhook::Error (input) when the body is not JSON.
std::string fixture_text(const capture::Capture& capture);

} // namespace blandhook::inspector
