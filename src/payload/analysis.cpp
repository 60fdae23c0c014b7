#include "payload/analysis.hpp"

#include "embed/embedded.hpp"
#include "payload/schema.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>

namespace blandhook::payload {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// One parser per thread: simdjson reuses its buffers, so a listener parses without allocating.
simdjson::dom::parser& thread_parser() {
    thread_local simdjson::dom::parser parser;
    return parser;
}

bool has(object fields, std::string_view key) {
    return fields.at_key(key).error() == simdjson::SUCCESS;
}

std::string_view string_field(object fields, std::string_view key) {
    std::string_view text;
    if (fields.at_key(key).get_string().get(text) == simdjson::SUCCESS) {
        return text;
    }
    return {};
}

// Spec section 4: how a listener tells the bodies apart.
Kind classify_element(element value) {
    object fields;
    if (value.get_object().get(fields) != simdjson::SUCCESS) {
        return Kind::unknown;
    }
    if (string_field(fields, "event_type") == "citations") {
        return Kind::citations_event;
    }
    if (has(fields, "completed") || has(fields, "concatenated_transcript")) {
        return has(fields, "corrected_transcript") || has(fields, "citations")
                   ? Kind::delayed_post_call
                   : Kind::post_call;
    }
    if (has(fields, "category") && has(fields, "message")) {
        return Kind::live_event;
    }
    return Kind::unknown;
}

std::optional<double> number_field(object fields, std::string_view key) {
    double number = 0;
    if (fields.at_key(key).get_double().get(number) == simdjson::SUCCESS) {
        return number;
    }
    return std::nullopt;
}

Summary summarise(Kind kind, element value) {
    Summary summary;
    object fields;
    if (value.get_object().get(fields) != simdjson::SUCCESS) {
        return summary;
    }
    element id;
    if (fields.at_key("call_id").get(id) == simdjson::SUCCESS) {
        if (id.type() == element_type::STRING) {
            summary.call_id = std::string(id.get_string().value_unsafe());
        } else if (id.type() == element_type::INT64 || id.type() == element_type::UINT64) {
            summary.call_id = simdjson::minify(id); // the reference page calls it a number
        }
    }
    bool inbound = false;
    if (fields.at_key("inbound").get_bool().get(inbound) == simdjson::SUCCESS) {
        summary.direction = inbound ? "inbound" : "outbound";
    }
    summary.status = std::string(string_field(fields, "status"));
    if (summary.status.empty()) {
        summary.status = std::string(string_field(fields, "queue_status"));
    }
    summary.error_message = std::string(string_field(fields, "error_message"));
    // corrected_duration arrives as a string of seconds ("11"); call_length is in minutes.
    const std::string_view corrected = string_field(fields, "corrected_duration");
    double seconds = 0;
    const auto parsed =
        std::from_chars(corrected.data(), corrected.data() + corrected.size(), seconds);
    if (!corrected.empty() && parsed.ec == std::errc{} &&
        parsed.ptr == corrected.data() + corrected.size() && std::isfinite(seconds)) {
        summary.duration_seconds = seconds;
    } else if (const auto number = number_field(fields, "corrected_duration")) {
        summary.duration_seconds = *number;
    } else if (const auto minutes = number_field(fields, "call_length")) {
        summary.duration_seconds = *minutes * 60;
    }
    summary.answered_by = std::string(string_field(fields, "answered_by"));
    simdjson::dom::array transcripts;
    if (fields.at_key("transcripts").get_array().get(transcripts) == simdjson::SUCCESS) {
        summary.transcript_turns = transcripts.size();
    }
    if (kind == Kind::live_event) {
        summary.message = std::string(string_field(fields, "message"));
    } else if (kind == Kind::citations_event) {
        simdjson::dom::array citations;
        const std::size_t count =
            fields.at_key("citations").get_array().get(citations) == simdjson::SUCCESS
                ? citations.size()
                : 0;
        summary.message = std::to_string(count) + (count == 1 ? " citation" : " citations");
    }
    return summary;
}

// The parse error simdjson reports, in words a user can act on.
std::string parse_error_text(simdjson::error_code error) {
    switch (error) {
    case simdjson::DEPTH_ERROR:
        return "nesting deeper than 1024 levels";
    case simdjson::UTF8_ERROR:
        return "not valid UTF-8";
    case simdjson::EMPTY:
        return "empty body";
    default:
        return simdjson::error_message(error);
    }
}

nlohmann::json text_or_null(const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

} // namespace

std::string_view severity_name(Severity severity) {
    return severity == Severity::error ? "error" : "warning";
}

std::size_t Analysis::error_count() const {
    std::size_t count = 0;
    for (const auto& finding : findings) {
        count += finding.severity == Severity::error ? 1 : 0;
    }
    return count;
}

std::size_t Analysis::warning_count() const {
    return findings.size() - error_count();
}

Analysis analyze(std::string_view body) {
    Analysis analysis;
    element root;
    const auto error = thread_parser().parse(body.data(), body.size()).get(root);
    if (error != simdjson::SUCCESS) {
        analysis.valid_utf8 = error != simdjson::UTF8_ERROR && simdjson::validate_utf8(body);
        analysis.json_error = parse_error_text(error);
        return analysis;
    }
    analysis.is_json = true;
    analysis.kind = classify_element(root);
    analysis.summary = summarise(analysis.kind, root);
    schema::validate(analysis.kind, root, analysis.findings);
    return analysis;
}

Kind classify(std::string_view body) {
    element root;
    if (thread_parser().parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
        return Kind::unknown;
    }
    return classify_element(root);
}

std::vector<Finding> validate(std::string_view body, std::optional<Kind> kind) {
    std::vector<Finding> findings;
    element root;
    const auto error = thread_parser().parse(body.data(), body.size()).get(root);
    if (error != simdjson::SUCCESS) {
        if (kind && *kind != Kind::unknown) {
            findings.push_back({"", Severity::error, "not JSON: " + parse_error_text(error)});
        }
        return findings;
    }
    schema::validate(kind ? *kind : classify_element(root), root, findings);
    return findings;
}

std::string_view schema_text(Kind kind) {
    if (kind == Kind::unknown) {
        return {};
    }
    return embed::find("schemas/" + std::string(kind_name(kind)) + ".json").value_or("");
}

nlohmann::json to_json(const Analysis& analysis) {
    nlohmann::json out;
    out["kind"] = kind_name(analysis.kind);
    out["is_json"] = analysis.is_json;
    out["valid_utf8"] = analysis.valid_utf8;
    if (!analysis.is_json) {
        out["json_error"] = analysis.json_error;
    }
    const Summary& summary = analysis.summary;
    out["summary"] = {
        {"call_id", text_or_null(summary.call_id)},
        {"direction", text_or_null(summary.direction)},
        {"status", text_or_null(summary.status)},
        {"error_message", text_or_null(summary.error_message)},
        {"duration_seconds", summary.duration_seconds ? nlohmann::json(*summary.duration_seconds)
                                                      : nlohmann::json(nullptr)},
        {"answered_by", text_or_null(summary.answered_by)},
        {"transcript_turns", summary.transcript_turns},
        {"message", text_or_null(summary.message)},
    };
    out["findings"] = nlohmann::json::array();
    for (const auto& finding : analysis.findings) {
        out["findings"].push_back({{"pointer", finding.pointer},
                                   {"severity", severity_name(finding.severity)},
                                   {"message", finding.message}});
    }
    return out;
}

} // namespace blandhook::payload
