#include "listen/match.hpp"

#include "error.hpp"

#include <algorithm>

namespace blandhook::listen {
namespace {

// One row per key: its name and the field of a capture it reads.
struct Key {
    const char* name;
    const std::string& (*field)(const capture::Capture&);
};

const Key k_keys[] = {
    {"call_id", [](const capture::Capture& c) -> const std::string& { return c.payload.call_id; }},
    {"kind", [](const capture::Capture& c) -> const std::string& { return c.payload.kind; }},
    {"status", [](const capture::Capture& c) -> const std::string& { return c.payload.status; }},
    {"method", [](const capture::Capture& c) -> const std::string& { return c.method; }},
    {"path", [](const capture::Capture& c) -> const std::string& { return c.path; }},
    {"signature",
     [](const capture::Capture& c) -> const std::string& { return c.payload.signature; }},
};

const Key* find_key(std::string_view name) {
    const auto* found =
        std::ranges::find_if(k_keys, [&](const Key& key) { return key.name == name; });
    return found == std::end(k_keys) ? nullptr : found;
}

} // namespace

const std::vector<std::string>& match_keys() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const Key& key : k_keys) {
            out.emplace_back(key.name);
        }
        return out;
    }();
    return names;
}

std::vector<Match> parse_matches(const std::vector<std::string>& texts) {
    std::vector<Match> matches;
    matches.reserve(texts.size());
    for (const std::string& text : texts) {
        const std::size_t equals = text.find('=');
        if (equals == std::string::npos ||
            find_key(std::string_view(text).substr(0, equals)) == nullptr) {
            std::string keys;
            for (const std::string& name : match_keys()) {
                keys += (keys.empty() ? "" : ", ") + name;
            }
            throw Error(ErrorKind::usage, "--match", "'" + text + "' is not KEY=VALUE",
                        "KEY is one of " + keys + "; example: --match kind=post-call");
        }
        matches.push_back({text.substr(0, equals), text.substr(equals + 1)});
    }
    return matches;
}

bool matches_all(const capture::Capture& capture, const std::vector<Match>& matches) {
    return std::ranges::all_of(matches, [&](const Match& match) {
        const Key* key = find_key(match.key);
        return key != nullptr && key->field(capture) == match.value;
    });
}

} // namespace blandhook::listen
