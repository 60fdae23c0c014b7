#include "replay/build.hpp"

#include "error.hpp"
#include "payload/analysis.hpp"
#include "payload/connected.hpp"
#include "payload/fixtures.hpp"
#include "payload/kind.hpp"
#include "payload/pointer.hpp"
#include "payload/signature.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>

namespace blandhook::replay {
namespace {

using payload::Json;

// Headers of a captured request that describe that one connection, not the webhook: the client
// sets its own, and httplib's server adds the REMOTE_/LOCAL_ pseudo-headers to what it received.
bool dropped_capture_header(std::string_view name) {
    static constexpr std::array<std::string_view, 14> k_dropped = {
        "Host",        "Content-Length",     "Connection",
        "Keep-Alive",  "Transfer-Encoding",  "TE",
        "Upgrade",     "Accept-Encoding",    "Proxy-Connection",
        "REMOTE_ADDR", "REMOTE_PORT",        "LOCAL_ADDR",
        "LOCAL_PORT",  "X-Webhook-Signature"};
    for (auto dropped : k_dropped) {
        if (util::iequals_ascii(name, dropped)) {
            return true;
        }
    }
    return false;
}

void set_header(http::Headers& headers, const std::string& name, const std::string& value) {
    for (auto& header : headers) {
        if (util::iequals_ascii(header.name, name)) {
            header.value = value;
            return;
        }
    }
    headers.push_back({name, value});
}

// The delayed variant's extra fields, for inputs that lack them: taken from the delayed-citations
// fixture (the only published example of them).
const Json& delayed_donor() {
    static const Json donor = [] {
        auto body = payload::fixture_body("delayed-citations");
        return body ? payload::parse_json(*body) : Json::object();
    }();
    return donor;
}

Json immediate_phase(Json document) {
    document.erase("corrected_transcript");
    document.erase("citations");
    return document;
}

Json delayed_phase(Json document) {
    const Json& donor = delayed_donor();
    std::string call_id = document.value("call_id", std::string{});
    for (const char* field : {"corrected_transcript", "citations"}) {
        if (!document.contains(field) && donor.contains(field)) {
            Json borrowed = donor[field];
            if (!call_id.empty()) {
                payload::replace_in_strings(borrowed, donor.value("call_id", std::string{}),
                                            call_id);
            }
            document[field] = std::move(borrowed);
        }
    }
    return document;
}

void append_utf16_escape(std::string& out, unsigned code) {
    static constexpr char k_hex[] = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) {
        out += k_hex[(code >> shift) & 0xf];
    }
}

std::optional<std::string> signature_for(Delivery::Signing signing, const std::string& secret,
                                         std::string_view body,
                                         const std::optional<std::string>& captured) {
    switch (signing) {
    case Delivery::Signing::none:
        return std::nullopt;
    case Delivery::Signing::secret:
        return payload::sign(secret, body);
    case Delivery::Signing::kept:
        return captured; // the original bytes, their original signature
    case Delivery::Signing::wrong: {
        std::string good =
            payload::sign(secret.empty() ? std::string("blandhook-wrong-secret") : secret, body);
        // One hex digit changed: a verifier must compare the whole value to notice.
        good.back() = good.back() == '0' ? '1' : '0';
        return good;
    }
    }
    return std::nullopt;
}

// Characters that JSON writes as they are: an id made of them appears verbatim in every form of
// the body (pretty, compact, \u-escaped), so replacing its text is exact.
bool plain_id(std::string_view id) {
    return !id.empty() && std::ranges::all_of(id, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    });
}

} // namespace

std::optional<std::string> text_replaceable_id(std::string_view body) {
    Json document;
    try {
        document = payload::parse_json(body);
    } catch (const payload::JsonError&) {
        return std::nullopt;
    }
    if (!document.is_object()) {
        return std::nullopt;
    }
    auto call_id = document.find("call_id");
    if (call_id == document.end() || !call_id->is_string()) {
        return std::nullopt;
    }
    std::string id = call_id->get<std::string>();
    auto c_id = document.find("c_id");
    if (!plain_id(id) || (c_id != document.end() && *c_id != id)) {
        return std::nullopt;
    }
    return id;
}

