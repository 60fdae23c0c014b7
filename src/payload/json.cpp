#include "payload/json.hpp"

#include "payload/utf8.hpp"
#include "util/hex.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <unordered_map>
#include <utility>
#include <vector>

namespace blandhook::payload {

namespace {

constexpr int k_max_depth = k_max_json_depth;
// Objects with more keys than this get a hash index for duplicate detection, so a hostile body
// with a million keys stays linear instead of quadratic.
constexpr std::size_t k_indexed_object_size = 16;

// JSON's two-character escapes: the letter after the backslash and the character it stands for.
struct ShortEscape {
    char letter;
    char character;
};
constexpr ShortEscape k_short_escapes[] = {
    {'"', '"'},  {'\\', '\\'}, {'/', '/'},  {'b', '\b'},
    {'f', '\f'}, {'n', '\n'},  {'r', '\r'}, {'t', '\t'},
};

// Indexed by the byte after a backslash: the character that escape stands for, 0 for none.
constexpr std::array<char, 256> k_unescaped = [] {
    std::array<char, 256> table{};
    for (const auto& escape : k_short_escapes) {
        table.at(static_cast<unsigned char>(escape.letter)) = escape.character;
    }
    return table;
}();

// Indexed by an ASCII character: the letter JSON.stringify escapes it with, 0 for \u00XX. Only
// '"', '\\' and control characters are escaped ('/' is written as it is).
constexpr std::array<char, 128> k_escape_letter = [] {
    std::array<char, 128> table{};
    for (const auto& escape : k_short_escapes) {
        if (escape.character != '/') {
            table.at(static_cast<unsigned char>(escape.character)) = escape.letter;
        }
    }
    return table;
}();

// A recursive-descent JSON.parse: the ECMAScript JSON grammar over a body decoded like
// TextDecoder (WHATWG UTF-8, U+FFFD for each maximal invalid subpart).
class Parser {
public:
    explicit Parser(std::string_view text)
        : m_begin(reinterpret_cast<const unsigned char*>(text.data())), m_pos(m_begin),
          m_end(m_begin + text.size()) {}

    Json parse_document() {
        Json value = parse_value(0);
        skip_blanks();
        if (m_pos != m_end) {
            fail_unexpected();
        }
        return value;
    }

private:
    const unsigned char* m_begin;
    const unsigned char* m_pos;
    const unsigned char* m_end;

    std::size_t offset() const { return static_cast<std::size_t>(m_pos - m_begin); }

    [[noreturn]] void fail(const std::string& message) const {
        throw JsonError(message + " at byte " + std::to_string(offset()), offset());
    }

    [[noreturn]] void fail_unexpected() const {
        if (m_pos == m_end) {
            fail("unexpected end of JSON input");
        }
        const unsigned char c = *m_pos;
        if (c >= 0x21 && c < 0x7f) {
            fail(std::string("unexpected character '") + static_cast<char>(c) + "'");
        }
        fail(std::string("unexpected byte 0x") + util::k_hex_digits[c >> 4] +
             util::k_hex_digits[c & 0x0f]);
    }

    void skip_blanks() {
        while (m_pos != m_end &&
               (*m_pos == ' ' || *m_pos == '\t' || *m_pos == '\n' || *m_pos == '\r')) {
            ++m_pos;
        }
    }

    void expect_literal(std::string_view word) {
        for (char c : word) {
            if (m_pos == m_end || *m_pos != static_cast<unsigned char>(c)) {
                fail_unexpected();
            }
            ++m_pos;
        }
    }

    Json parse_value(int depth) {
        skip_blanks();
        if (m_pos == m_end) {
            fail_unexpected();
        }
        switch (*m_pos) {
        case '{':
            return parse_object(depth + 1);
        case '[':
            return parse_array(depth + 1);
        case '"':
            return parse_string();
        case 't':
            expect_literal("true");
            return true;
        case 'f':
            expect_literal("false");
            return false;
        case 'n':
            expect_literal("null");
            return nullptr;
        default:
            if (*m_pos == '-' || (*m_pos >= '0' && *m_pos <= '9')) {
                return parse_number();
            }
            fail_unexpected();
        }
    }

