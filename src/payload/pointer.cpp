#include "payload/pointer.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace blandhook::payload {
namespace {

std::optional<std::size_t> array_index(std::string_view token) {
    if (token.empty() || (token.size() > 1 && token.front() == '0')) {
        return std::nullopt;
    }
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec != std::errc{} || end != token.data() + token.size()) {
        return std::nullopt;
    }
    return value;
}

void erase_tokens(Json& node, const std::vector<std::string>& tokens, std::size_t at) {
    const std::string& token = tokens[at];
    const bool last = at + 1 == tokens.size();
    if (!node.is_object() && !node.is_array()) {
        return;
    }
    if (token == "*") {
        // Every member or element: emptied when the wildcard is the last token.
        if (last) {
            node = node.is_object() ? Json::object() : Json::array();
            return;
        }
        for (auto& child : node) {
            erase_tokens(child, tokens, at + 1);
        }
        return;
    }
    if (node.is_object()) {
        auto it = node.find(token);
        if (it == node.end()) {
            return;
        }
        if (last) {
            node.erase(it);
        } else {
            erase_tokens(*it, tokens, at + 1);
        }
        return;
    }
    auto index = array_index(token);
    if (!index || *index >= node.size()) {
        return;
    }
    if (last) {
        node.erase(*index);
    } else {
        erase_tokens(node[*index], tokens, at + 1);
    }
}

void diff_into(const Json& left, const Json& right, std::string& pointer,
               std::vector<Difference>& out, std::size_t limit) {
    if (out.size() >= limit) {
        return;
    }
    if (left.is_object() && right.is_object()) {
        for (const auto& [key, value] : left.items()) {
            std::size_t size = pointer.size();
            pointer += '/' + escape_pointer_token(key);
            auto other = right.find(key);
            if (other == right.end()) {
                out.push_back({pointer, &value, nullptr});
            } else {
                diff_into(value, *other, pointer, out, limit);
            }
            pointer.resize(size);
            if (out.size() >= limit) {
                return;
            }
        }
        for (const auto& [key, value] : right.items()) {
            if (!left.contains(key)) {
                out.push_back({pointer + '/' + escape_pointer_token(key), nullptr, &value});
                if (out.size() >= limit) {
                    return;
                }
            }
        }
        return;
    }
    if (left.is_array() && right.is_array()) {
        std::size_t common = std::min(left.size(), right.size());
        for (std::size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
            std::size_t size = pointer.size();
            pointer += '/' + std::to_string(i);
            if (i < common) {
                diff_into(left[i], right[i], pointer, out, limit);
            } else if (i < left.size()) {
                out.push_back({pointer, &left[i], nullptr});
            } else {
                out.push_back({pointer, nullptr, &right[i]});
            }
            pointer.resize(size);
            if (out.size() >= limit) {
                return;
            }
        }
        return;
    }
    if (left != right) {
        out.push_back({pointer, &left, &right});
    }
}

} // namespace

std::vector<std::string> pointer_tokens(std::string_view pointer) {
    std::vector<std::string> tokens;
    if (pointer.empty()) {
        return tokens;
    }
    std::size_t start = pointer.front() == '/' ? 1 : 0;
    while (true) {
        auto slash = pointer.find('/', start);
        std::string_view raw = pointer.substr(start, slash - start);
        std::string token;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
                token += raw[i + 1] == '0' ? '~' : '/';
                ++i;
            } else {
                token += raw[i];
            }
        }
        tokens.push_back(std::move(token));
        if (slash == std::string_view::npos) {
            return tokens;
        }
        start = slash + 1;
    }
}

std::string escape_pointer_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

const Json* find_pointer(const Json& document, std::string_view pointer) {
    const Json* node = &document;
    for (const auto& token : pointer_tokens(pointer)) {
        if (node->is_object()) {
            auto it = node->find(token);
            if (it == node->end()) {
                return nullptr;
            }
            node = &*it;
        } else if (node->is_array()) {
            auto index = array_index(token);
            if (!index || *index >= node->size()) {
                return nullptr;
            }
            node = &(*node)[*index];
        } else {
            return nullptr;
        }
    }
    return node;
}

void erase_pointer(Json& document, std::string_view pattern) {
    auto tokens = pointer_tokens(pattern);
    if (tokens.empty()) {
        document = nullptr;
        return;
    }
    erase_tokens(document, tokens, 0);
}

void replace_in_strings(Json& document, const std::string& from, const std::string& to) {
    if (from.empty()) {
        return;
    }
    auto replace = [&](std::string& text) {
        for (auto at = text.find(from); at != std::string::npos;
             at = text.find(from, at + to.size())) {
            text.replace(at, from.size(), to);
        }
    };
    if (document.is_string()) {
        replace(document.get_ref<std::string&>());
    } else if (document.is_array()) {
        for (auto& child : document) {
            replace_in_strings(child, from, to);
        }
    } else if (document.is_object()) {
        bool keys_hold_it = false;
        for (auto it = document.begin(); it != document.end(); ++it) {
            keys_hold_it = keys_hold_it || it.key().find(from) != std::string::npos;
            replace_in_strings(it.value(), from, to);
        }
        if (keys_hold_it) {
            Json renamed = Json::object();
            for (auto it = document.begin(); it != document.end(); ++it) {
                std::string name = it.key();
                replace(name);
                renamed[name] = std::move(it.value());
            }
            document = std::move(renamed);
        }
    }
}

std::vector<Difference> diff(const Json& left, const Json& right, std::size_t limit) {
    std::vector<Difference> out;
    std::string pointer;
    diff_into(left, right, pointer, out, limit);
    return out;
}

bool same_json(const Json& left, const Json& right) {
    return diff(left, right, 1).empty();
}

std::string shorten_text(std::string_view text, std::size_t width) {
    std::size_t shown = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xc0) == 0x80) {
            continue;
        }
        if (shown == width - 1 && width > 0) {
            // Cut here unless the rest is this one last code point.
            std::size_t rest = i + 1;
            while (rest < text.size() && (static_cast<unsigned char>(text[rest]) & 0xc0) == 0x80) {
                ++rest;
            }
            if (rest == text.size()) {
                return std::string(text);
            }
            return std::string(text.substr(0, i)) + "…";
        }
        ++shown;
    }
    return std::string(text);
}

std::string shorten(const Json& value, std::size_t width) {
    return shorten_text(canonical_json(value), width);
}

} // namespace blandhook::payload
