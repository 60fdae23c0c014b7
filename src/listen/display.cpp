#include "listen/display.hpp"

#include "cli/output.hpp"
#include "payload/json.hpp"

#include <cmath>
#include <fmt/core.h>

namespace blandhook::listen {
namespace {

using cli::paint;
using cli::Style;

std::string signature_text(const std::string& verdict) {
    if (verdict == "valid-raw") {
        return "sig valid (raw)";
    }
    if (verdict == "valid-canonical") {
        return "sig valid (JSON.stringify only)";
    }
    if (verdict == "not-checked") {
        return "sig not checked";
    }
    return "sig " + verdict;
}

Style signature_style(const std::string& verdict) {
    if (verdict == "valid-raw") {
        return Style::green;
    }
    if (verdict == "valid-canonical" || verdict == "not-checked") {
        return Style::yellow;
    }
    return Style::red;
}

std::string validation_text(const capture::PayloadSummary& payload) {
    if (!payload.is_json) {
        return payload.valid_utf8 ? "not JSON" : "binary (not UTF-8)";
    }
    if (payload.kind == "unknown") {
        return "unknown shape";
    }
    if (payload.errors == 0 && payload.warnings == 0) {
        return "valid";
    }
    std::string text;
    if (payload.errors > 0) {
        text = fmt::format("{} error{}", payload.errors, payload.errors == 1 ? "" : "s");
    }
    if (payload.warnings > 0) {
        text += fmt::format("{}{} warning{}", text.empty() ? "" : ", ", payload.warnings,
                            payload.warnings == 1 ? "" : "s");
    }
    return text;
}

// Keeps the line readable: a 5 KB path or a control character must not wreck the terminal.
std::string printable(std::string_view text, std::size_t limit) {
    std::string out;
    for (unsigned char c : text) {
        if (out.size() >= limit) {
            out += "…";
            break;
        }
        out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
    }
    return out;
}

std::string indent(const std::string& text, const std::string& prefix) {
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        out +=
            prefix + printable(std::string_view(text).substr(start, end - start), 100'000) + "\n";
        start = end + 1;
    }
    return out;
}

std::string transcript_text(const capture::Capture& capture) {
    payload::Json body;
    try {
        body = payload::parse_json(capture.body);
    } catch (const payload::JsonError&) {
        return {};
    }
    if (!body.is_object()) {
        return {};
    }
    std::string out;
    auto transcripts = body.find("transcripts");
    if (transcripts != body.end() && transcripts->is_array() && !transcripts->empty()) {
        for (const auto& turn : *transcripts) {
            if (!turn.is_object()) {
                continue;
            }
            std::string who = turn.contains("user") && turn["user"].is_string()
                                  ? turn["user"].get<std::string>()
                                  : "?";
            std::string text = turn.contains("text") && turn["text"].is_string()
                                   ? turn["text"].get<std::string>()
                                   : "";
            out += fmt::format("    {:>10}: {}\n", printable(who, 20), printable(text, 2000));
        }
        return out;
    }
    auto concatenated = body.find("concatenated_transcript");
    if (concatenated != body.end() && concatenated->is_string()) {
        // Lines are joined by " \n " (spec section 2).
        return indent(concatenated->get<std::string>(), "    ");
    }
    return {};
}

} // namespace

std::string format_duration(std::optional<double> seconds) {
    if (!seconds || !std::isfinite(*seconds) || *seconds < 0) {
        return "-";
    }
    const double value = *seconds;
    if (value < 10 && value != std::floor(value)) {
        return fmt::format("{:.1f}s", value);
    }
    const long long whole = std::llround(value);
    if (whole < 60) {
        return fmt::format("{}s", whole);
    }
    if (whole < 3600) {
        return fmt::format("{}m{:02}s", whole / 60, whole % 60);
    }
    return fmt::format("{}h{:02}m", whole / 3600, (whole % 3600) / 60);
}

std::string format_body(const capture::Capture& capture) {
    if (capture.body.empty()) {
        return "(empty body)";
    }
    if (capture.payload.is_json) {
        try {
            return payload::pretty_json(payload::parse_json(capture.body));
        } catch (const payload::JsonError&) {
            // Deeper than the DOM allows (hostile nesting): show the raw text.
        }
    }
    if (capture::is_valid_utf8(capture.body)) {
        return capture.body;
    }
    std::string out = fmt::format("<{} bytes, not UTF-8; first bytes:>", capture.body.size());
    for (std::size_t i = 0; i < capture.body.size() && i < 64; ++i) {
        out += fmt::format("{}{:02x}", i % 16 == 0 ? "\n" : " ",
                           static_cast<unsigned char>(capture.body[i]));
    }
    return out;
}

std::string format_capture(const capture::Capture& capture, const DisplayOptions& options) {
    const bool color = options.color;
    const capture::PayloadSummary& payload = capture.payload;
    // received_at is 2026-11-27T10:06:04.123Z: show the time of day.
    const std::string time =
        capture.received_at.size() >= 23 ? capture.received_at.substr(11, 12) : capture.received_at;

    std::string answer;
    if (capture.response_status == 0) {
        answer = "dropped";
    } else {
        answer = std::to_string(capture.response_status);
    }
    const Style answer_style =
        capture.response_status >= 200 && capture.response_status < 300 ? Style::green : Style::red;
    if (!capture.response_note.empty()) {
        answer += " (" + capture.response_note + ")";
    }

    std::string outcome = payload.status.empty() ? "-" : payload.status;
    if (!payload.error_message.empty()) {
        outcome += ": " + printable(payload.error_message, 80);
    } else if (!payload.message.empty()) {
        outcome = printable(payload.message, 80);
    }

    std::string line = fmt::format(
        "{} {} {} {} -> {}  {}  {}  {}  {}  {}  {}", paint(time, Style::dim, color),
        paint("#" + std::to_string(capture.id), Style::bold, color), printable(capture.method, 16),
        printable(capture.target(), 120), paint(answer, answer_style, color), payload.kind,
        payload.call_id.empty() ? "-" : printable(payload.call_id, 64), outcome,
        format_duration(payload.duration_seconds),
        paint(signature_text(payload.signature), signature_style(payload.signature), color),
        paint(validation_text(payload),
              payload.errors > 0 ? Style::red
                                 : (payload.warnings > 0 ? Style::yellow : Style::green),
              color));
    line += "\n";

    if (capture.forward) {
        const capture::ForwardResult& forward = *capture.forward;
        if (forward.status != 0) {
            line += fmt::format("    forwarded to {}: {} in {:.1f} ms\n", forward.url,
                                forward.status, static_cast<double>(forward.latency_us) / 1000.0);
        } else {
            line += paint(fmt::format("    forward to {} failed: {}", forward.url,
                                      forward.error.empty() ? "no answer" : forward.error),
                          Style::red, color) +
                    "\n";
        }
    }
    if (options.findings) {
        std::size_t shown = 0;
        for (const auto& finding : payload.findings) {
            if (shown == options.max_findings) {
                line += fmt::format("    … {} more findings (blandhook captures show {})\n",
                                    payload.findings.size() - shown, capture.id);
                break;
            }
            line +=
                fmt::format("    {} {}: {}\n",
                            paint(finding.severity,
                                  finding.severity == "error" ? Style::red : Style::yellow, color),
                            finding.pointer.empty() ? "(body)" : printable(finding.pointer, 200),
                            printable(finding.message, 300));
            ++shown;
        }
    }
    if (!payload.is_json && !payload.json_error.empty() && options.body) {
        line += "    not JSON: " + printable(payload.json_error, 200) + "\n";
    }
    if (options.headers) {
        line += fmt::format("    {} {} from {}{}\n", printable(capture.method, 16),
                            printable(capture.target(), 100'000), capture.peer,
                            capture.tls.empty() ? "" : " (https)");
        for (const capture::Header& header : capture.headers) {
            line += "    " + paint(printable(header.name, 200), Style::cyan, color) + ": " +
                    printable(header.value, 100'000) + "\n";
        }
    }
    if (options.body) {
        line += indent(format_body(capture), "    | ");
    }
    if (options.transcript) {
        line += transcript_text(capture);
    }
    return line;
}

} // namespace blandhook::listen