    void check_depth(int depth) const {
        if (depth > k_max_depth) {
            fail("nesting deeper than " + std::to_string(k_max_depth) + " levels");
        }
    }

    // Past `c` when it is next (after blanks); false, and nothing consumed, when it is not.
    bool consume(char c) {
        skip_blanks();
        if (m_pos != m_end && *m_pos == static_cast<unsigned char>(c)) {
            ++m_pos;
            return true;
        }
        return false;
    }

    // After an item of an array or object: true past a ',' (another item follows), false past
    // the `close` bracket; anything else is an error.
    bool more_items(char close) {
        if (consume(',')) {
            return true;
        }
        if (consume(close)) {
            return false;
        }
        fail_unexpected();
    }

    Json parse_array(int depth) {
        check_depth(depth);
        ++m_pos; // '['
        Json array(Json::value_t::array);
        auto& items = *array.get_ptr<Json::array_t*>();
        if (consume(']')) {
            return array;
        }
        do {
            items.push_back(parse_value(depth));
        } while (more_items(']'));
        return array;
    }

    Json parse_object(int depth) {
        check_depth(depth);
        ++m_pos; // '{'
        Json object(Json::value_t::object);
        auto& members = *object.get_ptr<Json::object_t*>();
        std::unordered_map<std::string, std::size_t> index;
        if (consume('}')) {
            return object;
        }
        do {
            skip_blanks();
            if (m_pos == m_end || *m_pos != '"') {
                fail_unexpected();
            }
            std::string key = parse_string();
            if (!consume(':')) {
                fail_unexpected();
            }
            set_member(members, index, std::move(key), parse_value(depth));
        } while (more_items('}'));
        return object;
    }

    // JSON.parse: a repeated key keeps its first position and takes the later value. `index`
    // maps keys to positions once the object is large enough to need it.
    static void set_member(Json::object_t& members,
                           std::unordered_map<std::string, std::size_t>& index, std::string key,
                           Json value) {
        std::size_t found = members.size();
        if (members.size() < k_indexed_object_size) {
            for (std::size_t i = 0; i < members.size(); ++i) {
                if ((members.begin() + static_cast<std::ptrdiff_t>(i))->first == key) {
                    found = i;
                    break;
                }
            }
        } else {
            if (index.empty()) {
                for (std::size_t i = 0; i < members.size(); ++i) {
                    index.emplace((members.begin() + static_cast<std::ptrdiff_t>(i))->first, i);
                }
            }
            const auto [it, inserted] = index.emplace(key, members.size());
            found = inserted ? members.size() : it->second;
        }
        if (found == members.size()) {
            members.emplace_back(std::move(key), std::move(value));
        } else {
            (members.begin() + static_cast<std::ptrdiff_t>(found))->second = std::move(value);
        }
    }

    int hex4() {
        if (m_end - m_pos < 4) {
            m_pos = m_end;
            fail_unexpected();
        }
        int value = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = util::hex_digit_value(static_cast<char>(*m_pos));
            if (digit < 0) {
                fail("bad \\u escape");
            }
            value = value * 16 + digit;
            ++m_pos;
        }
        return value;
    }

    // Returns the string's content as UTF-8, lone surrogates as WTF-8 (see utf8.hpp).
    std::string parse_string() {
        ++m_pos; // opening quote
        std::string out;
        while (true) {
            append_plain_run(out);
            if (m_pos == m_end) {
                fail("unterminated string");
            }
            const unsigned char c = *m_pos;
            if (c == '"') {
                ++m_pos;
                return out;
            }
            if (c < 0x20) {
                fail("unescaped control character in string");
            }
            if (c >= 0x80) {
                append_utf8_sequence(out);
            } else {
                append_escape(out);
            }
        }
    }