namespace {

// Swaps the id in place and signs again: one copy of the body per renewed delivery, no more.
void renew(Delivery& delivery, const std::string& old_id, const std::string& new_id,
           const BuildOptions& options) {
    std::string& text = delivery.request.body;
    for (auto at = text.find(old_id); at != std::string::npos;
         at = text.find(old_id, at + new_id.size())) {
        text.replace(at, old_id.size(), new_id);
    }
    if (delivery.signing != Delivery::Signing::secret &&
        delivery.signing != Delivery::Signing::wrong) {
        return;
    }
    if (auto signature = signature_for(delivery.signing, options.secret, text, std::nullopt)) {
        for (auto& header : delivery.request.headers) {
            if (util::iequals_ascii(header.name, payload::k_signature_header)) {
                header.value = *signature;
            }
        }
    }
}

} // namespace

void with_new_id(const Delivery& delivery, const std::string& old_id, const std::string& new_id,
                 const BuildOptions& options, Delivery& into) {
    // Assignments, not a new object: `into` keeps its buffers from one delivery to the next.
    into.label = delivery.label;
    into.request.method = delivery.request.method;
    into.request.target = delivery.request.target;
    into.request.headers = delivery.request.headers;
    into.request.body.assign(delivery.request.body);
    into.expect = delivery.expect;
    into.expect_refusal = delivery.expect_refusal;
    into.signing = delivery.signing;
    renew(into, old_id, new_id, options);
}

Delivery with_new_id(const Delivery& delivery, const std::string& old_id, const std::string& new_id,
                     const BuildOptions& options) {
    Delivery result;
    with_new_id(delivery, old_id, new_id, options, result);
    return result;
}

Case with_new_id(const Case& built, const std::string& old_id, const std::string& new_id,
                 const BuildOptions& options) {
    Case result = built;
    for (auto& delivery : result.deliveries) {
        renew(delivery, old_id, new_id, options);
    }
    for (auto at = result.call_id.find(old_id); at != std::string::npos;
         at = result.call_id.find(old_id, at + new_id.size())) {
        result.call_id.replace(at, old_id.size(), new_id);
    }
    return result;
}

void refresh_ids(Json& document, const std::string& id) {
    if (!document.is_object()) {
        return;
    }
    std::string old = document.value("call_id", std::string{});
    if (old.empty() || old == id) {
        document["call_id"] = id;
    } else {
        payload::replace_in_strings(document, old, id);
    }
    if (auto c_id = document.find("c_id"); c_id != document.end()) {
        *c_id = id;
    }
}

Json reorder_keys(const Json& document) {
    if (document.is_object()) {
        Json reordered = Json::object();
        std::vector<const Json*> values;
        std::vector<std::string> keys;
        for (const auto& [key, value] : document.items()) {
            keys.push_back(key);
            values.push_back(&value);
        }
        for (std::size_t i = keys.size(); i-- > 0;) {
            reordered[keys[i]] = reorder_keys(*values[i]);
        }
        return reordered;
    }
    if (document.is_array()) {
        Json array = Json::array();
        for (const auto& value : document) {
            array.push_back(reorder_keys(value));
        }
        return array;
    }
    return document;
}

std::string escaped_json(const Json& document) {
    // In compact JSON '/' and bytes >= 0x80 only occur inside strings, and never inside an escape
    // sequence, so rewriting them byte by byte keeps the value and changes the bytes.
    const std::string compact = payload::canonical_json(document);
    std::string out;
    out.reserve(compact.size() + compact.size() / 4);
    for (std::size_t i = 0; i < compact.size();) {
        auto byte = static_cast<unsigned char>(compact[i]);
        if (byte == '/') {
            out += "\\/";
            ++i;
            continue;
        }
        if (byte < 0x80) {
            out += compact[i++];
            continue;
        }
        int length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
        if (length == 1 || i + static_cast<std::size_t>(length) > compact.size()) {
            out += compact[i++];
            continue;
        }
        unsigned code = byte & (0x7f >> length);
        for (int k = 1; k < length; ++k) {
            code = (code << 6) | (static_cast<unsigned char>(compact[i + k]) & 0x3f);
        }
        if (code >= 0x10000) {
            code -= 0x10000;
            append_utf16_escape(out, 0xd800 + (code >> 10));
            append_utf16_escape(out, 0xdc00 + (code & 0x3ff));
        } else {
            append_utf16_escape(out, code);
        }
        i += static_cast<std::size_t>(length);
    }
    return out;
}

