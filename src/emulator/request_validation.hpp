#pragma once
// The checks POST /v1/calls applies before queuing a call, with Bland's message wording where the
// documentation shows it ("Missing required parameter: phone_number."). Pure: no state, no I/O.
#include "payload/json.hpp"

#include <string>
#include <vector>

namespace blandhook::emulator {

struct ValidationOptions {
    /// Bland accepts only https:// webhook URLs; the emulator also takes http:// unless strict,
    /// because a local receiver rarely has a certificate.
    bool allow_http_webhooks = true;
};

/// Every problem with a send-call body, empty when it is acceptable.
std::vector<std::string> validate_send_call(const payload::Json& body,
                                            const ValidationOptions& options);

/// Problems with a webhook URL (`field` names it in the message), empty when acceptable.
std::vector<std::string> validate_webhook_url(const payload::Json& value, std::string_view field,
                                              const ValidationOptions& options);

} // namespace blandhook::emulator
