#include "replay/expect.hpp"

#include "error.hpp"
#include "payload/pointer.hpp"
#include "replay/model.hpp"
#include "replay/report.hpp"
#include "util/duration.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace blandhook::replay {
namespace {

using payload::Json;

constexpr const char* k_grammar =
    "write POINTER exists, POINTER absent, POINTER == JSON, POINTER != JSON, POINTER contains "
    "VALUE or POINTER length == N; POINTER is a JSON pointer such as /status ('' for the whole "
    "state), e.g. '/status == \"completed\"'";

bool starts_with_word(std::string_view text, std::string_view word) {
    return text.starts_with(word) &&
           (text.size() == word.size() || text[word.size()] == ' ' || text[word.size()] == '\t');
}

std::size_t code_points(std::string_view text) {
    std::size_t count = 0;
    for (unsigned char c : text) {
        count += (c & 0xc0) != 0x80;
    }
    return count;
}

std::string where(const std::string& pointer) {
    return pointer.empty() ? "the state" : pointer;
}

bool compare(std::size_t left, const std::string& op, std::size_t right) {
    if (op == "==") {
        return left == right;
    }
    if (op == "!=") {
        return left != right;
    }
    if (op == "<") {
        return left < right;
    }
    if (op == "<=") {
        return left <= right;
    }
    if (op == ">") {
        return left > right;
    }
    return left >= right;
}

CheckOutcome passed() {
    return {};
}

CheckOutcome failed(std::string detail) {
    return {CheckOutcome::Result::failed, std::move(detail)};
}

} // namespace

StateCheck parse_state_check(std::string_view text, std::string_view what) {
    auto fail = [&](const std::string& detail) {
        return Error(ErrorKind::usage, std::string(what), "'" + std::string(text) + "': " + detail,
                     k_grammar);
    };
    StateCheck check;
    check.text = std::string(util::trim_blanks(text));
    std::string_view rest = util::trim_blanks(text);
    if (!rest.empty() && (rest.front() == '\'' || rest.front() == '"')) {
        auto close = rest.find(rest.front(), 1);
        if (close == std::string_view::npos) {
            throw fail("the quoted pointer is not closed");
        }
        check.pointer = std::string(rest.substr(1, close - 1));
        rest = util::trim_blanks(rest.substr(close + 1));
    } else if (!rest.empty() && rest.front() == '/') {
        auto space = rest.find_first_of(" \t");
        check.pointer = std::string(rest.substr(0, space));
        rest = space == std::string_view::npos ? std::string_view{}
                                               : util::trim_blanks(rest.substr(space));
    }
    if (!check.pointer.empty() && check.pointer.front() != '/') {
        throw fail("'" + check.pointer + "' is not a JSON pointer (it starts with /)");
    }
    auto json_operand = [&](std::string_view operand, bool strict) {
        operand = util::trim_blanks(operand);
        if (operand.empty()) {
            throw fail("a value is missing after the operator");
        }
        try {
            return payload::parse_json(operand);
        } catch (const payload::JsonError&) {
            if (strict) {
                throw fail("'" + std::string(operand) +
                           "' is not JSON (write text in double quotes: \"completed\")");
            }
            return Json(std::string(operand));
        }
    };
    if (rest == "exists") {
        check.op = StateCheck::Op::exists;
    } else if (rest == "absent") {
        check.op = StateCheck::Op::absent;
    } else if (rest.starts_with("==")) {
        check.op = StateCheck::Op::equals;
        check.value = json_operand(rest.substr(2), true);
    } else if (rest.starts_with("!=")) {
        check.op = StateCheck::Op::differs;
        check.value = json_operand(rest.substr(2), true);
    } else if (starts_with_word(rest, "contains")) {
        check.op = StateCheck::Op::contains;
        check.value = json_operand(rest.substr(8), false);
    } else if (starts_with_word(rest, "length")) {
        check.op = StateCheck::Op::length;
        rest = util::trim_blanks(rest.substr(6));
        for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
            if (rest.substr(0, std::string_view(op).size()) == op) {
                check.length_op = op;
                rest = util::trim_blanks(rest.substr(check.length_op.size()));
                break;
            }
        }
        if (check.length_op.empty() || rest.empty() ||
            rest.find_first_not_of("0123456789") != std::string_view::npos) {
            throw fail("write length == N (or !=, <, <=, >, >=) with N a whole number");
        }
        check.length = std::stoull(std::string(rest));
    } else {
        throw fail(rest.empty() ? "an operator is missing" : "unknown operator");
    }
    return check;
}

