#include "capture/search.hpp"

#include "error.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace blandhook::capture {
namespace {

// The content of a JSON string as the log writes it (without its quotes).
std::string escaped(std::string_view text) {
    const std::string quoted = json_string(text);
    return quoted.substr(1, quoted.size() - 2);
}

bool contains(std::string_view line, std::string_view pattern) {
    return ::memmem(line.data(), line.size(), pattern.data(), pattern.size()) != nullptr;
}

} // namespace

std::size_t find_bytes(std::string_view haystack, std::string_view pattern, std::size_t from) {
    if (from > haystack.size()) {
        return std::string_view::npos;
    }
    const void* at =
        ::memmem(haystack.data() + from, haystack.size() - from, pattern.data(), pattern.size());
    return at == nullptr ? std::string_view::npos
                         : static_cast<std::size_t>(static_cast<const char*>(at) - haystack.data());
}

namespace {

Error bad_when(std::string_view text, std::string_view what) {
    return {ErrorKind::usage, std::string(what),
            "'" + std::string(text) + "' is neither a time nor a duration ago",
            "examples: 2h (two hours ago), 7d, 2026-11-27, 2026-11-27T10:06:04Z"};
}

} // namespace

Finder::Finder(std::string_view needle, Case mode) {
    for (int c = 0; c < 256; ++c) {
        m_fold[c] = static_cast<unsigned char>(mode == Case::ignore_ascii
                                                   ? util::to_lower_ascii(static_cast<char>(c))
                                                   : static_cast<char>(c));
    }
    m_needle.reserve(needle.size());
    for (char c : needle) {
        m_needle.push_back(static_cast<char>(m_fold[static_cast<unsigned char>(c)]));
    }
    const auto letter = [](char c) { return c >= 'a' && c <= 'z'; };
    if (mode == Case::ignore_ascii && !m_needle.empty()) {
        // byte | 0x20 turns A-Z into a-z (and a few other bytes into others: those positions
        // are only candidates, compared in full afterwards).
        m_first_or = letter(m_needle.front()) ? 0x20 : 0;
        m_last_or = letter(m_needle.back()) ? 0x20 : 0;
    }
}

bool Finder::matches_at(const char* text) const {
    for (std::size_t j = m_needle.size(); j-- > 0;) {
        if (static_cast<char>(m_fold[static_cast<unsigned char>(text[j])]) != m_needle[j]) {
            return false;
        }
    }
    return true;
}

std::size_t Finder::find(std::string_view haystack, std::size_t from) const {
    const std::size_t m = m_needle.size();
    const std::size_t n = haystack.size();
    if (from > n || n - from < m) {
        return std::string_view::npos;
    }
    if (m == 0) {
        return from;
    }
    const char* text = haystack.data();
    std::size_t i = from;
#if defined(__SSE2__)
    const __m128i first = _mm_set1_epi8(m_needle.front());
    const __m128i last = _mm_set1_epi8(m_needle.back());
    const __m128i first_or = _mm_set1_epi8(static_cast<char>(m_first_or));
    const __m128i last_or = _mm_set1_epi8(static_cast<char>(m_last_or));
    for (; i + m - 1 + 16 <= n; i += 16) {
        const __m128i at_first =
            _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(text + i)), first_or);
        const __m128i at_last = _mm_or_si128(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + i + m - 1)), last_or);
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(at_first, first), _mm_cmpeq_epi8(at_last, last))));
        while (mask != 0) {
            const auto bit = static_cast<std::size_t>(std::countr_zero(mask));
            if (matches_at(text + i + bit)) {
                return i + bit;
            }
            mask &= mask - 1;
        }
    }
#endif
    for (; i + m <= n; ++i) {
        if (matches_at(text + i)) {
            return i;
        }
    }
    return std::string_view::npos;
}

LineMatcher::LineMatcher(const Filter& filter) : m_filter(filter) {
    // The most selective pattern goes first: it is the one the whole buffer is scanned for.
    if (!filter.call_id.empty()) {
        m_patterns.push_back(R"("call_id":")" + escaped(filter.call_id));
    }
    if (!filter.status.empty()) {
        m_patterns.push_back("\"status\":" + json_string(filter.status));
    }
    if (!filter.kind.empty()) {
        m_patterns.push_back("\"kind\":" + json_string(filter.kind));
    }
    if (!filter.method.empty()) {
        m_patterns.push_back("\"method\":" + json_string(filter.method));
    }
    if (!filter.text.empty()) {
        m_text.emplace(escaped(filter.text), Case::ignore_ascii);
    }
    if (!m_patterns.empty()) {
        m_first.emplace(m_patterns.front(), Case::exact);
    }
}

bool LineMatcher::line_holds_rest(std::string_view line) const {
    for (const std::string& pattern : m_patterns) {
        if (!contains(line, pattern)) {
            return false;
        }
    }
    return true;
}

