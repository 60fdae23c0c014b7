#include "listen/display.hpp"

#include "payload/json.hpp"
#include "term/style.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <vector>

namespace blandhook::listen {
namespace {

using term::paint;
using term::Style;

// Short words, so that the line keeps to its column: the full verdict is in --json and
// `captures show`. Any other verdict reads "sig VERDICT", in red.
struct SignatureLook {
    std::string_view verdict;
    std::string_view text;
    Style style;
};

constexpr SignatureLook k_signature_looks[] = {
    {"valid-raw", "sig ok", Style::green},
    {"valid-canonical", "sig json-ok", Style::yellow}, // valid over JSON.stringify of the body only
    {"not-checked", "sig off", Style::yellow},
};

const SignatureLook* signature_look(const std::string& verdict) {
    const auto* found = std::ranges::find(k_signature_looks, verdict, &SignatureLook::verdict);
    return found == std::end(k_signature_looks) ? nullptr : found;
}

std::string signature_text(const std::string& verdict) {
    const SignatureLook* look = signature_look(verdict);
    return look != nullptr ? std::string(look->text) : "sig " + verdict;
}

Style signature_style(const std::string& verdict) {
    const SignatureLook* look = signature_look(verdict);
    return look != nullptr ? look->style : Style::red;
}

std::string validation_text(const capture::PayloadSummary& payload) {
    if (!payload.is_json) {
        return payload.valid_utf8 ? "not JSON" : "binary";
    }
    if (payload.kind == "unknown") {
        return "unknown shape";
    }
    if (payload.errors == 0 && payload.warnings == 0) {
        return "valid";
    }
    if (payload.errors > 0 && payload.warnings > 0) {
        return fmt::format("{} err, {} warn", payload.errors, payload.warnings);
    }
    if (payload.errors > 0) {
        return fmt::format("{} error{}", payload.errors, payload.errors == 1 ? "" : "s");
    }
    return fmt::format("{} warning{}", payload.warnings, payload.warnings == 1 ? "" : "s");
}

Style validation_style(const capture::PayloadSummary& payload) {
    if (payload.errors > 0 || (!payload.is_json && !payload.valid_utf8)) {
        return Style::red;
    }
    if (payload.warnings > 0 || !payload.is_json || payload.kind == "unknown") {
        return Style::yellow;
    }
    return Style::green;
}

// The payload kinds without their "-event" tail and prefix, so the column stays 9 wide.
std::string kind_text(const std::string& kind) {
    if (kind == "delayed-post-call") {
        return "delayed";
    }
    if (kind == "post-transfer-transcript-event") {
        return "transfer";
    }
    constexpr std::string_view suffix = "-event";
    if (kind.size() > suffix.size() && kind.ends_with(suffix)) {
        return kind.substr(0, kind.size() - suffix.size());
    }
    return kind;
}

// Bland's call `status` (completed, failed, busy, no-answer, canceled, unknown) or its
// `queue_status` (complete, or an error state such as call_error), coloured by what it means.
Style outcome_style(const std::string& outcome) {
    if (outcome == "completed" || outcome == "complete") {
        return Style::green;
    }
    if (outcome == "failed" || outcome == "invalid" ||
        (outcome.size() > 6 && outcome.ends_with("_error"))) {
        return Style::red;
    }
    if (outcome == "busy" || outcome == "no-answer" || outcome == "canceled" ||
        outcome == "voicemail") {
        return Style::yellow;
    }
    return Style::dim;
}

constexpr std::size_t k_outcome_width = 10;

enum class Column { time, id, request, answer, kind, call, outcome, signature, validation };

struct Cell {
    Column column;
    std::size_t width;
};

// Which columns a line of `width` columns shows, in display order, and how wide each is. Columns
// are granted in priority order while they fit, so a narrow terminal loses whole columns (call
// id, kind, signature …) instead of having fields cut or wrapped; the request column widens last.
// The first grant that does not fit ends the line, so a column never jumps ahead of a more
// important one.
std::vector<Cell> layout(std::size_t width, std::size_t id_width) {
    struct Grant {
        Column column;
        std::size_t width; ///< a new column's width, or what it adds to one already shown
    };
    const Grant grants[] = {
        {Column::time, 8},       {Column::answer, 4},
        {Column::request, 14},   {Column::outcome, k_outcome_width},
        {Column::id, id_width},  {Column::validation, 13},
        {Column::signature, 11}, {Column::kind, 9},
        {Column::call, 8},       {Column::request, 9},
    };
    std::vector<Cell> cells;
    std::size_t used = 0;
    for (const Grant& grant : grants) {
        auto shown = std::ranges::find_if(
            cells, [&](const Cell& cell) { return cell.column == grant.column; });
        const std::size_t cost = grant.width + (shown == cells.end() && !cells.empty() ? 1 : 0);
        if (used + cost > width) {
            break; // the columns after it matter less: leave them out too, whatever their width
        }
        used += cost;
        if (shown != cells.end()) {
            shown->width += grant.width;
        } else {
            cells.push_back({grant.column, grant.width});
        }
    }
    std::ranges::sort(cells, [](const Cell& a, const Cell& b) { return a.column < b.column; });
    return cells;
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

// The app's answer to a forwarded request, as ngrok's inspector shows the response: status line,
// headers, body (pretty when JSON, cut at the stored bound with the full size said).
std::string app_answer_text(const capture::ForwardResult& forward, bool color) {
    std::string out =
        fmt::format("    {} {} from {} in {:.1f} ms\n", paint("app answered", Style::bold, color),
                    forward.status, printable(forward.url, 2000),
                    static_cast<double>(forward.latency_us) / 1000.0);
    for (const capture::Header& header : forward.headers) {
        out += "    " + paint(printable(header.name, 200), Style::cyan, color) + ": " +
               printable(header.value, 100'000) + "\n";
    }
    capture::Capture answer;
    answer.body = forward.body;
    // format_body shows text that does not parse as it is; a cut body is never whole JSON.
    answer.payload.is_json = !forward.body_truncated();
    out += indent(format_body(answer), "    | ");
    if (forward.body_truncated()) {
        out += fmt::format("    (truncated: the first {} of {} bytes are kept)\n",
                           forward.body.size(), forward.body_bytes);
    }
    return out;
}

} // namespace

std::size_t line_width(int fd) {
    return std::min<std::size_t>(term::terminal_width(fd), 100);
}

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
        } catch (const payload::JsonError&) { // NOLINT(bugprone-empty-catch): shown as text below
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

namespace {

std::string answer_text(const capture::Capture& capture) {
    return capture.response_status == 0 ? "drop" : std::to_string(capture.response_status);
}

// The line of columns, fitted to `width`.
std::string columns_line(const capture::Capture& capture, std::size_t width, bool color) {
    const capture::PayloadSummary& payload = capture.payload;
    // received_at is 2026-11-27T10:06:04.123Z: show the time of day to the second.
    const std::string time =
        capture.received_at.size() >= 19 ? capture.received_at.substr(11, 8) : capture.received_at;
    const std::string id = "#" + std::to_string(capture.id);
    const std::string answer = answer_text(capture);
    const bool answered_2xx = capture.response_status >= 200 && capture.response_status < 300;
    // Queue error states longer than the column (pre_queue_error …) read "error"; --json and
    // `captures show` have the whole word.
    std::string outcome = payload.status.empty() ? "-" : printable(payload.status, 64);
    if (outcome.size() > k_outcome_width) {
        outcome = "error";
    }
    // An id is a UUID: its first 8 characters tell calls apart, as a short git hash does.
    const std::string call =
        payload.call_id.empty() ? "-" : term::take(printable(payload.call_id, 64), 8);

    std::string line;
    for (const Cell& cell : layout(width, std::max<std::size_t>(6, id.size()))) {
        // Padding is added before painting: escape sequences take no columns.
        const auto field = [&](const std::string& text, Style style) {
            const std::string shown = term::fit(text, cell.width);
            const std::size_t padding =
                cell.column == Column::validation ? 0 : cell.width - term::display_width(shown);
            return paint(shown, style, color) + std::string(padding, ' ');
        };
        if (!line.empty()) {
            line += ' ';
        }
        switch (cell.column) {
        case Column::time:
            line += field(time, Style::dim);
            break;
        case Column::id:
            line += field(id, Style::bold);
            break;
        case Column::request:
            line += term::pad_right(
                term::fit(printable(capture.method, 16) + " " + printable(capture.target(), 4096),
                          cell.width),
                cell.width);
            break;
        case Column::answer:
            line += field(answer, answered_2xx ? Style::green : Style::red);
            break;
        case Column::kind:
            line += term::pad_right(kind_text(payload.kind), cell.width);
            break;
        case Column::call:
            line += term::pad_right(call, cell.width);
            break;
        case Column::outcome:
            line += field(outcome, outcome_style(payload.status));
            break;
        case Column::signature:
            line += field(signature_text(payload.signature), signature_style(payload.signature));
            break;
        case Column::validation:
            line += field(validation_text(payload), validation_style(payload));
            break;
        }
    }
    // Trailing padding of the last columns shown is not worth keeping.
    while (!line.empty() && line.back() == ' ') {
        line.pop_back();
    }
    return line + "\n";
}

// What does not fit a column gets a line of its own, cut to the width: why the call failed, a
// live event's message, why the listener answered as it did, what forwarding got.
std::string detail_lines(const capture::Capture& capture, std::size_t detail_width, bool color) {
    const capture::PayloadSummary& payload = capture.payload;
    std::string lines;
    if (!capture.response_note.empty()) {
        lines += "    " +
                 paint(term::fit("answered " + answer_text(capture) + ": " +
                                     printable(capture.response_note, 200),
                                 detail_width),
                       Style::dim, color) +
                 "\n";
    }
    if (!payload.error_message.empty()) {
        lines +=
            "    " +
            paint(term::fit(printable(payload.error_message, 400), detail_width),
                  outcome_style(payload.status) == Style::green ? Style::yellow
                                                                : outcome_style(payload.status),
                  color) +
            "\n";
    } else if (!payload.message.empty()) {
        lines += "    " + term::fit(printable(payload.message, 400), detail_width) + "\n";
    }
    if (capture.forward) {
        const capture::ForwardResult& forward = *capture.forward;
        if (forward.status != 0) {
            lines += fmt::format("    forwarded to {}: {} in {:.1f} ms\n", forward.url,
                                 forward.status, static_cast<double>(forward.latency_us) / 1000.0);
        } else {
            lines += paint(fmt::format("    forward to {} failed: {}", forward.url,
                                       forward.error.empty() ? "no answer" : forward.error),
                           Style::red, color) +
                     "\n";
        }
    }
    return lines;
}

std::string finding_lines(const capture::Capture& capture, const DisplayOptions& options,
                          std::size_t detail_width) {
    const capture::PayloadSummary& payload = capture.payload;
    std::string lines;
    std::size_t shown = 0;
    for (const auto& finding : payload.findings) {
        if (shown == options.max_findings) {
            lines += fmt::format("    … {} more findings (blandhook captures show {})\n",
                                 payload.findings.size() - shown, capture.id);
            break;
        }
        // Cut to the width at the default verbosity; -v shows findings whole.
        std::string text = fmt::format(
            "{}: {}", finding.pointer.empty() ? "(body)" : printable(finding.pointer, 200),
            printable(finding.message, 300));
        if (!options.body) {
            text = term::fit(text, detail_width -
                                       std::min(detail_width - 1, finding.severity.size() + 1));
        }
        lines += fmt::format("    {} {}\n",
                             paint(printable(finding.severity, 16),
                                   finding.severity == "error" ? Style::red : Style::yellow,
                                   options.color),
                             text);
        ++shown;
    }
    return lines;
}

// -v: the request line with its peer, the headers, the body (and the app's answer).
std::string verbose_lines(const capture::Capture& capture, const DisplayOptions& options) {
    const capture::PayloadSummary& payload = capture.payload;
    const bool color = options.color;
    std::string lines;
    if (!payload.is_json && !payload.json_error.empty() && options.body) {
        lines += "    not JSON: " + printable(payload.json_error, 200) + "\n";
    }
    if (options.headers) {
        lines += fmt::format("    {} {} from {}{}{}\n", printable(capture.method, 16),
                             printable(capture.target(), 100'000), capture.peer,
                             capture.tls.empty() ? "" : " (https)",
                             payload.duration_seconds
                                 ? ", a call of " + format_duration(payload.duration_seconds)
                                 : std::string());
        for (const capture::Header& header : capture.headers) {
            lines += "    " + paint(printable(header.name, 200), Style::cyan, color) + ": " +
                     printable(header.value, 100'000) + "\n";
        }
    }
    if (options.body) {
        lines += indent(format_body(capture), "    | ");
    }
    if (options.headers && options.body && capture.forward && capture.forward->status != 0) {
        lines += app_answer_text(*capture.forward, color);
    }
    return lines;
}

} // namespace

std::string format_capture(const capture::Capture& capture, const DisplayOptions& options) {
    const std::size_t width = options.width == 0 ? 100 : options.width;
    const std::size_t detail_width = width > 4 ? width - 4 : width;
    std::string text = columns_line(capture, width, options.color);
    text += detail_lines(capture, detail_width, options.color);
    if (options.findings) {
        text += finding_lines(capture, options, detail_width);
    }
    text += verbose_lines(capture, options);
    if (options.transcript) {
        text += transcript_text(capture);
    }
    return text;
}

} // namespace blandhook::listen
