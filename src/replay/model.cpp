#include "replay/model.hpp"

#include "error.hpp"
#include "payload/pointer.hpp"

#include <array>
#include <charconv>
#include <stdexcept>
#include <string>

namespace blandhook::replay {
namespace {

std::optional<int> to_int(std::string_view text) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::string range_text(std::pair<int, int> range) {
    if (range.first == range.second) {
        return std::to_string(range.first);
    }
    if (range.first % 100 == 0 && range.second == range.first + 99) {
        return std::to_string(range.first / 100) + "xx";
    }
    return std::to_string(range.first) + "-" + std::to_string(range.second);
}

} // namespace

bool Expectation::status_ok(int status) const {
    for (const auto& [low, high] : statuses) {
        if (status >= low && status <= high) {
            return true;
        }
    }
    return false;
}

std::string Expectation::text() const {
    std::string out;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        if (i > 0) {
            out += i + 1 == statuses.size() ? " or " : ", ";
        }
        out += range_text(statuses[i]);
    }
    for (const auto& needle : body_contains) {
        out += ", body contains \"" + needle + "\"";
    }
    for (const auto& check : answer) {
        out += ", answer " + check.text;
    }
    for (const auto& header : headers) {
        out += ", header " + header.name + (header.value ? ": " + *header.value : "");
    }
    return out;
}

void parse_statuses(std::string_view text, std::vector<std::pair<int, int>>& into,
                    std::string_view what) {
    auto fail = [&] {
        return Error(ErrorKind::usage, std::string(what),
                     "'" + std::string(text) +
                         "' is not a status: use 200, 2xx, 200,204 or 401-403");
    };
    std::size_t start = 0;
    while (start <= text.size()) {
        auto comma = text.find(',', start);
        std::string_view item = text.substr(start, comma - start);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        std::pair<int, int> range;
        if (item.size() == 3 && (item[1] == 'x' || item[1] == 'X') &&
            (item[2] == 'x' || item[2] == 'X') && item[0] >= '1' && item[0] <= '5') {
            range = {(item[0] - '0') * 100, (item[0] - '0') * 100 + 99};
        } else if (auto dash = item.find('-'); dash != std::string_view::npos) {
            auto low = to_int(item.substr(0, dash));
            auto high = to_int(item.substr(dash + 1));
            if (!low || !high || *low > *high) {
                throw fail();
            }
            range = {*low, *high};
        } else if (auto single = to_int(item)) {
            range = {*single, *single};
        } else {
            throw fail();
        }
        if (range.first < 100 || range.second > 599) {
            throw fail();
        }
        into.push_back(range);
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
}

Expectation accept_expectation() {
    Expectation expectation;
    expectation.statuses = {{200, 299}};
    return expectation;
}

Expectation refusal_expectation() {
    Expectation expectation;
    expectation.statuses = {{401, 401}, {403, 403}};
    return expectation;
}

Override parse_override(std::string_view text) {
    auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        throw Error(ErrorKind::usage, "--set", "'" + std::string(text) + "' is not PATH=VALUE",
                    "e.g. --set metadata.ticket_id=T-1 or --set /transcripts/0/text='\"hi\"'");
    }
    Override result;
    result.path = std::string(text.substr(0, eq));
    std::string_view value = text.substr(eq + 1);
    if (result.path.front() == '/') {
        result.pointer = result.path;
    } else {
        std::size_t start = 0;
        while (true) {
            auto dot = result.path.find('.', start);
            std::string_view token = std::string_view(result.path).substr(start, dot - start);
            if (token.empty()) {
                throw Error(ErrorKind::usage, "--set", "'" + result.path + "' has an empty segment",
                            "write a dotted path such as metadata.ticket_id, or a JSON pointer");
            }
            result.pointer += "/" + payload::escape_pointer_token(token);
            if (dot == std::string::npos) {
                break;
            }
            start = dot + 1;
        }
    }
    try {
        result.value = payload::parse_json(value);
    } catch (const payload::JsonError&) {
        result.value = std::string(value);
    }
    return result;
}

void apply_override(payload::Json& document, const Override& override_) {
    auto tokens = payload::pointer_tokens(override_.pointer);
    payload::Json* node = &document;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::string& token = tokens[i];
        bool last = i + 1 == tokens.size();
        if (node->is_null()) {
            *node = payload::Json::object();
        }
        if (node->is_object()) {
            node = &(*node)[token];
        } else if (node->is_array()) {
            std::size_t index = node->size();
            if (token != "-") {
                auto parsed = to_int(token);
                if (!parsed || *parsed < 0 || static_cast<std::size_t>(*parsed) > node->size()) {
                    throw Error(ErrorKind::input, "--set " + override_.path,
                                "'" + token + "' is not an index of an array of " +
                                    std::to_string(node->size()));
                }
                index = static_cast<std::size_t>(*parsed);
            }
            if (index == node->size()) {
                node->push_back(nullptr);
            }
            node = &(*node)[index];
        } else {
            throw Error(ErrorKind::input, "--set " + override_.path,
                        "'" + token + "' goes inside a " + node->type_name() + ", not an object");
        }
        if (last) {
            *node = override_.value;
        }
    }
    if (tokens.empty()) {
        document = override_.value;
    }
}

} // namespace blandhook::replay
