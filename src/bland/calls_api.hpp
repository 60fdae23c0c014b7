#pragma once
// Facts of Bland's calls API (spec section 6) shared by `blandhook call` and the emulator, and a
// small client for it. Every documented error shape is turned into one blandhook::Error here, so
// callers never look at Bland's inconsistent error bodies themselves.
#include "payload/json.hpp"
#include "util/non_copyable.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace blandhook::bland {

/// Where Bland's API lives unless --api-url / BLAND_BASE_URL say otherwise.
constexpr std::string_view k_default_base_url = "https://api.bland.ai";

/// The `webhook_events` values Bland documents (spec section 4).
constexpr std::array<std::string_view, 9> k_webhook_events = {
    "queue",     "call",  "latency",
    "webhook",   "tool",  "dynamic_data",
    "citations", "evals", "post_transfer_transcript"};

/// The post-call `status` values Bland documents (spec section 2).
constexpr std::array<std::string_view, 6> k_call_statuses = {"completed", "failed",   "busy",
                                                             "no-answer", "canceled", "unknown"};

/// True for "+" followed by 2 to 15 digits, the first not 0 (ITU-T E.164).
bool is_e164(std::string_view number);

/// True for a call id that can go in a URL path as it is: letters, digits, '-' and '_' (every
/// Bland call id is a UUID).
bool is_call_id(std::string_view value);

/// True when `value` is one of k_webhook_events.
bool is_webhook_event(std::string_view value);

/// True when a call-details object is done: `completed` is true, or `queue_status` is `complete`,
/// `completed` or one of the error states.
bool call_is_done(const payload::Json& details);

/// `authorization: KEY` with all but a short prefix hidden, for --dry-run and logs.
std::string redact_key(std::string_view key);

struct ApiOptions {
    std::string base_url{k_default_base_url};
    std::string api_key;
    std::chrono::milliseconds timeout{30'000}; ///< per request
    bool insecure = false;                     ///< skip TLS verification
    /// When it becomes true, a request in flight ends at once (a network error): the stop
    /// token's flag (util::StopToken::flag), so SIGINT and SIGTERM end a slow answer. May be null.
    const std::atomic<bool>* cancel = nullptr;
};

/// What one API request returned: its HTTP status and the parsed body.
struct ApiAnswer {
    int status = 0;
    payload::Json body;
};

/// A client for the calls endpoints. Throws blandhook::Error: network (cannot reach), api (any
/// non-2xx answer or an `errors` array, with the HTTP status and Bland's message).
class ApiClient : util::NonCopyable {
public:
    explicit ApiClient(ApiOptions options);
    ~ApiClient();

    /// POST /v1/calls; returns the body ({status, message, call_id, batch_id}).
    payload::Json send_call(const payload::Json& request);
    /// GET /v1/calls/{id}; the call-details object.
    payload::Json get_call(std::string_view call_id);
    /// POST /v1/calls/{id}/stop.
    payload::Json stop_call(std::string_view call_id);
    /// GET /v1/postcall/webhooks/{id}; the `data` object (payload, url, metadata[] …).
    payload::Json webhook_log(std::string_view call_id);
    /// POST /v1/postcall/webhooks/resend {call_ids:[id]}: Bland sends the post-call webhook
    /// again to the URL it was first sent to. Returns the `data` value.
    payload::Json resend_webhook(std::string_view call_id);

    /// The full URL of `path` under the base URL.
    std::string url_of(std::string_view path) const;

    /// Sends one request to `path` under the base URL (JSON `body` when not null). The endpoint
    /// wrappers here and in bland/inbound_api.hpp use it; errors are thrown as described above.
    ApiAnswer request(std::string_view method, std::string_view path, const payload::Json* body);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// One message for an error answer: "HTTP 401: Unauthorized (AUTH_FAILURE)" with a hint for 401
/// (the key) and 429 (the rate limit). `what` names the request ("POST /v1/calls").
[[noreturn]] void throw_api_error(int status, std::string_view body, std::string_view what);

} // namespace blandhook::bland
