#pragma once
// Whether a call ever connected, judged from its post-call payload. Bland: "unanswered, busy or
// failed calls produce no citation data", so neither the delayed variant nor a citations event
// exists for them (docs.bland.ai/enterprise-features/citations).
#include "payload/json.hpp"

#include <string>

namespace blandhook::payload {

/// The reason a call never connected ("status busy", "answered_by no-answer"), or "" when it
/// did, or when the payload does not say. Reads `status`, then `answered_by`.
std::string never_connected_reason(const Json& post_call);

} // namespace blandhook::payload
