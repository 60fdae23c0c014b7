#include "capture/capture.hpp"
#include "capture/json_text.hpp"

#include "error.hpp"
#include "payload/analysis.hpp"
#include "payload/signature.hpp"
#include "util/hex.hpp"
#include "util/text.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <concepts>
#include <cstdio>
#include <ctime>
#include <fmt/core.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace blandhook::capture {
namespace {

// Which bytes need escaping inside a JSON string: 0 = copy as is, else the escape letter
// ('u' for \u00XX). Built once; the hot path is a table lookup per byte.
constexpr std::array<char, 256> make_escape_table() {
    std::array<char, 256> table{};
    for (int c = 0; c < 0x20; ++c) {
        table[c] = 'u';
    }
    table['"'] = '"';
    table['\\'] = '\\';
    table['\b'] = 'b';
    table['\f'] = 'f';
    table['\n'] = 'n';
    table['\r'] = 'r';
    table['\t'] = 't';
    return table;
}
constexpr std::array<char, 256> k_escape = make_escape_table();

#if defined(__SSE2__)
// Bit i is set when byte i of `bytes` cannot stand in a JSON string as it is: '"', '\\' or a
// control character below 0x20.
unsigned escape_mask16(__m128i bytes) {
    const __m128i quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'));
    const __m128i backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'));
    const __m128i limit = _mm_set1_epi8(0x1f);
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, limit), limit); // byte <= 0x1f
    return static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)));
}
#endif

// Appends `text` as a JSON string. `text` must be valid UTF-8 (callers check or base64 first).
// This runs on every captured body (a pretty-printed webhook needs an escape every ten bytes or
// so), so it copies 16 bytes at a time and stops only at the bytes that need an escape. The
// output is sized for every byte becoming a two-character escape, plus 16 bytes of slack for the
// block stores; the rare six-character \u00XX escapes make room for themselves.
void append_string(std::string& out, std::string_view text) {
    constexpr std::size_t k_slack = 16;
    const char* in = text.data();
    const std::size_t size = text.size();
    const std::size_t base = out.size();
    out.resize(base + 2 * size + 2 + k_slack);
    char* begin = out.data();
    char* p = begin + base;
    *p++ = '"';
    std::size_t i = 0;
    auto escape = [&](unsigned char byte) {
        const char letter = k_escape[byte];
        if (letter != 'u') {
            p[0] = '\\';
            p[1] = letter;
            p += 2;
            return;
        }
        const auto used = static_cast<std::size_t>(p - begin);
        const std::size_t needed = used + 6 + 2 * (size - i) + 1 + k_slack;
        if (needed > out.size()) {
            out.resize(needed + size);
            begin = out.data();
            p = begin + used;
        }
        constexpr std::string_view k_unicode_prefix = "\\u00";
        std::ranges::copy(k_unicode_prefix, p);
        p[4] = util::k_hex_digits[byte >> 4];
        p[5] = util::k_hex_digits[byte & 0xf];
        p += 6;
    };
#if defined(__SSE2__)
    // Each block's escapes are walked through its mask: a load and a store per escape, no
    // branch on the bytes themselves. The loads after an escape reach up to 16 bytes past the
    // block, hence the 32-byte bound.
    auto load = [](const char* at) {
        return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    };
    auto store = [](char* at, __m128i bytes) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(at), bytes);
    };
    while (i + 32 <= size) {
        const __m128i block = load(in + i);
        unsigned mask = escape_mask16(block);
        store(p, block);
        if (mask == 0) {
            i += 16;
            p += 16;
            continue;
        }
        const std::size_t block_at = i;
        std::size_t done = 0; // bytes of this block written
        do {
            const auto at = static_cast<std::size_t>(std::countr_zero(mask));
            store(p, load(in + block_at + done));
            p += at - done;
            done = at + 1;
            i = block_at + done;
            escape(static_cast<unsigned char>(in[block_at + at]));
            mask &= mask - 1;
        } while (mask != 0);
        store(p, load(in + block_at + done));
        p += 16 - done;
        i = block_at + 16;
    }
