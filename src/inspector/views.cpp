#include "inspector/views.hpp"

#include "payload/signature.hpp"
#include "payload/utf8.hpp"

#include <cmath>

namespace blandhook::inspector {

namespace {

using nlohmann::json;

// The log keeps a verdict's name ("valid-raw"); the page shows its words ("valid (raw)").
std::string signature_text(std::string_view name) {
    const auto verdict = payload::verdict_from_name(name);
    return std::string(verdict ? payload::verdict_text(*verdict) : name);
}

// Text that reaches the page must be UTF-8 for nlohmann's dump: invalid bytes in a header, path or
// summary become U+FFFD as a browser would show them (the raw body keeps its bytes, as base64).
std::string as_text(std::string_view bytes) {
    if (capture::is_valid_utf8(bytes)) {
        return std::string(bytes);
    }
    std::string out;
    out.reserve(bytes.size() + 8);
    const auto* pos = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = pos + bytes.size();
    while (pos < end) {
        if (*pos < 0x80) {
            out += static_cast<char>(*pos++);
            continue;
        }
        const auto decoded = payload::utf8::decode(pos, end, payload::utf8::Surrogates::reject);
        if (decoded.code_point < 0) {
            out += "\xEF\xBF\xBD";
        } else {
            out.append(reinterpret_cast<const char*>(pos), decoded.length);
        }
        pos += decoded.length;
    }
    return out;
}

} // namespace

json row_json(const capture::Capture& capture) {
    const auto& p = capture.payload;
    json answer = {
        {"status", capture.response_status},
        {"dropped", capture.response_status == 0},
        {"latency_ms", std::round(static_cast<double>(capture.latency_us) / 10.0) / 100.0}};
    if (!capture.response_note.empty()) {
        answer["note"] = capture.response_note;
    }
    json row = {{"id", capture.id},
                {"time", capture.received_at},
                {"method", as_text(capture.method)},
                {"path", as_text(capture.target())},
                {"answer", std::move(answer)},
                {"kind", p.kind},
                {"call_id", as_text(p.call_id)},
                {"status", as_text(p.status)},
                {"error_message", as_text(p.error_message)},
                {"message", as_text(p.message)},
                {"signature", p.signature},
                {"errors", p.errors},
                {"warnings", p.warnings},
                {"size", capture.body.size()}};
    if (p.duration_seconds) {
        row["duration_s"] = *p.duration_seconds;
    }
    return row;
}

json detail_json(const capture::Capture& capture) {
    json out = row_json(capture);
    const auto& p = capture.payload;
    out["target"] = as_text(capture.target());
    out["query"] = as_text(capture.query);
    json headers = json::array();
    for (const auto& header : capture.headers) {
        headers.push_back(json::array({as_text(header.name), as_text(header.value)}));
    }
    out["headers"] = std::move(headers);
    out["peer"] = capture.peer;
    out["tls"] = capture.tls;
    if (capture::is_valid_utf8(capture.body)) {
        out["body"] = capture.body;
        out["body_encoding"] = "utf-8";
    } else {
        out["body"] = capture::base64_encode(capture.body);
        out["body_encoding"] = "base64";
    }
    json findings = json::array();
    for (const auto& finding : p.findings) {
        findings.push_back({{"pointer", as_text(finding.pointer)},
                            {"severity", finding.severity},
                            {"message", as_text(finding.message)}});
    }
    out["analysis"] = {{"is_json", p.is_json},
                       {"valid_utf8", p.valid_utf8},
                       {"json_error", as_text(p.json_error)},
                       {"findings", std::move(findings)}};
    out["signature_text"] = signature_text(p.signature);
    if (capture.forward) {
        const capture::ForwardResult& forward = *capture.forward;
        json answer_headers = json::array();
        for (const auto& header : forward.headers) {
            answer_headers.push_back(json::array({as_text(header.name), as_text(header.value)}));
        }
        const bool text = capture::is_valid_utf8(forward.body);
        out["forward"] = {
            {"url", as_text(forward.url)},
            {"status", forward.status},
            {"error", as_text(forward.error)},
            {"latency_us", forward.latency_us},
            {"latency_ms", std::round(static_cast<double>(forward.latency_us) / 10.0) / 100.0},
            {"headers", std::move(answer_headers)},
            {"body", text ? forward.body : capture::base64_encode(forward.body)},
            {"body_encoding", text ? "utf-8" : "base64"},
            {"body_bytes", forward.body_bytes},
            {"kept_bytes", forward.body.size()},
            {"truncated", forward.body_truncated()}};
    }
    return out;
}

} // namespace blandhook::inspector
