#pragma once
// Who may use the inspector. It listens on 127.0.0.1 only, on a port of its own (never the capture
// port a tunnel exposes). The page and its API answer only requests addressed to that port by a
// loopback name (Host: no DNS rebinding) from its own origin (no CSRF), as http/browser_guard.hpp
// checks; actions that send or change anything also need the per-process token the page got in
// its HTML.
#include "http/browser_guard.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace blandhook::inspector {

/// What a request asks for, from least to most guarded.
enum class Need {
    page,   ///< the HTML page and its assets (top-level navigation allowed)
    read,   ///< the JSON API and the event stream
    action, ///< anything that sends or changes: needs the page token too
};

/// The parts of a request the checks look at ("" when absent).
struct RequestFacts : http::BrowserFacts {
    std::string page_token; ///< X-Blandhook-Token header
};

/// The inspector's port (on 127.0.0.1) and the token it holds.
struct ServerFacts {
    int port = 0;
    std::string page_token; ///< per process, embedded in the page
};

/// Nothing when the request may go on, else the status (403) and why.
std::optional<http::Refusal> check_request(const RequestFacts& request, const ServerFacts& server,
                                           Need need);

/// Constant-time comparison of two tokens (false when either is empty).
bool tokens_equal(std::string_view a, std::string_view b);

/// 32 random hex characters from OpenSSL's CSPRNG.
std::string random_token();

} // namespace blandhook::inspector
