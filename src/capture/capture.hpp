#pragma once
// One captured request, exactly as it arrived, plus what the listener answered and what the
// payload model made of its body. One Capture is one line of the capture log (docs/capture-log.md).
#include "http/header.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::capture {

/// One request header as received. Order and duplicates are kept as the HTTP layer reports them
/// (cpp-httplib groups headers by case-insensitive name, see docs/capture-log.md).
using Header = http::Header;

/// The most of the app's answer body a capture keeps (the log stays readable; the size says how
/// much there was).
constexpr std::size_t k_forward_body_limit = 64u << 10;

/// What happened when the request was relayed with --forward-to: the app's answer as ngrok's
/// inspector shows it (status, headers, the body up to k_forward_body_limit), or why there was
/// none.
struct ForwardResult {
    std::string url;   ///< where it was sent
    int status = 0;    ///< the app's status, 0 when it could not be reached
    std::string error; ///< "connection refused", "timed out", … when status is 0
    std::int64_t latency_us = 0;
    std::vector<Header> headers;  ///< the app's answer headers, as received
    std::string body;             ///< the answer body, at most k_forward_body_limit bytes
    std::uint64_t body_bytes = 0; ///< the whole body's size (more than body.size() when cut)

    bool body_truncated() const { return body_bytes > body.size(); }
    /// Keeps `full` as the body: all of it, or its first k_forward_body_limit bytes (cut on a
    /// UTF-8 character boundary when it is text).
    void keep_body(std::string full);
};

/// What the payload model said of the body (payload::analyze + payload::check_signature).
struct PayloadSummary {
    std::string kind = "unknown"; ///< payload::kind_name: "post-call", "live-event", …
    bool is_json = false;
    bool valid_utf8 = true;
    std::string json_error; ///< why it is not JSON, when !is_json
    std::string call_id;
    std::string status; ///< `status`, or `queue_status`
    std::string error_message;
    std::optional<double> duration_seconds;
    std::string message;                   ///< live events / citations events
    std::string signature = "not-checked"; ///< payload::verdict_name
    std::size_t errors = 0;                ///< validation findings of severity error
    std::size_t warnings = 0;
    struct Finding {
        std::string pointer;  ///< RFC 6901, "" for the whole body
        std::string severity; ///< "error" or "warning"
        std::string message;
    };
    std::vector<Finding> findings;
};

struct Capture {
    std::uint64_t id = 0; ///< unique, increasing across restarts of the same log
    std::string
        received_at;    ///< wall clock, UTC, ISO 8601 with milliseconds: 2026-11-27T10:06:04.123Z
    std::string method; ///< as received: POST, GET, …
    std::string path;   ///< the request target before '?', not percent-decoded
    std::string query;  ///< after '?', without it; "" when none
    std::vector<Header> headers;
    std::string body; ///< raw bytes (binary-safe)
    std::string peer; ///< "127.0.0.1:53412" or "[::1]:53412"
    std::string tls;  ///< "" for plain http, else "https"

    int response_status = 0; ///< what the sender got; 0 when the connection was dropped (--drop)
    std::string
        response_note; ///< why: "sequence 2/3", "fail-rate", "signature required", "forwarded", …
    std::int64_t latency_us = 0; ///< request read to answer ready (includes --delay and forwarding)
    std::optional<ForwardResult> forward;

    PayloadSummary payload;

    /// The value of the first header named `name` (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const;
    /// path plus "?query" when there is a query.
    std::string target() const;
};

/// One NDJSON line (no trailing newline) for the capture log and `listen --json`. The body is
/// stored as text when it is valid UTF-8, else base64 with "body_encoding":"base64", so every line
/// is valid JSON and from_json gives back the exact bytes. Fast: used on the listener's hot path.
std::string to_json_line(const Capture& capture);
/// The same line appended to `out` (no newline), so a caller can reuse one buffer.
void append_json_line(std::string& out, const Capture& capture);

/// The same as a JSON value (for the inspector's API).
nlohmann::json to_json(const Capture& capture);

/// Reads a capture from a parsed log line. Throws blandhook::Error (input) on a malformed line.
Capture from_json(const nlohmann::json& line);

/// Parses one NDJSON line. Throws blandhook::Error (input) on a malformed line.
Capture from_json_line(std::string_view line);

/// Fills `capture.payload` from analysing its body, checking the signature with `secret` ("" =
/// not checked). Returns the verdict name it stored.
void analyze_into(Capture& capture, std::string_view secret);

/// Current UTC time as ISO 8601 with milliseconds and a Z.
std::string now_iso8601();

/// Standard base64 (RFC 4648, with padding) and its inverse (throws Error input on bad input).
std::string base64_encode(std::string_view bytes);
std::string base64_decode(std::string_view text);

/// True when `bytes` is valid UTF-8.
bool is_valid_utf8(std::string_view bytes);

} // namespace blandhook::capture
