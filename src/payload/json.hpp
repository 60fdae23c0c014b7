#pragma once
// JSON as JavaScript sees it. Bland's own signature example hashes
// JSON.stringify(JSON.parse(body)), so blandhook must reproduce that byte for byte: key order kept
// (except that JavaScript moves array-index keys such as "2" first, ascending), later duplicate
// keys win in the first key's place, numbers as JavaScript prints doubles, strings escaped as
// JSON.stringify escapes them.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace blandhook::payload {

/// parse_json (and analyze) refuse nesting deeper than this.
constexpr int k_max_json_depth = 1000;

/// The mutable, order-preserving DOM every command uses to read and edit payloads.
using Json = nlohmann::ordered_json;

/// A body that is not JSON. `offset()` is the byte where parsing stopped.
class JsonError : public std::runtime_error {
public:
    JsonError(const std::string& message, std::size_t offset)
        : std::runtime_error(message), m_offset(offset) {}
    std::size_t offset() const { return m_offset; }

private:
    std::size_t m_offset;
};

/// Parses like JSON.parse over a body decoded as UTF-8 (invalid bytes become U+FFFD, lone
/// surrogate escapes survive, 1e400 becomes Infinity). Nesting deeper than 1,000 levels and any
/// syntax error throw JsonError; never crashes on hostile input.
Json parse_json(std::string_view text);

/// JSON.stringify(value): compact, JavaScript number formatting (1e+21, 1.5e-7, -0 as 0,
/// non-finite as null), `\uXXXX` only for control characters and lone surrogates.
std::string canonical_json(const Json& value);

/// JSON.stringify(JSON.parse(text)). Throws JsonError when `text` is not JSON.
std::string canonical_json(std::string_view text);
/// The same for text held in a std::string or a C string (which would otherwise convert to Json
/// as readily as to std::string_view, an ambiguous call).
std::string canonical_json(const std::string& text);
std::string canonical_json(const char* text);

/// JSON.stringify(value, null, indent): for display and for pretty fixture files.
std::string pretty_json(const Json& value, int indent = 2);

/// Appends String(value) as JavaScript prints a number inside JSON.stringify (1e+21, 1.5e-7,
/// 0.1, -0 as 0, NaN and the infinities as null).
void write_js_number(std::string& out, double value);

// Note: strings from parse_json may hold lone surrogates as WTF-8 (ED A0..BF xx), which
// nlohmann's own dump() refuses (type_error 316). Print payloads with canonical_json or
// pretty_json, or dump with nlohmann::json::error_handler_t::replace.

} // namespace blandhook::payload