namespace {

struct Body {
    std::string label;
    std::string bytes;
};

// What a scenario's build function starts from: the input's body to send as it is, or (for a
// scenario that makes bodies of its own, or when ids or fields change) the parsed document.
struct BodyInput {
    std::string_view scenario; ///< its name, for skip messages
    const Item& item;
    std::optional<Json> document;     ///< unset: the bytes are sent as they are
    std::function<Json(Json)> finish; ///< applies --set and records the call id
    std::string plain() const {       ///< the one body of a one-body scenario
        return document ? payload::canonical_json(finish(*document)) : item.body;
    }
    /// The parsed document of a scenario that makes bodies of its own (its entry's makes_bodies
    /// has build_bodies parse every input for it).
    const Json& parsed() const {
        if (!document) {
            throw Error(ErrorKind::internal, std::string(scenario),
                        "the scenario makes bodies of its own but got no parsed input");
        }
        return *document;
    }
};

// A scenario's bodies; `skipped` says why the scenario does not apply to this input instead.
using BuildBodies = std::vector<Body> (*)(const BodyInput& input, std::string& skipped);

std::vector<Body> single_bodies(const BodyInput& input, std::string& /*skipped*/) {
    return {{"", input.plain()}};
}

std::vector<Body> duplicate_bodies(const BodyInput& input, std::string& /*skipped*/) {
    std::string bytes = input.plain();
    return {{"first", bytes}, {"retry", std::move(bytes)}};
}

// Inputs the phase scenarios do not apply to are skipped, not errors: a directory of fixtures
// holds events too, and calls that never connected have no citations.
std::string phases_skip_reason(const BodyInput& input) {
    const auto kind = payload::classify(input.item.body);
    if (kind != payload::Kind::post_call && kind != payload::Kind::delayed_post_call) {
        return std::string(input.scenario) + " applies to post-call payloads; this is " +
               std::string(payload::kind_name(kind));
    }
    if (const auto reason = payload::never_connected_reason(input.parsed()); !reason.empty()) {
        return std::string(input.scenario) + " does not apply: the call never connected (" +
               reason + "), and Bland sends no citations for such a call";
    }
    return {};
}

enum class PhaseOrder { immediate_first, delayed_first };

std::vector<Body> phase_bodies(const BodyInput& input, std::string& skipped, PhaseOrder order) {
    skipped = phases_skip_reason(input);
    if (!skipped.empty()) {
        return {};
    }
    Body now{"post-call", payload::canonical_json(input.finish(immediate_phase(input.parsed())))};
    Body later{"delayed", payload::canonical_json(input.finish(delayed_phase(input.parsed())))};
    if (order == PhaseOrder::immediate_first) {
        return {std::move(now), std::move(later)};
    }
    return {std::move(later), std::move(now)};
}

std::vector<Body> two_phase_bodies(const BodyInput& input, std::string& skipped) {
    return phase_bodies(input, skipped, PhaseOrder::immediate_first);
}

std::vector<Body> out_of_order_bodies(const BodyInput& input, std::string& skipped) {
    return phase_bodies(input, skipped, PhaseOrder::delayed_first);
}

std::vector<Body> signature_variant_bodies(const BodyInput& input, std::string& /*skipped*/) {
    Json value = input.finish(input.parsed());
    return {{"pretty", payload::pretty_json(value, 2)},
            {"compact", payload::canonical_json(value)},
            {"key-reordered", payload::canonical_json(reorder_keys(value))},
            {"u-escaped", escaped_json(value)}};
}

std::vector<Body> bad_signature_bodies(const BodyInput& input, std::string& /*skipped*/) {
    return {{"bad-signature", input.plain()}};
}

std::vector<Body> no_signature_bodies(const BodyInput& input, std::string& /*skipped*/) {
    return {{"no-signature", input.plain()}};
}

// One entry per scenario, in documentation order: the one place that says what a scenario is
// called, what it applies to and how its deliveries are built. --scenario's choices, the
// completions and the pacing of phases all read it.
struct ScenarioEntry {
    Scenario scenario;
    std::string_view name;
    std::string_view applies_to;
    bool makes_bodies; ///< builds bodies of its own: never sends the input's bytes as they are
    bool paced;        ///< its deliveries are phases, --phase-delay apart
    bool needs_secret; ///< signs every variant itself: meaningless without the handler's secret
    BuildBodies bodies;
    std::optional<Delivery::Signing> signing; ///< set: every delivery is signed so, and refused
};

constexpr std::array<ScenarioEntry, 7> k_scenarios = {{
    {Scenario::single, "single", "any input", false, false, false, single_bodies, std::nullopt},
    {Scenario::two_phase, "two-phase", "post-call payloads of calls that connected", true, true,
     false, two_phase_bodies, std::nullopt},
    {Scenario::out_of_order, "out-of-order", "post-call payloads of calls that connected", true,
     true, false, out_of_order_bodies, std::nullopt},
    {Scenario::duplicate, "duplicate", "any input", false, false, false, duplicate_bodies,
     std::nullopt},
    {Scenario::signature_variants, "signature-variants", "JSON inputs", true, false, true,
     signature_variant_bodies, std::nullopt},
    {Scenario::bad_signature, "bad-signature", "any input", false, false, false,
     bad_signature_bodies, Delivery::Signing::wrong},
    {Scenario::no_signature, "no-signature", "any input", false, false, false, no_signature_bodies,
     Delivery::Signing::none},
}};

const ScenarioEntry& entry_of(Scenario scenario) {
    const auto entry = std::ranges::find(k_scenarios, scenario, &ScenarioEntry::scenario);
    return entry != k_scenarios.end() ? *entry : k_scenarios.front();
}

std::string case_name(const Item& item, const CaseSpec& spec) {
    if (!spec.name.empty()) {
        // A manifest entry's name, with the input so that an entry naming a directory still
        // gives each file its own test.
        return spec.name + " (" + item.name + ")";
    }
    if (spec.scenario != Scenario::single) {
        return item.name + " [" + std::string(scenario_name(spec.scenario)) + "]";
    }
    return item.name;
}

// The request every delivery of the case starts from; `captured_signature` gets the capture's
// own X-Webhook-Signature, if any.
http::Request base_request(const Item& item, const BuildOptions& options,
                           std::optional<std::string>& captured_signature) {
    http::Request base;
    base.method = item.from_capture ? item.method : "POST";
    base.target = options.target.target;
    // --to with a bare origin replays a capture to the path it was captured on.
    if (item.from_capture && options.target.target == "/" && !item.target.empty()) {
        base.target = item.target;
    }
    if (!item.from_capture) {
        // Bland does not document the headers it sends beside the signature: these are ours.
        base.headers.push_back({"Content-Type", "application/json"});
        base.headers.push_back({"User-Agent", std::string("blandhook/") + BLANDHOOK_VERSION});
        return base;
    }
    for (const auto& header : item.headers) {
        if (util::iequals_ascii(header.name, payload::k_signature_header)) {
            captured_signature = header.value;
        }
        if (!dropped_capture_header(header.name)) {
            base.headers.push_back(header);
        }
    }
    return base;
}

// The bodies `entry` makes of `item`; a reason in result.error or result.skipped instead when it
// cannot or does not apply.
std::vector<Body> build_bodies(const Item& item, const CaseSpec& spec, const BuildOptions& options,
                               const ScenarioEntry& entry, bool keep_bytes, Case& result) {
    BodyInput input{entry.name, item, std::nullopt, {}};
    if (!keep_bytes) {
        try {
            input.document = payload::parse_json(item.body);
        } catch (const payload::JsonError& error) {
            result.error = "not JSON: " + std::string(error.what()) + " at byte " +
                           std::to_string(error.offset()) + " (use --raw to send it as it is)";
            return {};
        }
        if (options.fresh_ids) {
            refresh_ids(*input.document, uuid_v4());
        }
        input.finish = [&spec, &result](Json value) {
            try {
                for (const auto& override_ : spec.overrides) {
                    apply_override(value, override_);
                }
            } catch (const Error& error) {
                result.error = error.subject() + ": " + error.detail();
            }
            // The id the bodies carry once --set has had its say.
            if (value.is_object()) {
                auto id = value.find("call_id");
                result.call_id = id != value.end() && id->is_string() ? id->get<std::string>() : "";
            }
            return value;
        };
    }
    std::vector<Body> bodies = entry.bodies(input, result.skipped);
    if (!result.error.empty() || !result.skipped.empty()) {
        return {};
    }
    return bodies;
}

} // namespace