#endif
    for (; i < size; ++i) {
        const auto byte = static_cast<unsigned char>(in[i]);
        if (k_escape[byte] == 0) {
            *p++ = static_cast<char>(byte);
        } else {
            ++i;
            escape(byte);
            --i;
        }
    }
    *p++ = '"';
    out.resize(static_cast<std::size_t>(p - begin));
}

// Header names and values, paths and queries are not guaranteed UTF-8 either (HTTP allows
// obs-text): such a value is written with invalid bytes as U+FFFD so the line stays valid JSON.
// Only the body must round-trip byte-exact, and it has base64 for that.
void append_text(std::string& out, std::string_view text) {
    if (is_valid_utf8(text)) {
        append_string(out, text);
        return;
    }
    std::string cleaned;
    for (unsigned char c : text) {
        if (c < 0x80) {
            cleaned.push_back(static_cast<char>(c));
        } else {
            cleaned.append("\xEF\xBF\xBD");
        }
    }
    append_string(out, cleaned);
}

// One JSON object of a log line, written member by member in the log's fixed order. Every writer
// of a line goes through here, so keys are quoted and separated in one place.
class ObjectWriter {
public:
    explicit ObjectWriter(std::string& out) : m_out(out) { m_out.push_back('{'); }

    /// Starts the next member: its separator and `"key":`; the caller appends the value.
    std::string& key(std::string_view key) {
        if (!m_empty) {
            m_out.push_back(',');
        }
        m_empty = false;
        m_out.push_back('"');
        m_out.append(key);
        m_out.append("\":");
        return m_out;
    }

    void text(std::string_view key, std::string_view value) { append_text(this->key(key), value); }

    /// A member that is left out when `value` is empty (readers take a missing one as "").
    void text_unless_empty(std::string_view key, std::string_view value) {
        if (!value.empty()) {
            text(key, value);
        }
    }

    template <typename Integer>
    requires std::integral<Integer>
    void integer(std::string_view key, Integer value) {
        this->key(key).append(std::to_string(value));
    }

    void boolean(std::string_view key, bool value) {
        this->key(key).append(value ? "true" : "false");
    }

    // JSON has no NaN or Infinity: they (and magnitudes above 1e308) are written as null. fmt's
    // shortest form round-trips.
    void number(std::string_view key, double value) {
        std::string& out = this->key(key);
        if (value != value || value > 1e308 || value < -1e308) {
            out.append("null");
            return;
        }
        out.append(fmt::format("{}", value));
    }

    void close() { m_out.push_back('}'); }

private:
    std::string& m_out;
    bool m_empty = true;
};

// "headers":[["name","value"],…]
void write_headers(ObjectWriter& object, const std::vector<Header>& headers) {
    std::string& out = object.key("headers");
    out.push_back('[');
    for (std::size_t i = 0; i < headers.size(); ++i) {
        out.append(i == 0 ? "[" : ",[");
        append_text(out, headers[i].name);
        out.push_back(',');
        append_text(out, headers[i].value);
        out.push_back(']');
    }
    out.push_back(']');
}

// "body":"text" for UTF-8, else "body_encoding":"base64","body":"…": exact bytes either way.
void write_body(ObjectWriter& object, std::string_view body, bool utf8) {
    if (utf8) {
        append_string(object.key("body"), body);
    } else {
        object.key("body_encoding").append(R"("base64")");
        std::string& out = object.key("body");
        out.push_back('"');
        out.append(base64_encode(body));
        out.push_back('"');
    }
}

std::string string_or(const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_string()) {
        return {};
    }
    return it->get<std::string>();
}

template <typename T> T number_or(const nlohmann::json& object, const char* key, T fallback) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_number()) {
        return fallback;
    }
    return it->get<T>();
}

std::vector<Header> headers_of(const nlohmann::json& object) {
    std::vector<Header> headers;
    if (auto list = object.find("headers"); list != object.end() && list->is_array()) {
        for (const auto& pair : *list) {
            if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
                headers.push_back({pair[0].get<std::string>(), pair[1].get<std::string>()});
            }
        }
    }
    return headers;
}

