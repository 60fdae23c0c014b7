#include "replay/build.hpp"

#include "error.hpp"
#include "payload/analysis.hpp"
#include "payload/connected.hpp"
#include "payload/fixtures.hpp"
#include "payload/kind.hpp"
#include "payload/pointer.hpp"
#include "payload/signature.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace blandhook::replay {
namespace {

using payload::Json;

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

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
        if (iequals(name, dropped)) {
            return true;
        }
    }
    return false;
}

void set_header(http::Headers& headers, const std::string& name, const std::string& value) {
    for (auto& header : headers) {
        if (iequals(header.name, name)) {
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
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
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
    if (delivery.signing == Delivery::Signing::secret ||
        delivery.signing == Delivery::Signing::wrong) {
        auto signature = signature_for(delivery.signing, options.secret, text, std::nullopt);
        for (auto& header : delivery.request.headers) {
            if (iequals(header.name, payload::k_signature_header)) {
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

Case build_case(const Item& item, const CaseSpec& spec, const BuildOptions& options) {
    Case result;
    result.scenario = spec.scenario;
    result.group = item.group;
    result.phase_delay = options.phase_delay;
    if (!spec.name.empty()) {
        // A manifest entry's name, with the input so that an entry naming a directory still
        // gives each file its own test.
        result.name = spec.name + " (" + item.name + ")";
    } else {
        result.name = item.name;
        if (spec.scenario != Scenario::single) {
            result.name += " [" + std::string(scenario_name(spec.scenario)) + "]";
        }
    }
    if (!item.error.empty()) {
        result.error = item.error;
        return result;
    }

    const Expectation accept = spec.accept.value_or(accept_expectation());
    const Expectation refuse = spec.refuse.value_or(refusal_expectation());

    http::Request base;
    base.method = item.from_capture ? item.method : "POST";
    base.target = options.target.target;
    // --to with a bare origin replays a capture to the path it was captured on.
    if (item.from_capture && options.target.target == "/" && !item.target.empty()) {
        base.target = item.target;
    }
    std::optional<std::string> captured_signature;
    if (item.from_capture) {
        for (const auto& header : item.headers) {
            if (iequals(header.name, payload::k_signature_header)) {
                captured_signature = header.value;
            }
            if (!dropped_capture_header(header.name)) {
                base.headers.push_back(header);
            }
        }
    } else {
        // Bland does not document the headers it sends beside the signature: these are ours.
        base.headers.push_back({"Content-Type", "application/json"});
        base.headers.push_back({"User-Agent", std::string("blandhook/") + BLANDHOOK_VERSION});
    }

    const bool builds_bodies = spec.scenario == Scenario::two_phase ||
                               spec.scenario == Scenario::out_of_order ||
                               spec.scenario == Scenario::signature_variants;
    const bool modifies = options.fresh_ids || !spec.overrides.empty() || builds_bodies;
    const bool keep_bytes = (options.raw || item.from_capture) && !modifies;

    struct Body {
        std::string label;
        std::string bytes;
    };
    std::vector<Body> bodies;
    if (keep_bytes) {
        bodies.push_back({"", item.body});
    } else {
        Json document;
        try {
            document = payload::parse_json(item.body);
        } catch (const payload::JsonError& error) {
            result.error = "not JSON: " + std::string(error.what()) + " at byte " +
                           std::to_string(error.offset()) + " (use --raw to send it as it is)";
            return result;
        }
        if (options.fresh_ids) {
            refresh_ids(document, uuid_v4());
        }
        auto finish = [&](Json value) {
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
        if (spec.scenario == Scenario::two_phase || spec.scenario == Scenario::out_of_order) {
            // Inputs the scenario does not apply to are skipped, not errors: a directory of
            // fixtures holds events too, and calls that never connected have no citations.
            auto kind = payload::classify(item.body);
            if (kind != payload::Kind::post_call && kind != payload::Kind::delayed_post_call) {
                result.skipped = std::string(scenario_name(spec.scenario)) +
                                 " applies to post-call payloads; this is " +
                                 std::string(payload::kind_name(kind));
                return result;
            }
            if (const auto reason = payload::never_connected_reason(document); !reason.empty()) {
                result.skipped = std::string(scenario_name(spec.scenario)) +
                                 " does not apply: the call never connected (" + reason +
                                 "), and Bland sends no citations for such a call";
                return result;
            }
            Body now{"post-call", payload::canonical_json(finish(immediate_phase(document)))};
            Body later{"delayed", payload::canonical_json(finish(delayed_phase(document)))};
            if (spec.scenario == Scenario::two_phase) {
                bodies = {now, later};
            } else {
                bodies = {later, now};
            }
        } else if (spec.scenario == Scenario::signature_variants) {
            Json value = finish(std::move(document));
            bodies = {{"pretty", payload::pretty_json(value, 2)},
                      {"compact", payload::canonical_json(value)},
                      {"key-reordered", payload::canonical_json(reorder_keys(value))},
                      {"u-escaped", escaped_json(value)}};
        } else {
            bodies.push_back({"", payload::canonical_json(finish(std::move(document)))});
        }
        if (!result.error.empty()) {
            return result;
        }
    }
    if (spec.scenario == Scenario::duplicate) {
        bodies = {{"first", bodies.front().bytes}, {"retry", bodies.front().bytes}};
    }

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
        if (spec.scenario == Scenario::bad_signature) {
            delivery.signing = Delivery::Signing::wrong;
            delivery.label = "bad-signature";
            delivery.expect = refuse;
            delivery.expect_refusal = true;
        } else if (spec.scenario == Scenario::no_signature) {
            delivery.signing = Delivery::Signing::none;
            delivery.label = "no-signature";
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
            if (iequals(header.name, payload::k_signature_header)) {
                delivery.signing = Delivery::Signing::none; // the user's own, kept as given
            }
        }
        delivery.request.body = std::move(body.bytes);
        result.deliveries.push_back(std::move(delivery));
    }
    return result;
}

} // namespace blandhook::replay
