#pragma once
// Webhook signing as Bland does it (spec section 5): header X-Webhook-Signature carries the
// lowercase hex HMAC-SHA256 of the request body keyed with the account's webhook secret.
#include <optional>
#include <string>
#include <string_view>

namespace blandhook::payload {

/// The header Bland puts the signature in.
constexpr std::string_view k_signature_header = "X-Webhook-Signature";

/// Lowercase hex HMAC-SHA256 of `body` keyed with `secret` (OpenSSL).
std::string sign(std::string_view secret, std::string_view body);

/// True when `signature` (hex, either case, surrounding blanks ignored) is the HMAC of `body`.
/// Compares in constant time.
bool signature_matches(std::string_view secret, std::string_view body, std::string_view signature);

enum class SignatureVerdict {
    valid_raw,       ///< the signature is over the exact bytes received
    valid_canonical, ///< only JSON.stringify(JSON.parse(body)) matches: a re-serialising sender
    invalid,         ///< present, matches neither
    missing,         ///< no X-Webhook-Signature header
    not_checked,     ///< no secret configured
};

/// "valid (raw)", "valid (JSON.stringify)", "invalid", "missing", "not checked".
std::string_view verdict_text(SignatureVerdict verdict);
/// "valid-raw", "valid-canonical", "invalid", "missing", "not-checked" (logs, --json, reports).
std::string_view verdict_name(SignatureVerdict verdict);
/// The verdict verdict_name() calls `name`; nullopt for any other text.
std::optional<SignatureVerdict> verdict_from_name(std::string_view name);

/// Checks a received body: raw bytes first, then the JSON.stringify re-serialisation.
/// `secret` empty means not_checked; `header` absent means missing.
SignatureVerdict check_signature(std::string_view secret, std::string_view body,
                                 std::optional<std::string_view> header);

} // namespace blandhook::payload
