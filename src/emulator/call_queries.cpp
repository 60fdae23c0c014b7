#include "emulator/call_queries.hpp"

#include "payload/connected.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fmt/core.h>
#include <numbers>

namespace blandhook::emulator {
namespace {

using payload::Json;

std::string text(const Json& object, const char* field) {
    auto it = object.find(field);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<bool> parse_bool(const std::string& value) {
    if (value == "true" || value == "1") {
        return true;
    }
    if (value == "false" || value == "0") {
        return false;
    }
    return std::nullopt;
}

std::optional<long long> parse_int(const std::string& value) {
    long long number = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc{} || end != value.data() + value.size() || number < 0) {
        return std::nullopt;
    }
    return number;
}

// A date filter: "YYYY-MM-DD" (the whole day) or a full timestamp, compared as text against
// created_at's UTC form; both sort the same way.
bool valid_date(const std::string& value) {
    return value.size() >= 10 && value[4] == '-' && value[7] == '-' &&
           std::all_of(value.begin(), value.begin() + 4, ::isdigit);
}

// The fields of one row of the documented list example, plus those the official CLI reads.
Json list_row(const Json& details) {
    Json row = Json::object();
    for (const char* field :
         {"call_id", "created_at", "call_length", "to", "from", "completed", "queue_status",
          "error_message", "answered_by", "batch_id", "inbound", "status", "price"}) {
        auto it = details.find(field);
        row[field] = it != details.end() ? *it : Json();
    }
    return row;
}

using Query = std::multimap<std::string, std::string>;

// The query of GET /v1/calls, read and checked.
struct ListQuery {
    long long limit = 1000;
    bool ascending = false;
    std::string sort_by = "created_at";
    std::optional<bool> completed;
    std::optional<bool> inbound;
    std::string start_date; ///< "" for none; compared as text against created_at
    std::string end_date;   ///< "" for none; a date alone is stretched to the end of its day
    long long from = 0;
    std::optional<long long> to;
    /// {parameter, details field}: calls whose field equals the parameter, when it is given.
    std::vector<std::pair<std::string, const char*>> equal_fields;
};

std::optional<std::string> value_of(const Query& query, const char* name) {
    auto it = query.find(name);
    return it == query.end() ? std::nullopt : std::optional<std::string>(it->second);
}

Answer bad_parameter(std::string_view name, std::string_view why) {
    return {400, data_error("INVALID_PARAMETERS",
                            fmt::format("Invalid query parameter {}: {}", name, why))};
}

// The page size and the order: limit, ascending, sort_by. The 400 naming a bad one, else nullopt.
std::optional<Answer> read_order(const Query& query, ListQuery& out) {
    if (auto value = value_of(query, "limit")) {
        auto number = parse_int(*value);
        if (!number || *number == 0) {
            return bad_parameter("limit", "expected a positive integer");
        }
        out.limit = *number;
    }
    if (auto value = value_of(query, "ascending")) {
        auto flag = parse_bool(*value);
        if (!flag) {
            return bad_parameter("ascending", "expected true or false");
        }
        out.ascending = *flag;
    }
    out.sort_by = value_of(query, "sort_by").value_or("created_at");
    if (out.sort_by != "created_at" && out.sort_by != "call_length" && out.sort_by != "price") {
        return bad_parameter("sort_by", "expected created_at, call_length or price");
    }
    return std::nullopt;
}

// The filters: completed, inbound, start_date, end_date and the fields compared as they are.
std::optional<Answer> read_filters(const Query& query, ListQuery& out) {
    for (auto [name, into] :
         {std::pair{"completed", &out.completed}, std::pair{"inbound", &out.inbound}}) {
        if (auto value = value_of(query, name)) {
            *into = parse_bool(*value);
            if (!*into) {
                return bad_parameter(name, "expected true or false");
            }
        }
    }
    out.start_date = value_of(query, "start_date").value_or("");
    out.end_date = value_of(query, "end_date").value_or("");
    for (auto [name, value] :
         {std::pair{"start_date", &out.start_date}, std::pair{"end_date", &out.end_date}}) {
        if (!value->empty() && !valid_date(*value)) {
            return bad_parameter(name, "expected YYYY-MM-DD or an ISO 8601 timestamp");
        }
    }
    // An end date without a time covers its whole day.
    if (out.end_date.size() == 10) {
        out.end_date += "T23:59:59.999";
    }
    for (auto [param, field] :
         {std::pair{"from_number", "from"}, std::pair{"to_number", "to"},
          std::pair{"batch_id", "batch_id"}, std::pair{"answered_by", "answered_by"}}) {
        if (auto wanted = value_of(query, param)) {
            out.equal_fields.emplace_back(std::move(*wanted), field);
        }
    }
    return std::nullopt;
}

// The slice of the sorted list: from and to, indexes.
std::optional<Answer> read_range(const Query& query, ListQuery& out) {
    if (auto value = value_of(query, "from")) {
        auto number = parse_int(*value);
        if (!number) {
            return bad_parameter("from", "expected an index, 0 or more");
        }
        out.from = *number;
    }
    if (auto value = value_of(query, "to")) {
        out.to = parse_int(*value);
        if (!out.to) {
            return bad_parameter("to", "expected an index, 0 or more");
        }
    }
    return std::nullopt;
}

bool matches(const CallSnapshot& call, const ListQuery& wanted) {
    const Json& details = call.details;
    for (const auto& [value, field] : wanted.equal_fields) {
        if (text(details, field) != value) {
            return false;
        }
    }
    const std::string created = iso_zulu(call.created_at);
    return (!wanted.completed || details.value("completed", false) == *wanted.completed) &&
           (!wanted.inbound || details.value("inbound", false) == *wanted.inbound) &&
           (wanted.start_date.empty() || created >= wanted.start_date) &&
           (wanted.end_date.empty() || created <= wanted.end_date);
}

// Stable, so calls that compare equal keep the order they were given in.
void sort_calls(std::vector<const CallSnapshot*>& calls, const ListQuery& wanted) {
    auto number = [&](const CallSnapshot* call) {
        auto it = call->details.find(wanted.sort_by);
        return it != call->details.end() && it->is_number() ? it->get<double>() : 0.0;
    };
    std::ranges::stable_sort(calls, [&](const CallSnapshot* a, const CallSnapshot* b) {
        if (wanted.sort_by == "created_at") {
            return wanted.ascending ? a->created_at < b->created_at : a->created_at > b->created_at;
        }
        return wanted.ascending ? number(a) < number(b) : number(a) > number(b);
    });
}

} // namespace

Answer list_calls(const std::vector<CallSnapshot>& calls, const Query& query) {
    ListQuery wanted;
    if (auto bad = read_order(query, wanted)) {
        return *bad;
    }
    if (auto bad = read_filters(query, wanted)) {
        return *bad;
    }
    if (auto bad = read_range(query, wanted)) {
        return *bad;
    }
    std::vector<const CallSnapshot*> matched;
    for (const auto& call : calls) {
        if (matches(call, wanted)) {
            matched.push_back(&call);
        }
    }
    sort_calls(matched, wanted);
    Json rows = Json::array();
    const auto total = static_cast<long long>(matched.size());
    const long long page_end = wanted.from + wanted.limit;
    const long long end = std::min(total, wanted.to ? std::min(*wanted.to, page_end) : page_end);
    for (long long i = wanted.from; i < end; ++i) {
        rows.push_back(list_row(matched[static_cast<std::size_t>(i)]->details));
    }
    // Bland's example has `count` (all matching calls); bland-cli reads `total_count`.
    return {200, Json{{"count", total}, {"total_count", total}, {"calls", std::move(rows)}}};
}

Answer call_events(const CallSnapshot& call) {
    return {200, Json{{"data", call.events}, {"errors", nullptr}}};
}

Answer analyze_questions(const CallSnapshot& call, std::string_view request_body) {
    Json request;
    try {
        request = payload::parse_json(request_body);
    } catch (const payload::JsonError& error) {
        return {400, status_error(not_json(error))};
    }
    auto questions = request.find("questions");
    if (!request.is_object() || questions == request.end() || !questions->is_array() ||
        questions->empty()) {
        return {400,
                status_error("questions must be a non-empty array of [question, type] pairs.")};
    }
    if (!call.ended) {
        return {400, status_error("Call has not ended yet.")};
    }
    const Json& details = call.details;
    const bool talked = details.value("status", "") == "completed" &&
                        details.value("answered_by", Json()).is_string() &&
                        details["answered_by"] == "human";
    Json answers = Json::array();
    for (const auto& question : *questions) {
        if (!question.is_array() || question.size() != 2 || !question[0].is_string() ||
            !question[1].is_string()) {
            return {400, status_error("each question is a [question, type] pair of strings.")};
        }
        // No language model here: each type gets a value read from the call, the same every
        // time, so a test can assert it (docs/emulate.md).
        const std::string type = question[1].get<std::string>();
        if (type == "boolean") {
            answers.push_back(talked);
        } else if (type == "number" || type == "integer") {
            double minutes = details.value("call_length", 0.0);
            answers.push_back(static_cast<long long>(std::llround(minutes * 60)));
        } else if (type == "string" || type == "human readable") {
            answers.push_back(talked ? Json(details.value("summary", "")) : Json());
        } else {
            answers.push_back(nullptr);
        }
    }
    return {200, Json{{"status", "success"},
                      {"message", "Call analyzed successfully."},
                      {"answers", std::move(answers)},
                      {"credits_used", 0}}};
}

Answer analyze_with_schema(
    std::string_view request_body,
    const std::function<std::optional<CallSnapshot>(const std::string& call_id)>& find) {
    Json request;
    try {
        request = payload::parse_json(request_body);
    } catch (const payload::JsonError& error) {
        return {400, data_error("INVALID_BODY", error.what())};
    }
    const std::string call_id = request.is_object() ? text(request, "call_id") : std::string();
    if (call_id.empty()) {
        return {400, data_error("INVALID_PARAMETERS", "call_id is required.")};
    }
    auto call = find(call_id);
    if (!call) {
        return {404, data_error("NOT_FOUND", fmt::format("Call {} not found.", call_id))};
    }
    if (!call->ended) {
        return {400,
                data_error("CALL_NOT_ENDED", fmt::format("Call {} has not ended yet.", call_id))};
    }
    const std::string reason = payload::never_connected_reason(call->details);
    if (!reason.empty()) {
        return {400, data_error("NO_CITATION_DATA",
                                fmt::format("Call {} never connected ({}): there is nothing to "
                                            "analyze.",
                                            call_id, reason))};
    }
    Json citations = call->citations.is_array() ? call->citations : Json::array();
    std::string schema_id = text(request, "schema_id");
    if (!schema_id.empty()) {
        for (auto& citation : citations) {
            citation["schema_id"] = schema_id;
        }
    } else if (!citations.empty()) {
        schema_id = text(citations.front(), "schema_id");
    }
    return {200, Json{{"data",
                       {{"call_id", call_id},
                        {"schema_id", schema_id},
                        {"status", "completed"},
                        {"citations", std::move(citations)}}},
                      {"errors", nullptr}}};
}

std::string wav_recording(double seconds) {
    constexpr std::uint32_t k_rate = 8000;
    const auto samples = static_cast<std::uint32_t>(std::max(0.0, seconds) * k_rate);
    const std::uint32_t data_bytes = samples * 2;
    std::string wav;
    wav.reserve(44 + data_bytes);
    auto put = [&](std::uint32_t value, int bytes) {
        for (int i = 0; i < bytes; ++i) {
            wav.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
        }
    };
    wav += "RIFF";
    put(36 + data_bytes, 4);
    wav += "WAVEfmt ";
    put(16, 4);         // fmt chunk size
    put(1, 2);          // PCM
    put(1, 2);          // mono
    put(k_rate, 4);     // sample rate
    put(k_rate * 2, 4); // byte rate
    put(2, 2);          // block align
    put(16, 2);         // bits per sample
    wav += "data";
    put(data_bytes, 4);
    for (std::uint32_t i = 0; i < samples; ++i) {
        const double value = 2000.0 * std::sin(2 * std::numbers::pi * 440.0 * i / k_rate);
        put(static_cast<std::uint32_t>(static_cast<std::int16_t>(std::lround(value))) & 0xffff, 2);
    }
    return wav;
}

} // namespace blandhook::emulator
