#pragma once
// Turning a capture back into something to run or keep: a curl command that re-sends it
// (signed when a secret is known) and a pretty fixture file. Used by `blandhook captures export`
// and the inspector's "copy as curl" / "download as fixture".
#include "capture/capture.hpp"

#include <string>

namespace blandhook::capture {

/// A shell command (bash, zsh, sh) that re-sends the capture byte-exact to `url` (the path and
/// query of the capture are appended when `url` has no path). With a secret, X-Webhook-Signature
/// is recomputed; without one, a signature the capture carried is kept. Bodies that are not
/// UTF-8 travel through base64 -d.
std::string curl_command(const Capture& capture, const std::string& url, const std::string& secret);

/// The body as a fixture file: pretty-printed JSON (2 spaces, key order kept, newline at the
/// end). Throws blandhook::Error (input) when the body is not JSON.
std::string fixture_text(const Capture& capture);

/// Single-quotes `text` for a POSIX shell.
std::string shell_quote(const std::string& text);

} // namespace blandhook::capture