std::string body_of(const nlohmann::json& object) {
    std::string body = string_or(object, "body");
    return string_or(object, "body_encoding") == "base64" ? base64_decode(body) : body;
}

Error bad_line(const std::string& detail) {
    return {ErrorKind::input, "capture log", detail,
            "the file is not a blandhook capture log (docs/capture-log.md)"};
}

} // namespace

std::optional<std::string_view> Capture::header(std::string_view name) const {
    for (const Header& h : headers) {
        if (util::iequals_ascii(h.name, name)) {
            return std::string_view(h.value);
        }
    }
    return std::nullopt;
}

void ForwardResult::keep_body(std::string full) {
    body_bytes = full.size();
    if (full.size() > k_forward_body_limit) {
        const bool text = is_valid_utf8(full);
        full.resize(k_forward_body_limit);
        if (text) {
            // Step back over the continuation bytes of a character the cut went through.
            std::size_t end = full.size();
            std::size_t start = end;
            while (start > 0 && end - start < 4 &&
                   (static_cast<unsigned char>(full[start - 1]) & 0xC0) == 0x80) {
                --start;
            }
            if (start > 0 && !is_valid_utf8(std::string_view(full).substr(start - 1))) {
                full.resize(start - 1);
            }
        }
    }
    body = std::move(full);
}

std::string Capture::target() const {
    return query.empty() ? path : path + "?" + query;
}

bool is_valid_utf8(std::string_view bytes) {
    return simdjson::validate_utf8(bytes.data(), bytes.size());
}

std::string json_string(std::string_view text) {
    std::string out;
    append_text(out, text);
    return out;
}

std::string to_json_line(const Capture& capture) {
    std::string out;
    append_json_line(out, capture);
    return out;
}

namespace {

// The "forward" object of a log line: where the capture was relayed and what came back.
void write_forward(std::string& out, const ForwardResult& forward) {
    ObjectWriter object(out);
    object.text("url", forward.url);
    object.integer("status", forward.status);
    object.integer("latency_us", forward.latency_us);
    object.text_unless_empty("error", forward.error);
    if (forward.status != 0) {
        write_headers(object, forward.headers);
        object.integer("body_bytes", forward.body_bytes);
        if (forward.body_truncated()) {
            object.boolean("body_truncated", true);
        }
        write_body(object, forward.body, is_valid_utf8(forward.body));
    }
    object.close();
}

// "findings":[{"pointer":…,"severity":…,"message":…},…]
void write_findings(ObjectWriter& object, const std::vector<PayloadSummary::Finding>& findings) {
    std::string& out = object.key("findings");
    out.push_back('[');
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (i > 0) {
            out.push_back(',');
        }
        ObjectWriter finding(out);
        finding.text("pointer", findings[i].pointer);
        finding.text("severity", findings[i].severity);
        finding.text("message", findings[i].message);
        finding.close();
    }
    out.push_back(']');
}

// The "payload" object of a log line: what the body was judged to be.
void write_payload(std::string& out, const PayloadSummary& payload) {
    ObjectWriter object(out);
    object.text("kind", payload.kind);
    object.boolean("is_json", payload.is_json);
    object.boolean("valid_utf8", payload.valid_utf8);
    object.text_unless_empty("json_error", payload.json_error);
    object.text_unless_empty("call_id", payload.call_id);
    object.text_unless_empty("status", payload.status);
    object.text_unless_empty("error_message", payload.error_message);
    object.text_unless_empty("message", payload.message);
    if (payload.duration_seconds) {
        object.number("duration_seconds", *payload.duration_seconds);
    }
    object.text("signature", payload.signature);
    object.integer("errors", payload.errors);
    object.integer("warnings", payload.warnings);
    write_findings(object, payload.findings);
    object.close();
}

// The "response" object of a log line: what the listener answered.
void write_response(std::string& out, const Capture& capture) {
    ObjectWriter object(out);
    object.integer("status", capture.response_status);
    object.integer("latency_us", capture.latency_us);
    object.text_unless_empty("note", capture.response_note);
    object.close();
}

} // namespace