CheckOutcome evaluate(const StateCheck& check, const State& state) {
    const Json* target = nullptr;
    Json text_value;
    if (state.kind == State::Kind::text) {
        if (!check.pointer.empty()) {
            return {CheckOutcome::Result::error,
                    fmt::format("{} cannot be read: the probe answered text, not JSON ({})",
                                check.pointer, state.summary(40))};
        }
        text_value = state.text;
        target = &text_value;
    } else if (state.kind == State::Kind::json) {
        target = payload::find_pointer(state.json, check.pointer);
    }
    const std::string got = state.kind == State::Kind::none ? "no state"
                            : target                        ? payload::shorten(*target)
                                                            : "absent";
    switch (check.op) {
    case StateCheck::Op::exists:
        return target ? passed()
                      : failed(fmt::format("{}: expected to exist, got {}", where(check.pointer),
                                           got));
    case StateCheck::Op::absent:
        return !target
                   ? passed()
                   : failed(fmt::format("{}: expected absent, got {}", where(check.pointer), got));
    case StateCheck::Op::equals:
        return target && payload::same_json(*target, check.value)
                   ? passed()
                   : failed(fmt::format("{}: expected {}, got {}", where(check.pointer),
                                        payload::shorten(check.value), got));
    case StateCheck::Op::differs:
        return !target || !payload::same_json(*target, check.value)
                   ? passed()
                   : failed(fmt::format("{}: expected anything but {}", where(check.pointer),
                                        payload::shorten(check.value)));
    case StateCheck::Op::contains: {
        bool found = false;
        if (target && target->is_string()) {
            std::string needle = check.value.is_string() ? check.value.get<std::string>()
                                                         : payload::canonical_json(check.value);
            found = target->get_ref<const std::string&>().find(needle) != std::string::npos;
        } else if (target && target->is_array()) {
            found = std::ranges::any_of(*target, [&](const Json& element) {
                return payload::same_json(element, check.value);
            });
        } else if (target && target->is_object() && check.value.is_string()) {
            found = target->contains(check.value.get<std::string>());
        }
        return found
                   ? passed()
                   : failed(fmt::format("{}: expected to contain {}, got {}", where(check.pointer),
                                        payload::shorten(check.value), got));
    }
    case StateCheck::Op::length: {
        std::optional<std::size_t> length;
        if (target && target->is_string()) {
            length = code_points(target->get_ref<const std::string&>());
        } else if (target && target->is_structured()) {
            length = target->size();
        }
        if (!length) {
            return failed(fmt::format("{}: expected length {} {}, got {}", where(check.pointer),
                                      check.length_op, check.length, got));
        }
        return compare(*length, check.length_op, check.length)
                   ? passed()
                   : failed(fmt::format("{}: expected length {} {}, got length {}",
                                        where(check.pointer), check.length_op, check.length,
                                        *length));
    }
    }
    return passed();
}

HeaderCheck parse_header_check(std::string_view text) {
    HeaderCheck check;
    auto colon = text.find(':');
    check.name = std::string(util::trim_blanks(text.substr(0, colon)));
    if (check.name.empty() || check.name.find_first_of(" \t") != std::string::npos) {
        throw Error(ErrorKind::usage, "--expect-header",
                    "'" + std::string(text) + "' is not 'Name: value' or 'Name'",
                    "e.g. --expect-header 'Content-Type: application/json'");
    }
    if (colon != std::string_view::npos) {
        check.value = std::string(util::trim_blanks(text.substr(colon + 1)));
    }
    return check;
}

std::string check_answer(const std::vector<StateCheck>& body_checks,
                         const std::vector<HeaderCheck>& header_checks,
                         const http::Response& response) {
    for (const auto& header : header_checks) {
        auto value = http::find_header(response.headers, header.name);
        if (!value) {
            return fmt::format("the answer has no {} header", header.name);
        }
        if (header.value && *value != *header.value) {
            return fmt::format(R"(answer header {}: expected "{}", got "{}")", header.name,
                               *header.value, payload::shorten_text(*value));
        }
    }
    if (body_checks.empty()) {
        return {};
    }
    State body = state_from_text(response.body);
    for (const auto& check : body_checks) {
        CheckOutcome outcome = evaluate(check, body);
        if (outcome.result != CheckOutcome::Result::passed) {
            std::string detail = outcome.detail;
            if (detail.starts_with("the state")) {
                detail.replace(0, 9, "the answer");
            }
            if (outcome.result == CheckOutcome::Result::error) {
                detail = fmt::format("{} cannot be read: the answer body is not JSON ({})",
                                     check.pointer, body.summary(40));
            }
            return "answer " + detail;
        }
    }
    return {};
}