    // Copies the printable ASCII up to the next quote, backslash, control or non-ASCII byte.
    void append_plain_run(std::string& out) {
        const unsigned char* run = m_pos;
        while (m_pos != m_end && *m_pos >= 0x20 && *m_pos < 0x80 && *m_pos != '"' &&
               *m_pos != '\\') {
            ++m_pos;
        }
        out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(m_pos - run));
    }

    // One UTF-8 sequence as TextDecoder reads it: kept when valid, else one U+FFFD.
    void append_utf8_sequence(std::string& out) {
        const auto decoded = utf8::decode(m_pos, m_end, utf8::Surrogates::reject);
        if (decoded.code_point < 0) {
            utf8::append(out, utf8::k_replacement);
        } else {
            out.append(reinterpret_cast<const char*>(m_pos), decoded.length);
        }
        m_pos += decoded.length;
    }

    // A backslash escape: one of the short ones (k_unescaped) or \uXXXX.
    void append_escape(std::string& out) {
        ++m_pos; // backslash
        if (m_pos == m_end) {
            fail("unterminated string");
        }
        const unsigned char letter = *m_pos++;
        if (letter == 'u') {
            append_unicode_escape(out);
            return;
        }
        const char character = k_unescaped[letter];
        if (character == 0) {
            --m_pos;
            fail("bad escape in string");
        }
        out.push_back(character);
    }

    // \uXXXX after its "\u": a surrogate pair written as two escapes is one character.
    void append_unicode_escape(std::string& out) {
        auto unit = static_cast<std::uint32_t>(hex4());
        if (unit >= 0xD800 && unit <= 0xDBFF && m_end - m_pos >= 6 && m_pos[0] == '\\' &&
            m_pos[1] == 'u') {
            const unsigned char* save = m_pos;
            m_pos += 2;
            const auto low = static_cast<std::uint32_t>(hex4());
            if (low >= 0xDC00 && low <= 0xDFFF) {
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            } else {
                m_pos = save; // a lone high surrogate; the next escape stands alone
            }
        }
        utf8::append(out, unit);
    }

    Json parse_number() {
        const unsigned char* start = m_pos;
        bool integral = true;
        if (*m_pos == '-') {
            ++m_pos;
        }
        if (m_pos == m_end) {
            fail_unexpected();
        }
        if (*m_pos == '0') {
            ++m_pos;
        } else if (*m_pos >= '1' && *m_pos <= '9') {
            skip_digits();
        } else {
            fail_unexpected();
        }
        if (m_pos != m_end && *m_pos == '.') {
            integral = false;
            ++m_pos;
            require_digits();
        }
        if (m_pos != m_end && (*m_pos == 'e' || *m_pos == 'E')) {
            integral = false;
            ++m_pos;
            if (m_pos != m_end && (*m_pos == '+' || *m_pos == '-')) {
                ++m_pos;
            }
            require_digits();
        }
        const char* first = reinterpret_cast<const char*>(start);
        const char* last = reinterpret_cast<const char*>(m_pos);
        if (integral) {
            std::int64_t value = 0;
            const auto result = std::from_chars(first, last, value);
            if (result.ec == std::errc{} && result.ptr == last) {
                return value;
            }
        }
        double value = 0;
        const auto result = std::from_chars(first, last, value);
        if (result.ec == std::errc::result_out_of_range) {
            // from_chars leaves the value alone on overflow and underflow; strtod gives the
            // IEEE answer JavaScript also gives (1e400 -> Infinity, 1e-400 -> 0).
            const std::string copy(first, last);
            value = std::strtod(copy.c_str(), nullptr);
        }
        return value;
    }

    void skip_digits() {
        while (m_pos != m_end && *m_pos >= '0' && *m_pos <= '9') {
            ++m_pos;
        }
    }

    void require_digits() {
        if (m_pos == m_end || *m_pos < '0' || *m_pos > '9') {
            fail_unexpected();
        }
        skip_digits();
    }
};

// "0".."4294967294" without leading zeros: JavaScript lists such keys first, ascending.
std::optional<std::uint32_t> array_index(const std::string& key) {
    if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (char c : key) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (value > 4294967294ULL) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(value);
}