void append_json_line(std::string& out, const Capture& capture) {
    const bool utf8 = is_valid_utf8(capture.body);
    out.reserve(out.size() + 512 + capture.body.size() * (utf8 ? 11 : 14) / 10 +
                capture.headers.size() * 64);
    ObjectWriter line(out);
    line.integer("id", capture.id);
    append_string(line.key("received_at"), capture.received_at);
    line.text("method", capture.method);
    line.text("path", capture.path);
    line.text("query", capture.query);
    line.text("peer", capture.peer);
    line.text_unless_empty("tls", capture.tls);
    write_headers(line, capture.headers);
    line.integer("body_bytes", capture.body.size());
    write_body(line, capture.body, utf8);
    write_response(line.key("response"), capture);
    if (capture.forward) {
        write_forward(line.key("forward"), *capture.forward);
    }
    write_payload(line.key("payload"), capture.payload);
    line.close();
}

nlohmann::json to_json(const Capture& capture) {
    return nlohmann::json::parse(to_json_line(capture));
}

Capture from_json(const nlohmann::json& line) {
    if (!line.is_object()) {
        throw bad_line("a line is not a JSON object");
    }
    Capture capture;
    auto id = line.find("id");
    if (id == line.end() || !id->is_number_unsigned()) {
        throw bad_line("a line has no numeric \"id\"");
    }
    capture.id = id->get<std::uint64_t>();
    capture.received_at = string_or(line, "received_at");
    capture.method = string_or(line, "method");
    capture.path = string_or(line, "path");
    capture.query = string_or(line, "query");
    capture.peer = string_or(line, "peer");
    capture.tls = string_or(line, "tls");
    capture.headers = headers_of(line);
    capture.body = body_of(line);
    if (auto response = line.find("response"); response != line.end() && response->is_object()) {
        capture.response_status = number_or<int>(*response, "status", 0);
        capture.latency_us = number_or<std::int64_t>(*response, "latency_us", 0);
        capture.response_note = string_or(*response, "note");
    }
    if (auto forward = line.find("forward"); forward != line.end() && forward->is_object()) {
        ForwardResult result;
        result.url = string_or(*forward, "url");
        result.status = number_or<int>(*forward, "status", 0);
        result.latency_us = number_or<std::int64_t>(*forward, "latency_us", 0);
        result.error = string_or(*forward, "error");
        // Lines written before the answer was kept have no headers or body: they read as none.
        result.headers = headers_of(*forward);
        result.body = body_of(*forward);
        result.body_bytes = number_or<std::uint64_t>(*forward, "body_bytes", result.body.size());
        capture.forward = std::move(result);
    }
    if (auto payload = line.find("payload"); payload != line.end() && payload->is_object()) {
        PayloadSummary& summary = capture.payload;
        summary.kind = string_or(*payload, "kind");
        if (summary.kind.empty()) {
            summary.kind = "unknown";
        }
        summary.is_json = payload->value("is_json", false);
        summary.valid_utf8 = payload->value("valid_utf8", true);
        summary.json_error = string_or(*payload, "json_error");
        summary.call_id = string_or(*payload, "call_id");
        summary.status = string_or(*payload, "status");
        summary.error_message = string_or(*payload, "error_message");
        summary.message = string_or(*payload, "message");
        if (auto duration = payload->find("duration_seconds");
            duration != payload->end() && duration->is_number()) {
            summary.duration_seconds = duration->get<double>();
        }
        summary.signature = string_or(*payload, "signature");
        summary.errors = number_or<std::size_t>(*payload, "errors", 0);
        summary.warnings = number_or<std::size_t>(*payload, "warnings", 0);
        if (auto findings = payload->find("findings");
            findings != payload->end() && findings->is_array()) {
            for (const auto& finding : *findings) {
                if (finding.is_object()) {
                    summary.findings.push_back({string_or(finding, "pointer"),
                                                string_or(finding, "severity"),
                                                string_or(finding, "message")});
                }
            }
        }
    }
    return capture;
}

