#pragma once
// Bland's inbound-number endpoints (docs.bland.ai api-v1: GET /v1/inbound, GET and POST
// /v1/inbound/{phone_number}) and the post-call "create" endpoint that sends a finished call's
// webhook to any URL (POST /v1/postcall/webhooks/create). Thin wrappers over ApiClient: errors
// come out as the same blandhook::Error as every other Bland request.
#include "bland/calls_api.hpp"
#include "payload/json.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::bland {

/// A phone number as Bland's inbound endpoints accept it ("+13334445555", "%2B13334445555",
/// "13334445555" or "3334445555", a US code assumed for 10 digits) in E.164 form, or nullopt
/// when it is not one.
std::optional<std::string> normalize_number(std::string_view text);

/// normalize_number, or a usage Error naming `what` with an example.
std::string require_number(std::string_view text, std::string_view what);

/// The `webhook` of an inbound number's details: "" when it has none (null, missing or empty).
std::string webhook_of(const payload::Json& details);

/// GET /v1/inbound: the `inbound_numbers` array (empty when the account has none).
payload::Json list_inbound(ApiClient& api);

/// GET /v1/inbound/{number}: the number's details object.
payload::Json get_inbound(ApiClient& api, std::string_view number);

/// What set_inbound_webhook changes; only the fields that are set are sent.
struct WebhookSettings {
    std::optional<std::string> webhook; ///< "" clears it (sent as null)
    std::optional<std::vector<std::string>> webhook_events;
    std::optional<payload::Json> metadata; ///< an object
};

/// POST /v1/inbound/{number} with `settings`. Bland's page marks `prompt` required on this
/// endpoint, so the number's current prompt is sent back unchanged when `current` has one and
/// the number does not follow a pathway (sending a pathway_id would reset its agent). Returns the
/// answer's body.
payload::Json set_inbound_webhook(ApiClient& api, std::string_view number,
                                  const WebhookSettings& settings, const payload::Json& current);

/// POST /v1/postcall/webhooks/create {call_ids, webhook_url}: Bland sends each finished call's
/// post-call webhook to `url` (it refuses calls whose webhook was already sent).
payload::Json create_postcall_webhooks(ApiClient& api, const std::vector<std::string>& call_ids,
                                       std::string_view url);

} // namespace blandhook::bland