LatencyCheck parse_latency_check(std::string_view text) {
    auto fail = [&] {
        return Error(ErrorKind::usage, "--expect-latency",
                     "'" + std::string(text) + "' is not PERCENTILE OP DURATION",
                     "e.g. --expect-latency 'p99 < 500ms' or 'p50 <= 20ms' or 'max < 2s'");
    };
    LatencyCheck check;
    check.text = std::string(util::trim_blanks(text));
    std::string_view rest = util::trim_blanks(text);
    auto space = rest.find_first_of(" \t<>");
    if (space == std::string_view::npos) {
        throw fail();
    }
    std::string_view stat = rest.substr(0, space);
    rest = util::trim_blanks(rest.substr(space));
    if (stat == "max") {
        check.percentile = 100;
    } else if (stat.size() > 1 && stat.front() == 'p') {
        try {
            std::size_t used = 0;
            check.percentile = std::stod(std::string(stat.substr(1)), &used);
            if (used != stat.size() - 1 || check.percentile <= 0 || check.percentile > 100) {
                throw fail();
            }
        } catch (const std::logic_error&) {
            throw fail();
        }
    } else {
        throw fail();
    }
    for (const char* op : {"<=", ">=", "<", ">"}) {
        if (rest.substr(0, std::string_view(op).size()) == op) {
            check.op = op;
            break;
        }
    }
    if (check.op.empty()) {
        throw fail();
    }
    rest = util::trim_blanks(rest.substr(check.op.size()));
    std::string_view number = rest;
    if (rest.size() > 2 &&
        (rest.substr(rest.size() - 2) == "us" || rest.substr(rest.size() - 2) == "µs")) {
        number = rest.substr(0, rest.size() - 2);
        try {
            check.bound = std::chrono::microseconds(std::stoll(std::string(number)));
        } catch (const std::logic_error&) {
            throw fail();
        }
        return check;
    }
    check.bound = util::parse_duration(rest, "--expect-latency");
    return check;
}

std::chrono::microseconds percentile(std::vector<std::uint32_t>& latencies_us, double at) {
    if (latencies_us.empty()) {
        return std::chrono::microseconds(0);
    }
    auto rank =
        static_cast<std::size_t>(std::ceil(at / 100.0 * static_cast<double>(latencies_us.size())));
    rank = std::clamp<std::size_t>(rank, 1, latencies_us.size());
    auto nth = latencies_us.begin() + static_cast<std::ptrdiff_t>(rank - 1);
    std::nth_element(latencies_us.begin(), nth, latencies_us.end());
    return std::chrono::microseconds(*nth);
}

LatencySummary summarize_latency(std::vector<std::uint32_t>& latencies_us) {
    LatencySummary summary;
    summary.count = latencies_us.size();
    summary.p50 = percentile(latencies_us, 50);
    summary.p95 = percentile(latencies_us, 95);
    summary.p99 = percentile(latencies_us, 99);
    summary.max = percentile(latencies_us, 100);
    return summary;
}

LatencyResult evaluate(const LatencyCheck& check, std::vector<std::uint32_t>& latencies_us) {
    LatencyResult result;
    result.text = check.text;
    result.measured = percentile(latencies_us, check.percentile);
    auto value = result.measured.count();
    auto bound = check.bound.count();
    if (check.op == "<") {
        result.passed = value < bound;
    } else if (check.op == "<=") {
        result.passed = value <= bound;
    } else if (check.op == ">") {
        result.passed = value > bound;
    } else {
        result.passed = value >= bound;
    }
    std::string stat =
        check.percentile >= 100 ? "max" : check.text.substr(0, check.text.find_first_of(" <>"));
    if (latencies_us.empty()) {
        result.passed = false;
        result.detail = "no delivery was answered: no latency to judge";
        return result;
    }
    result.detail =
        fmt::format("{} {} over {} answers, expected {} {}", stat, format_latency(result.measured),
                    latencies_us.size(), check.op, format_latency(check.bound));
    return result;
}

} // namespace blandhook::replay