void write_js_integer(std::string& out, std::int64_t value) {
    // Beyond 2^53 JavaScript holds the nearest double, and prints that.
    constexpr std::int64_t k_exact = std::int64_t{1} << 53;
    if (value > k_exact || value < -k_exact) {
        write_js_number(out, static_cast<double>(value));
        return;
    }
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void write_quoted(std::string& out, const std::string& text) {
    out.push_back('"');
    const auto* pos = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = pos + text.size();
    while (pos != end) {
        const unsigned char* run = pos;
        while (pos != end && *pos >= 0x20 && *pos < 0x80 && *pos != '"' && *pos != '\\') {
            ++pos;
        }
        out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(pos - run));
        if (pos == end) {
            break;
        }
        const unsigned char c = *pos;
        if (c < 0x80) {
            ++pos;
            // One append per escape: this runs for every quote and newline of a transcript.
            if (const char letter = k_escape_letter[c]; letter != 0) {
                const char escape[] = {'\\', letter};
                out.append(escape, sizeof escape);
            } else {
                const char escape[] = {
                    '\\', 'u', '0', '0', util::k_hex_digits[c >> 4], util::k_hex_digits[c & 0x0f]};
                out.append(escape, sizeof escape);
            }
            continue;
        }
        const auto decoded = utf8::decode(pos, end, utf8::Surrogates::allow);
        if (decoded.code_point < 0) {
            // Not reachable from parse_json; a hand-built string with bad bytes prints as
            // JavaScript would have decoded it.
            utf8::append(out, utf8::k_replacement);
            pos += decoded.length;
            continue;
        }
        auto cp = static_cast<std::uint32_t>(decoded.code_point);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            pos += decoded.length;
            if (cp <= 0xDBFF && pos != end) {
                const auto next = utf8::decode(pos, end, utf8::Surrogates::allow);
                if (next.code_point >= 0xDC00 && next.code_point <= 0xDFFF) {
                    // Two halves stored apart (strings joined by hand) form one character.
                    utf8::append(out, 0x10000 + ((cp - 0xD800) << 10) +
                                          (static_cast<std::uint32_t>(next.code_point) - 0xDC00));
                    pos += next.length;
                    continue;
                }
            }
            out += "\\u";
            out.push_back(util::k_hex_digits[(cp >> 12) & 0xf]);
            out.push_back(util::k_hex_digits[(cp >> 8) & 0xf]);
            out.push_back(util::k_hex_digits[(cp >> 4) & 0xf]);
            out.push_back(util::k_hex_digits[cp & 0xf]);
            continue;
        }
        out.append(reinterpret_cast<const char*>(pos), decoded.length);
        pos += decoded.length;
    }
    out.push_back('"');
}

class Writer {
public:
    Writer(std::string& out, int indent) : m_out(out), m_indent(std::clamp(indent, 0, 10)) {}

    void write(const Json& value, int level) {
        switch (value.type()) {
        case Json::value_t::null:
        case Json::value_t::discarded:
        case Json::value_t::binary:
            m_out += "null";
            return;
        case Json::value_t::boolean:
            m_out += value.get<bool>() ? "true" : "false";
            return;
        case Json::value_t::number_integer:
            write_js_integer(m_out, value.get<std::int64_t>());
            return;
        case Json::value_t::number_unsigned: {
            const auto number = value.get<std::uint64_t>();
            if (number <= static_cast<std::uint64_t>(INT64_MAX)) {
                write_js_integer(m_out, static_cast<std::int64_t>(number));
            } else {
                write_js_number(m_out, static_cast<double>(number));
            }
            return;
        }
        case Json::value_t::number_float:
            write_js_number(m_out, value.get<double>());
            return;
        case Json::value_t::string:
            write_quoted(m_out, value.get_ref<const std::string&>());
            return;
        case Json::value_t::array:
            write_array(value, level);
            return;
        case Json::value_t::object:
            write_object(value, level);
            return;
        }
    }

private:
    std::string& m_out;
    int m_indent;