Capture from_json_line(std::string_view line) {
    nlohmann::json parsed = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (parsed.is_discarded()) {
        throw bad_line("a line is not valid JSON");
    }
    return from_json(parsed);
}

void analyze_into(Capture& capture, std::string_view secret) {
    const payload::Analysis analysis = payload::analyze(capture.body);
    PayloadSummary& summary = capture.payload;
    summary.kind = std::string(payload::kind_name(analysis.kind));
    summary.is_json = analysis.is_json;
    summary.valid_utf8 = analysis.valid_utf8;
    summary.json_error = analysis.json_error;
    summary.call_id = analysis.summary.call_id;
    summary.status = analysis.summary.status;
    summary.error_message = analysis.summary.error_message;
    summary.duration_seconds = analysis.summary.duration_seconds;
    summary.message = analysis.summary.message;
    summary.errors = analysis.error_count();
    summary.warnings = analysis.warning_count();
    summary.findings.clear();
    summary.findings.reserve(analysis.findings.size());
    for (const payload::Finding& finding : analysis.findings) {
        summary.findings.push_back({finding.pointer,
                                    std::string(payload::severity_name(finding.severity)),
                                    finding.message});
    }
    std::optional<std::string_view> header = capture.header(payload::k_signature_header);
    summary.signature =
        std::string(payload::verdict_name(payload::check_signature(secret, capture.body, header)));
}

std::string now_iso8601() {
    return iso8601(std::chrono::system_clock::now());
}

std::string iso8601(std::chrono::system_clock::time_point now) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<int>(millis));
    return buffer;
}

namespace {

constexpr std::string_view k_base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Indexed by a byte: its value in k_base64_alphabet, -1 for a byte outside it.
constexpr std::array<int, 256> k_base64_values = [] {
    std::array<int, 256> values{};
    values.fill(-1);
    for (std::size_t i = 0; i < k_base64_alphabet.size(); ++i) {
        values.at(static_cast<unsigned char>(k_base64_alphabet[i])) = static_cast<int>(i);
    }
    return values;
}();

} // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned value = (static_cast<unsigned char>(bytes[i]) << 16) |
                               (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                               static_cast<unsigned char>(bytes[i + 2]);
        out.push_back(k_base64_alphabet[(value >> 18) & 63]);
        out.push_back(k_base64_alphabet[(value >> 12) & 63]);
        out.push_back(k_base64_alphabet[(value >> 6) & 63]);
        out.push_back(k_base64_alphabet[value & 63]);
    }
    if (i < bytes.size()) {
        unsigned value = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) {
            value |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        }
        out.push_back(k_base64_alphabet[(value >> 18) & 63]);
        out.push_back(k_base64_alphabet[(value >> 12) & 63]);
        out.push_back(i + 1 < bytes.size() ? k_base64_alphabet[(value >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

std::string base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        throw bad_line("a base64 body has a length that is not a multiple of 4");
    }
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        int values[4];
        int padding = 0;
        for (int j = 0; j < 4; ++j) {
            const char c = text[i + j];
            if (c == '=' && i + 4 == text.size() && j >= 2) {
                values[j] = 0;
                ++padding;
                continue;
            }
            values[j] = k_base64_values[static_cast<unsigned char>(c)];
            if (values[j] < 0 || padding > 0) {
                throw bad_line("a base64 body holds a character outside the alphabet");
            }
        }
        const unsigned value =
            (static_cast<unsigned>(values[0]) << 18) | (static_cast<unsigned>(values[1]) << 12) |
            (static_cast<unsigned>(values[2]) << 6) | static_cast<unsigned>(values[3]);
        out.push_back(static_cast<char>((value >> 16) & 0xff));
        if (padding < 2) {
            out.push_back(static_cast<char>((value >> 8) & 0xff));
        }
        if (padding < 1) {
            out.push_back(static_cast<char>(value & 0xff));
        }
    }
    return out;
}

} // namespace blandhook::capture
