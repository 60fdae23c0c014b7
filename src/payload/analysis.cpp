#include "payload/analysis.hpp"

#include "embed/embedded.hpp"
#include "payload/json.hpp"
#include "payload/schema.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace blandhook::payload {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// One parser and one padded copy of the body per thread: simdjson reuses both buffers, so a
// listener parses without allocating. (simdjson reads up to SIMDJSON_PADDING bytes past the end,
// which a string_view does not promise.) The depth limit is parse_json's, so both agree.
simdjson::error_code parse_padded(std::string_view body, element& root) {
    thread_local simdjson::dom::parser parser;
    thread_local std::string padded;
    if (parser.max_depth() != k_max_json_depth) {
        if (const auto error = parser.allocate(std::size_t{64} * 1024, k_max_json_depth)) {
            return error;
        }
    }
    padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
    // string_view::copy is a memcpy; std::ranges::copy into a string iterator copies byte by byte.
    body.copy(padded.data(), body.size());
    return parser.parse(padded.data(), body.size(), false).get(root);
}

// canonical_json text made acceptable to simdjson: every lone-surrogate escape (\udXXX) becomes
// \ufffd (lossy, fine for analysis), and integers too long for 64 bits (JavaScript prints
// doubles below 1e21 in full) get a ".0" so that simdjson reads them as doubles.
std::string simdjson_friendly(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 16);
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                if (text[i + 1] == 'u' && text[i + 2] == 'd') {
                    out += "\\ufffd";
                    i += 5;
                } else {
                    out += text.substr(i, 2);
                    ++i;
                }
                continue;
            }
            in_string = c != '"';
            out.push_back(c);
            continue;
        }
        if (c == '"') {
            in_string = true;
            out.push_back(c);
            continue;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t end = i + 1;
            bool integral = true;
            while (end < text.size() &&
                   (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.' ||
                    text[end] == 'e' || text[end] == 'E' || text[end] == '+' || text[end] == '-')) {
                integral = integral && std::isdigit(static_cast<unsigned char>(text[end]));
                ++end;
            }
            out += text.substr(i, end - i);
            if (integral && end - i > 18) {
                out += ".0";
            }
            i = end - 1;
            continue;
        }
        out.push_back(c);
    }
    return out;
}

// Parses as JSON.parse would accept it: simdjson first (the hot path); for what simdjson refuses
// but JavaScript takes (1e400, integers beyond 64 bits, lone surrogate escapes), our own parser,
// re-serialised so that simdjson can hold it.
simdjson::error_code parse_body(std::string_view body, element& root) {
    const auto error = parse_padded(body, root);
    if (error != simdjson::NUMBER_ERROR && error != simdjson::STRING_ERROR) {
        return error;
    }
    try {
        const std::string text = simdjson_friendly(canonical_json(parse_json(body)));
        if (parse_padded(text, root) == simdjson::SUCCESS) {
            return simdjson::SUCCESS;
        }
    } catch (const JsonError&) {
        return error; // JSON.parse refuses it too: report simdjson's reason
    }
    return error;
}

// The top-level fields classification and the summary look at, gathered in one pass over the
// object. A repeated key keeps its last value, as JSON.parse does.
struct TopLevel {
    bool is_object = false;
    std::optional<element> call_id, inbound, status, queue_status, error_message,
        corrected_duration, call_length, answered_by, transcripts, message, citations, event_type,
        completed, concatenated_transcript, corrected_transcript, category, contents,
        post_transfer_transcript;
};

struct Wanted {
    std::string_view name;
    std::optional<element> TopLevel::*member;
};

// Sorted by name length, so that a key is only compared with the names of its own length.
constexpr Wanted k_wanted[] = {
    {"status", &TopLevel::status},
    {"call_id", &TopLevel::call_id},
    {"inbound", &TopLevel::inbound},
    {"message", &TopLevel::message},
    {"category", &TopLevel::category},
    {"contents", &TopLevel::contents},
    {"citations", &TopLevel::citations},
    {"completed", &TopLevel::completed},
    {"event_type", &TopLevel::event_type},
    {"call_length", &TopLevel::call_length},
    {"answered_by", &TopLevel::answered_by},
    {"transcripts", &TopLevel::transcripts},
    {"queue_status", &TopLevel::queue_status},
    {"error_message", &TopLevel::error_message},
    {"corrected_duration", &TopLevel::corrected_duration},
    {"corrected_transcript", &TopLevel::corrected_transcript},
    {"concatenated_transcript", &TopLevel::concatenated_transcript},
    {"post_transfer_transcript", &TopLevel::post_transfer_transcript},
};
static_assert(std::ranges::is_sorted(k_wanted, [](const Wanted& a, const Wanted& b) {
    return a.name.size() < b.name.size();
}));
constexpr std::size_t k_longest_wanted = std::end(k_wanted)[-1].name.size();

// k_first_wanted[n]: the index in k_wanted of the first name of n bytes or more.
constexpr auto k_first_wanted = [] {
    std::array<std::uint8_t, k_longest_wanted + 2> first{};
    std::size_t index = 0;
    for (std::size_t length = 0; length < first.size(); ++length) {
        while (index < std::size(k_wanted) && k_wanted[index].name.size() < length) {
            ++index;
        }
        first.at(length) = static_cast<std::uint8_t>(index);
    }
    return first;
}();

TopLevel gather(element value) {
    TopLevel top;
    object fields;
    if (value.get_object().get(fields) != simdjson::SUCCESS) {
        return top;
    }
    top.is_object = true;
    for (auto field : fields) {
        const std::size_t length = field.key.size();
        if (length > k_longest_wanted) {
            continue;
        }
        for (std::size_t i = k_first_wanted.at(length); i < k_first_wanted.at(length + 1); ++i) {
            if (field.key == k_wanted[i].name) {
                top.*k_wanted[i].member = field.value;
                break;
            }
        }
    }
    return top;
}

