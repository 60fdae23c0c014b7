#pragma once
// The emulator's inbound numbers (docs/emulate.md "Inbound numbers"): every well-formed number is
// an owned number, created on first sight with Bland's default settings and remembered with what
// POST /v1/inbound/{number} sets (webhook, webhook_events, metadata, prompt …). Bodies follow
// docs.bland.ai api-v1 "List Numbers" and "Number Details". Thread-safe; no I/O.
#include "emulator/answer.hpp"
#include "emulator/request_validation.hpp"
#include "payload/json.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::emulator {

/// What a ring needs from the number it rings.
struct InboundSettings {
    std::string phone_number;        ///< E.164
    std::string webhook;             ///< "" when none is configured
    std::vector<std::string> events; ///< webhook_events
    payload::Json metadata;          ///< an object
    int max_duration = 30;
};

class InboundNumbers {
public:
    /// GET /v1/inbound: {"inbound_numbers": [details…]}, oldest first.
    Answer list() const;
    /// GET /v1/inbound/{number}: the number's details; 400 when it is not a phone number.
    Answer details(std::string_view number);
    /// POST /v1/inbound/{number}: validates and applies `body`; answers the updated details.
    Answer update(std::string_view number, const std::string& body,
                  const ValidationOptions& validation);
    /// The settings a ring of `number` uses (the number is created when new); nullopt when it is
    /// not a phone number.
    std::optional<InboundSettings> settings(std::string_view number);

private:
    // The details object of a number, created with defaults when new. m_mutex held.
    payload::Json& entry(const std::string& e164);

    mutable std::mutex m_mutex;
    std::map<std::string, payload::Json> m_numbers; // by E.164
    std::vector<std::string> m_order;               // creation order, for list()
};

} // namespace blandhook::emulator
