#pragma once
// Turns one input into the deliveries of one case: the body as sent (canonical compact JSON by
// default, the bytes as they are with --raw or from a capture), ids refreshed, overrides applied,
// the scenario's phases or variants built, each signed over exactly its own bytes.
#include "http/client.hpp"
#include "payload/json.hpp"
#include "replay/inputs.hpp"
#include "replay/model.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace blandhook::replay {

struct BuildOptions {
    http::Url target;   ///< --to
    std::string secret; ///< --secret / BLAND_WEBHOOK_SECRET; "" sends no signature
    bool raw = false;   ///< --raw: send the file's bytes as they are
    bool fresh_ids = false;
    std::chrono::milliseconds phase_delay{0};
};

/// What the scenario table says of a scenario besides how its deliveries are built.
struct ScenarioTraits {
    std::string_view name;
    std::string_view applies_to; ///< "any input", "post-call payloads of calls that connected" …
    bool paced;                  ///< its deliveries are phases, --phase-delay apart
    bool needs_secret;           ///< signs every variant itself (signature-variants)
};
ScenarioTraits scenario_traits(Scenario scenario);

/// The case for `item` run as `spec` says. Never throws for a bad input: the reason goes in
/// Case::error and the case is reported as an error.
Case build_case(const Item& item, const CaseSpec& spec, const BuildOptions& options);

/// The call id of `body` when --fresh-ids can be applied to a case built from it by replacing
/// text (a JSON object whose call_id is made of letters, digits, '-', '_', '.', and whose c_id is
/// absent or the same): what refresh_ids would do, without parsing each delivery again.
std::optional<std::string> text_replaceable_id(std::string_view body);

/// `built` for another call: `old_id` replaced by `new_id` in every delivery's body, each signed
/// again as it was signed (secret or deliberately wrong).
Case with_new_id(const Case& built, const std::string& old_id, const std::string& new_id,
                 const BuildOptions& options);

/// One delivery of a case for another call, the same way.
Delivery with_new_id(const Delivery& delivery, const std::string& old_id, const std::string& new_id,
                     const BuildOptions& options);
/// The same into `into`, reusing its buffers: what --fresh-ids does per delivery, without
/// allocating once a worker's buffers have grown.
void with_new_id(const Delivery& delivery, const std::string& old_id, const std::string& new_id,
                 const BuildOptions& options, Delivery& into);

/// Gives the call in `document` the id `id`: call_id and c_id, and every string that held the old
/// call id (variables.call_id, citations[].call_id, recording_url …).
void refresh_ids(payload::Json& document, const std::string& id);

/// `document` with the keys of every object in reverse order.
payload::Json reorder_keys(const payload::Json& document);

/// Compact JSON with every non-ASCII character written as \uXXXX and '/' as \/: the same value,
/// other bytes.
std::string escaped_json(const payload::Json& document);

} // namespace blandhook::replay