bool LineMatcher::each_candidate(
    std::string_view lines, const std::function<bool(std::string_view, std::size_t)>& visit) const {
    const auto line_around = [&](std::size_t from, std::size_t hit) {
        const void* before = ::memrchr(lines.data() + from, '\n', hit - from);
        const std::size_t start =
            before == nullptr
                ? from
                : static_cast<std::size_t>(static_cast<const char*>(before) - lines.data()) + 1;
        const void* after = std::memchr(lines.data() + hit, '\n', lines.size() - hit);
        const std::size_t end =
            after == nullptr
                ? lines.size()
                : static_cast<std::size_t>(static_cast<const char*>(after) - lines.data());
        return std::pair{start, end};
    };
    if (!m_text && m_patterns.empty()) {
        // Nothing to look for: every line is a candidate.
        std::size_t start = 0;
        while (start < lines.size()) {
            const void* newline = std::memchr(lines.data() + start, '\n', lines.size() - start);
            const std::size_t end =
                newline == nullptr
                    ? lines.size()
                    : static_cast<std::size_t>(static_cast<const char*>(newline) - lines.data());
            if (end > start && !visit(lines.substr(start, end - start), start)) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }
    // A body that is not UTF-8 is base64 in the log, so the text cannot be seen in it: such lines
    // are candidates too, and the parsed capture is searched.
    static const Finder k_base64(R"("body_encoding":"base64")", Case::exact);
    const Finder* text = m_text ? &*m_text : nullptr;
    const Finder* first = m_first ? &*m_first : nullptr;
    std::size_t next_base64 = text == nullptr ? std::string_view::npos : k_base64.find(lines, 0);
    std::size_t position = 0;
    while (position < lines.size()) {
        std::size_t hit = std::string_view::npos;
        if (first != nullptr) {
            hit = first->find(lines, position);
        } else {
            hit = text->find(lines, position);
        }
        if (next_base64 != std::string_view::npos && next_base64 < position) {
            next_base64 = k_base64.find(lines, position);
        }
        hit = std::min(hit, next_base64);
        if (hit == std::string_view::npos) {
            return true;
        }
        const auto [start, end] = line_around(position, hit);
        const std::string_view line = lines.substr(start, end - start);
        const bool base64_line = next_base64 != std::string_view::npos && next_base64 < end;
        if (line_holds_rest(line) &&
            (text == nullptr || base64_line || text->find(line) != std::string_view::npos)) {
            if (!visit(line, start)) {
                return false;
            }
        }
        position = end + 1;
    }
    return true;
}

std::optional<std::uint64_t> line_id(std::string_view line) {
    constexpr std::string_view k_prefix = "{\"id\":";
    if (!line.starts_with(k_prefix)) {
        return std::nullopt;
    }
    std::uint64_t id = 0;
    const char* begin = line.data() + k_prefix.size();
    const auto [end, error] = std::from_chars(begin, line.data() + line.size(), id);
    if (error != std::errc() || end == begin || end == line.data() + line.size() || *end != ',') {
        return std::nullopt;
    }
    return id;
}

std::string_view line_time(std::string_view line) {
    constexpr std::string_view k_key = R"(,"received_at":")";
    const std::size_t at = line.find(k_key);
    if (at == std::string_view::npos || at > 32) {
        return {};
    }
    const std::size_t start = at + k_key.size();
    const std::size_t end = line.find('"', start);
    return end == std::string_view::npos ? std::string_view() : line.substr(start, end - start);
}

std::string parse_when(std::string_view text, std::string_view what,
                       std::chrono::system_clock::time_point now) {
    if (text.empty()) {
        throw bad_when(text, what);
    }
    // A duration ago: a number and one unit.
    const std::size_t unit_at = text.find_first_not_of("0123456789.");
    if (unit_at != 0 && unit_at != std::string_view::npos && text.find('-') == std::string::npos) {
        double value = 0;
        const std::string_view number = text.substr(0, unit_at);
        const auto [end, error] =
            std::from_chars(number.data(), number.data() + number.size(), value);
        const std::string_view unit = text.substr(unit_at);
        double seconds = 0;
        if (unit == "s") {
            seconds = 1;
        } else if (unit == "m" || unit == "min") {
            seconds = 60;
        } else if (unit == "h") {
            seconds = 3600;
        } else if (unit == "d") {
            seconds = 86400;
        } else if (unit == "w") {
            seconds = 7 * 86400;
        }
        if (error != std::errc() || end != text.data() + unit_at || seconds == 0) {
            throw bad_when(text, what);
        }
        const auto ago = std::chrono::milliseconds(static_cast<long long>(value * seconds * 1000));
        return iso8601(now - ago);
    }
    // A date or date-time in UTC, completed to the log's form. The digits' places are checked
    // against a template; what is left out is the start of that day, minute or second.
    std::string value(text);
    if (value.size() > 10 && value[10] == ' ') {
        value[10] = 'T';
    }
    if (value.ends_with('Z')) {
        value.pop_back();
    }
    constexpr std::string_view k_form = "dddd-dd-ddTdd:dd:dd.ddd";
    constexpr std::string_view k_start = "0000-01-01T00:00:00.000";
    const bool whole_field =
        value.size() == 10 || value.size() == 16 || value.size() == 19 || value.size() == 23;
    if (!whole_field) {
        throw bad_when(text, what);
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
        const bool digit = value[i] >= '0' && value[i] <= '9';
        if (k_form[i] == 'd' ? !digit : value[i] != k_form[i]) {
            throw bad_when(text, what);
        }
    }
    const int month = std::stoi(value.substr(5, 2));
    const int day = std::stoi(value.substr(8, 2));
    if (month < 1 || month > 12 || day < 1 || day > 31 ||
        (value.size() > 10 &&
         (std::stoi(value.substr(11, 2)) > 23 || std::stoi(value.substr(14, 2)) > 59)) ||
        (value.size() > 16 && std::stoi(value.substr(17, 2)) > 60)) {
        throw bad_when(text, what);
    }
    return value + std::string(k_start.substr(value.size())) + "Z";
}

} // namespace blandhook::capture