    void newline(int level) {
        if (m_indent > 0) {
            m_out.push_back('\n');
            m_out.append(static_cast<std::size_t>(level) * static_cast<std::size_t>(m_indent), ' ');
        }
    }

    void write_array(const Json& value, int level) {
        if (value.empty()) {
            m_out += "[]";
            return;
        }
        m_out.push_back('[');
        bool first = true;
        for (const auto& item : value) {
            if (!first) {
                m_out.push_back(',');
            }
            first = false;
            newline(level + 1);
            write(item, level + 1);
        }
        newline(level);
        m_out.push_back(']');
    }

    void write_member(const std::string& key, const Json& item, int level, bool& first) {
        if (!first) {
            m_out.push_back(',');
        }
        first = false;
        newline(level + 1);
        write_quoted(m_out, key);
        m_out.push_back(':');
        if (m_indent > 0) {
            m_out.push_back(' ');
        }
        write(item, level + 1);
    }

    void write_object(const Json& value, int level) {
        const auto& members = *value.get_ptr<const Json::object_t*>();
        if (members.empty()) {
            m_out += "{}";
            return;
        }
        m_out.push_back('{');
        bool first = true;
        std::vector<std::pair<std::uint32_t, std::size_t>> indexed;
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (const auto number =
                    array_index((members.begin() + static_cast<std::ptrdiff_t>(i))->first)) {
                indexed.emplace_back(*number, i);
            }
        }
        if (indexed.empty()) {
            for (const auto& [key, item] : members) {
                write_member(key, item, level, first);
            }
        } else {
            // JavaScript's own property order: integer keys ascending, then the rest as inserted.
            std::ranges::sort(indexed);
            for (const auto& [number, i] : indexed) {
                const auto& member = *(members.begin() + static_cast<std::ptrdiff_t>(i));
                write_member(member.first, member.second, level, first);
            }
            for (const auto& [key, item] : members) {
                if (!array_index(key)) {
                    write_member(key, item, level, first);
                }
            }
        }
        newline(level);
        m_out.push_back('}');
    }
};

} // namespace

void write_js_number(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out += "null"; // JSON.stringify prints NaN and the infinities as null
        return;
    }
    if (value == 0) {
        out.push_back('0'); // -0 too
        return;
    }
    // The shortest digits that round-trip, as Number::toString picks them; then its layout rules.
    char buffer[40];
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
    if (text.front() == '-') {
        out.push_back('-');
        text.remove_prefix(1);
    }
    const auto e_at = text.find('e');
    std::string digits;
    for (char c : text.substr(0, e_at)) {
        if (c != '.') {
            digits.push_back(c);
        }
    }
    int exponent = 0;
    std::string_view exponent_text = text.substr(e_at + 1);
    if (!exponent_text.empty() && exponent_text.front() == '+') {
        exponent_text.remove_prefix(1);
    }
    std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1; // the decimal point sits after n digits
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, 0, static_cast<std::size_t>(n));
        out.push_back('.');
        out.append(digits, static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out.push_back(digits[0]);
        if (k > 1) {
            out.push_back('.');
            out.append(digits, 1);
        }
        out.push_back('e');
        out.push_back(n - 1 < 0 ? '-' : '+');
        out += std::to_string(n - 1 < 0 ? 1 - n : n - 1);
    }
}

Json parse_json(std::string_view text) {
    return Parser(text).parse_document();
}

std::string canonical_json(const Json& value) {
    std::string out;
    Writer(out, 0).write(value, 0);
    return out;
}

std::string canonical_json(std::string_view text) {
    return canonical_json(parse_json(text));
}

std::string canonical_json(const std::string& text) {
    return canonical_json(std::string_view(text));
}

std::string canonical_json(const char* text) {
    return canonical_json(std::string_view(text));
}

std::string pretty_json(const Json& value, int indent) {
    std::string out;
    Writer(out, indent).write(value, 0);
    return out;
}

} // namespace blandhook::payload