Case build_case(const Item& item, const CaseSpec& spec, const BuildOptions& options) {
    Case result;
    result.scenario = spec.scenario;
    result.group = item.group;
    result.phase_delay = options.phase_delay;
    result.name = case_name(item, spec);
    if (!item.error.empty()) {
        result.error = item.error;
        return result;
    }
    const ScenarioEntry& entry = entry_of(spec.scenario);
    const Expectation accept = spec.accept.value_or(accept_expectation());
    const Expectation refuse = spec.refuse.value_or(refusal_expectation());
    std::optional<std::string> captured_signature;
    const http::Request base = base_request(item, options, captured_signature);
    const bool modifies = options.fresh_ids || !spec.overrides.empty() || entry.makes_bodies;
    const bool keep_bytes = (options.raw || item.from_capture) && !modifies;
    std::vector<Body> bodies = build_bodies(item, spec, options, entry, keep_bytes, result);

    for (auto& body : bodies) {
        Delivery delivery;
        delivery.label = std::move(body.label);
        delivery.request = base;
        delivery.expect = accept;
        if (!options.secret.empty()) {
            delivery.signing = Delivery::Signing::secret;
        } else if (keep_bytes && captured_signature) {
            delivery.signing = Delivery::Signing::kept;
        }
        if (entry.signing) {
            delivery.signing = *entry.signing;
            delivery.expect = refuse;
            delivery.expect_refusal = true;
        }
        if (auto signature =
                signature_for(delivery.signing, options.secret, body.bytes, captured_signature)) {
            delivery.request.headers.push_back(
                {std::string(payload::k_signature_header), *signature});
        }
        for (const auto& header : spec.headers) {
            set_header(delivery.request.headers, header.name, header.value);
            // -H values may be credentials of the target: never carried to another host.
            delivery.request.origin_bound_headers.push_back(header.name);
            if (util::iequals_ascii(header.name, payload::k_signature_header)) {
                delivery.signing = Delivery::Signing::none; // the user's own, kept as given
            }
        }
        delivery.request.body = std::move(body.bytes);
        result.deliveries.push_back(std::move(delivery));
    }
    return result;
}

ScenarioTraits scenario_traits(Scenario scenario) {
    const ScenarioEntry& entry = entry_of(scenario);
    return {entry.name, entry.applies_to, entry.paced, entry.needs_secret};
}

std::string_view scenario_name(Scenario scenario) {
    return entry_of(scenario).name;
}

std::optional<Scenario> scenario_from_name(std::string_view name) {
    const auto entry = std::ranges::find(k_scenarios, name, &ScenarioEntry::name);
    if (entry == k_scenarios.end()) {
        return std::nullopt;
    }
    return entry->scenario;
}

std::vector<std::string> scenario_names() {
    std::vector<std::string> names;
    names.reserve(k_scenarios.size());
    for (const auto& entry : k_scenarios) {
        names.emplace_back(entry.name);
    }
    return names;
}

} // namespace blandhook::replay