std::string_view text_of(const std::optional<element>& value) {
    std::string_view text;
    if (value && value->get_string().get(text) == simdjson::SUCCESS) {
        return text;
    }
    return {};
}

std::optional<double> number_of(const std::optional<element>& value) {
    double number = 0;
    if (value && value->get_double().get(number) == simdjson::SUCCESS) {
        return number;
    }
    return std::nullopt;
}

std::size_t array_size(const std::optional<element>& value) {
    simdjson::dom::array array;
    if (value && value->get_array().get(array) == simdjson::SUCCESS) {
        return array.size();
    }
    return 0;
}

// Spec section 4: how a listener tells the bodies apart. A post-call body comes first: the
// delayed one carries an `event_type` too ("multiple", "post_transfer_transcript").
Kind classify_fields(const TopLevel& top) {
    if (!top.is_object) {
        return Kind::unknown;
    }
    if (top.completed || top.concatenated_transcript) {
        return top.corrected_transcript || top.citations || top.post_transfer_transcript
                   ? Kind::delayed_post_call
                   : Kind::post_call;
    }
    const std::string_view event_type = text_of(top.event_type);
    for (const auto& known : k_event_types) {
        if (known.event_type == event_type) {
            return known.kind;
        }
    }
    if (top.category && top.message) {
        return Kind::live_event;
    }
    return Kind::unknown;
}

Kind classify_element(element value) {
    return classify_fields(gather(value));
}

// "1 citation", "3 citations".
std::string counted(std::size_t count, std::string_view noun) {
    return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

// The strings of an array joined by ", " (`contents` of a "multiple" event).
std::string joined_strings(const std::optional<element>& value) {
    std::string out;
    simdjson::dom::array array;
    if (!value || value->get_array().get(array) != simdjson::SUCCESS) {
        return out;
    }
    for (auto item : array) {
        std::string_view text;
        if (item.get_string().get(text) == simdjson::SUCCESS) {
            out += (out.empty() ? "" : ", ") + std::string(text);
        }
    }
    return out;
}

Summary summarise(Kind kind, const TopLevel& top) {
    Summary summary;
    if (!top.is_object) {
        return summary;
    }
    if (top.call_id) {
        if (top.call_id->type() == element_type::STRING) {
            summary.call_id = std::string(text_of(top.call_id));
        } else if (top.call_id->type() == element_type::INT64 ||
                   top.call_id->type() == element_type::UINT64) {
            summary.call_id = simdjson::minify(*top.call_id); // the reference calls it a number
        }
    }
    bool inbound = false;
    if (top.inbound && top.inbound->get_bool().get(inbound) == simdjson::SUCCESS) {
        summary.direction = inbound ? "inbound" : "outbound";
    }
    summary.status = std::string(text_of(top.status));
    if (summary.status.empty()) {
        summary.status = std::string(text_of(top.queue_status));
    }
    summary.error_message = std::string(text_of(top.error_message));
    // corrected_duration arrives as a string of seconds ("11"); call_length is in minutes.
    const std::string_view corrected = text_of(top.corrected_duration);
    double seconds = 0;
    const auto parsed =
        std::from_chars(corrected.data(), corrected.data() + corrected.size(), seconds);
    if (!corrected.empty() && parsed.ec == std::errc{} &&
        parsed.ptr == corrected.data() + corrected.size() && std::isfinite(seconds)) {
        summary.duration_seconds = seconds;
    } else if (const auto number = number_of(top.corrected_duration)) {
        summary.duration_seconds = number;
    } else if (const auto minutes = number_of(top.call_length)) {
        summary.duration_seconds = *minutes * 60;
    }
    summary.answered_by = std::string(text_of(top.answered_by));
    summary.transcript_turns = array_size(top.transcripts);
    if (kind == Kind::live_event) {
        summary.message = std::string(text_of(top.message));
    } else if (kind == Kind::citations_event) {
        summary.message = counted(array_size(top.citations), "citation");
    } else if (kind == Kind::post_transfer_event) {
        summary.message = "post-transfer transcript, " +
                          counted(array_size(top.post_transfer_transcript), "segment");
    } else if (kind == Kind::multiple_event) {
        summary.message = "multiple: " + joined_strings(top.contents);
    } else if (kind == Kind::evals_event) {
        summary.message = "evals " + std::string(text_of(top.status));
    }
    return summary;
}

// The parse error simdjson reports, in words a user can act on.
std::string parse_error_text(simdjson::error_code error) {
    switch (error) {
    case simdjson::DEPTH_ERROR:
        return "nesting deeper than " + std::to_string(k_max_json_depth) + " levels";
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
    const auto error = parse_body(body, root);
    if (error != simdjson::SUCCESS) {
        analysis.valid_utf8 = error != simdjson::UTF8_ERROR && simdjson::validate_utf8(body);
        analysis.json_error = parse_error_text(error);
        return analysis;
    }
    analysis.is_json = true;
    const TopLevel top = gather(root);
    analysis.kind = classify_fields(top);
    analysis.summary = summarise(analysis.kind, top);
    schema::validate(analysis.kind, root, analysis.findings);
    return analysis;
}

Kind classify(std::string_view body) {
    element root;
    if (parse_body(body, root) != simdjson::SUCCESS) {
        return Kind::unknown;
    }
    return classify_element(root);
}

std::vector<Finding> validate(std::string_view body, std::optional<Kind> kind) {
    std::vector<Finding> findings;
    element root;
    const auto error = parse_body(body, root);
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
