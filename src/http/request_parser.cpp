#include "http/request_parser.hpp"

#include "util/hex.hpp"
#include "util/text.hpp"

#include <cstring>

namespace blandhook::http {
namespace {

bool is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

// True when the comma-separated list `value` holds `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        if (util::iequals_ascii(util::trim_blanks(value.substr(0, comma)), token)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        value.remove_prefix(comma + 1);
    }
    return false;
}

// A chunk-size line (hex digits and extensions) longer than this is refused.
constexpr std::size_t k_max_chunk_line = 1024;

} // namespace

RequestParser::RequestParser(ParseLimits limits) : m_limits(limits) {}

void RequestParser::reset() {
    const ParseLimits limits = m_limits;
    *this = RequestParser(limits);
}

bool RequestParser::wants_continue(const std::string& in) const {
    // A sender that has started its body is not waiting for the go-ahead.
    const bool body_waiting = in.size() == m_body_at && (m_chunked || m_content_length > 0);
    if (!m_head_done || !body_waiting || m_request.version != "HTTP/1.1") {
        return false;
    }
    for (const Header& header : m_request.headers) {
        if (util::iequals_ascii(header.name, "expect") &&
            util::iequals_ascii(header.value, "100-continue")) {
            return true;
        }
    }
    return false;
}

RequestParser::Step RequestParser::advance(std::string& in) {
    if (!m_head_done) {
        // Blank lines before a request line are ignored (RFC 9112 2.2).
        std::size_t skip = 0;
        while (skip < in.size() && (in[skip] == '\r' || in[skip] == '\n')) {
            ++skip;
        }
        if (skip > 0) {
            in.erase(0, skip);
            m_scanned = 0;
        }
        if (in.empty()) {
            return Step::incomplete;
        }
        const std::size_t from = m_scanned > 3 ? m_scanned - 3 : 0;
        std::size_t head_end = std::string::npos;
        for (std::size_t at = in.find('\n', from); at != std::string::npos;
             at = in.find('\n', at + 1)) {
            if (at + 1 < in.size() && in[at + 1] == '\n') {
                head_end = at + 2;
                break;
            }
            if (at + 2 < in.size() && in[at + 1] == '\r' && in[at + 2] == '\n') {
                head_end = at + 3;
                break;
            }
        }
        // Over the limit is refused the same however the bytes were cut: 414 when the request
        // line alone is too long, 431 when the headers are.
        const std::size_t head_size = head_end == std::string::npos ? in.size() : head_end;
        if (head_size > m_limits.max_header_bytes) {
            const std::size_t line_end = in.find('\n');
            m_failure = line_end < m_limits.max_header_bytes
                            ? ParseFailure{431, "request headers too large"}
                            : ParseFailure{414, "request line too long"};
            return Step::failed;
        }
        if (head_end == std::string::npos) {
            m_scanned = in.size();
            return Step::incomplete;
        }
        if (auto problem = parse_head(std::string_view(in.data(), head_end))) {
            m_failure = *problem;
            return Step::failed;
        }
        m_head_done = true;
        m_body_at = head_end;
        m_chunk_at = head_end;
        return Step::head;
    }
    if (m_chunked) {
        return decode_chunks(in);
    }
    if (in.size() - m_body_at < m_content_length) {
        if (in.capacity() < m_body_at + m_content_length) {
            in.reserve(m_body_at + m_content_length);
        }
        return Step::incomplete;
    }
    m_request.body.assign(in, m_body_at, m_content_length);
    m_end_at = m_body_at + m_content_length;
    return Step::complete;
}

// Over 80 lines on purpose (readability-function-size): the request line and each header rule
// of RFC 9112 read top to bottom in one place, each check beside the status it answers; split,
// the checks would be scattered across helpers sharing half the parser's state.
// NOLINTNEXTLINE(readability-function-size)
std::optional<ParseFailure> RequestParser::parse_head(std::string_view head) {
    WireRequest& request = m_request;
    std::size_t line_end = head.find('\n');
    std::string_view line = head.substr(0, line_end);
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    const std::size_t first_space = line.find(' ');
    const std::size_t second_space =
        first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
    if (first_space == std::string_view::npos || second_space == std::string_view::npos ||
        line.find(' ', second_space + 1) != std::string_view::npos) {
        return ParseFailure{400, "malformed request line"};
    }
    const std::string_view method = line.substr(0, first_space);
    const std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
    const std::string_view version = line.substr(second_space + 1);
    if (method.empty()) {
        return ParseFailure{400, "malformed request line"};
    }
    for (char ch : method) {
        if (!is_tchar(static_cast<unsigned char>(ch))) {
            return ParseFailure{400, "malformed method"};
        }
    }
    if (target.empty()) {
        return ParseFailure{400, "empty request target"};
    }
    for (char ch : target) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte <= 0x20 || byte == 0x7f) {
            return ParseFailure{400, "control character in the request target"};
        }
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        if (version.starts_with("HTTP/")) {
            return ParseFailure{505, "only HTTP/1.0 and HTTP/1.1 are served"};
        }
        return ParseFailure{400, "malformed request line"};
    }
    request.method = method;
    request.target = target;
    request.version = version;
    m_head_only = method == "HEAD";

    std::size_t count = 0;
    while (line_end != std::string_view::npos && line_end + 1 < head.size()) {
        const std::size_t start = line_end + 1;
        line_end = head.find('\n', start);
        line = head.substr(start, line_end == std::string_view::npos ? line_end : line_end - start);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.empty()) {
            break;
        }
        if (line.find('\0') != std::string_view::npos) {
            return ParseFailure{400, "NUL in a header"};
        }
        if (line.find('\r') != std::string_view::npos) {
            // A CR not followed by LF (RFC 9112 2.2): relayed, it would end a header early in
            // whatever reads it next (header injection, request smuggling).
            return ParseFailure{400, "bare CR in a header"};
        }
        if (line.front() == ' ' || line.front() == '\t') {
            // Obsolete line folding: joined to the previous value with a space (RFC 9112 5.2).
            if (request.headers.empty()) {
                return ParseFailure{400, "a folded line without a header before it"};
            }
            const std::string_view more = util::trim_blanks(line);
            if (!more.empty()) {
                request.headers.back().value += ' ';
                request.headers.back().value.append(more);
            }
            continue;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            return ParseFailure{400, "a header line without a name and a colon"};
        }
        const std::string_view name = line.substr(0, colon);
        for (char ch : name) {
            if (!is_tchar(static_cast<unsigned char>(ch))) {
                return ParseFailure{400, "malformed header name"};
            }
        }
        if (++count > m_limits.max_header_count) {
            return ParseFailure{431, "more than " + std::to_string(m_limits.max_header_count) +
                                         " header fields"};
        }
        request.headers.push_back(
            {std::string(name), std::string(util::trim_blanks(line.substr(colon + 1)))});
    }

    // Framing.
    bool has_length = false;
    std::string_view length_text;
    bool has_encoding = false;
    std::string encoding;
    bool connection_close = false;
    bool connection_keep_alive = false;
    for (const Header& header : request.headers) {
        if (util::iequals_ascii(header.name, "content-length")) {
            if (has_length && header.value != length_text) {
                return ParseFailure{400, "conflicting Content-Length headers"};
            }
            has_length = true;
            length_text = header.value;
        } else if (util::iequals_ascii(header.name, "transfer-encoding")) {
            if (has_encoding) {
                encoding += ",";
            }
            has_encoding = true;
            encoding += header.value;
        } else if (util::iequals_ascii(header.name, "connection")) {
            connection_close = connection_close || has_token(header.value, "close");
            connection_keep_alive = connection_keep_alive || has_token(header.value, "keep-alive");
        }
    }
    m_keep_alive =
        version == "HTTP/1.1" ? !connection_close : (connection_keep_alive && !connection_close);
    if (has_encoding) {
        if (has_length) {
            return ParseFailure{400, "both Content-Length and Transfer-Encoding"};
        }
        if (version == "HTTP/1.0" || !util::iequals_ascii(util::trim_blanks(encoding), "chunked")) {
            return ParseFailure{501, "only the chunked transfer coding is supported"};
        }
        m_chunked = true;
    } else if (has_length) {
        if (length_text.empty() || length_text.size() > 19) {
            return ParseFailure{length_text.empty() ? 400 : 413, "bad Content-Length"};
        }
        std::size_t length = 0;
        for (char ch : length_text) {
            if (ch < '0' || ch > '9') {
                return ParseFailure{400, "Content-Length is not a number"};
            }
            length = length * 10 + static_cast<std::size_t>(ch - '0');
        }
        if (length > m_limits.max_body_bytes) {
            return ParseFailure{413, "body larger than " + std::to_string(m_limits.max_body_bytes) +
                                         " bytes"};
        }
        m_content_length = length;
    }
    return std::nullopt;
}

// Moves the chunked body along; complete once the last chunk and its trailers are in.
RequestParser::Step RequestParser::decode_chunks(std::string& in) {
    for (;;) {
        if (auto step = (this->*m_chunk_stage)(in)) {
            return *step;
        }
    }
}

std::optional<RequestParser::Step> RequestParser::chunk_size_line(std::string& in) {
    const std::size_t end = in.find('\n', m_chunk_at);
    if ((end == std::string::npos ? in.size() : end) - m_chunk_at > k_max_chunk_line) {
        m_failure = {400, "chunk size line too long"};
        return Step::failed;
    }
    if (end == std::string::npos) {
        return Step::incomplete;
    }
    std::string_view line(in.data() + m_chunk_at, end - m_chunk_at);
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    line = util::trim_blanks(line.substr(0, line.find(';')));
    if (line.empty() || line.size() > 15) {
        m_failure = {line.empty() ? 400 : 413, "bad chunk size"};
        return Step::failed;
    }
    std::size_t size = 0;
    for (char ch : line) {
        const int digit = util::hex_digit_value(ch);
        if (digit < 0) {
            m_failure = {400, "chunk size is not hexadecimal"};
            return Step::failed;
        }
        size = size * 16 + static_cast<std::size_t>(digit);
    }
    if (m_request.body.size() + size > m_limits.max_body_bytes) {
        m_failure = {413, "body larger than " + std::to_string(m_limits.max_body_bytes) + " bytes"};
        return Step::failed;
    }
    m_chunk_at = end + 1;
    m_chunk_left = size;
    m_chunk_stage = size == 0 ? &RequestParser::chunk_trailers : &RequestParser::chunk_data;
    m_trailers_at = m_chunk_at;
    return std::nullopt;
}

std::optional<RequestParser::Step> RequestParser::chunk_data(std::string& in) {
    const std::size_t available = std::min(m_chunk_left, in.size() - m_chunk_at);
    m_request.body.append(in, m_chunk_at, available);
    m_chunk_at += available;
    m_chunk_left -= available;
    if (m_chunk_left > 0) {
        // Keep `in` small: what is decoded is not needed again (unless relayed, which is decided
        // before any body arrives).
        in.erase(m_body_at, m_chunk_at - m_body_at);
        m_chunk_at = m_body_at;
        return Step::incomplete;
    }
    m_chunk_stage = &RequestParser::chunk_data_end;
    return std::nullopt;
}

std::optional<RequestParser::Step> RequestParser::chunk_data_end(std::string& in) {
    if (in.size() - m_chunk_at < 1) {
        return Step::incomplete;
    }
    if (in[m_chunk_at] == '\r') {
        if (in.size() - m_chunk_at < 2) {
            return Step::incomplete;
        }
        ++m_chunk_at;
    }
    if (in[m_chunk_at] != '\n') {
        m_failure = {400, "chunk data longer than its size"};
        return Step::failed;
    }
    ++m_chunk_at;
    m_chunk_stage = &RequestParser::chunk_size_line;
    return std::nullopt;
}

std::optional<RequestParser::Step> RequestParser::chunk_trailers(std::string& in) {
    const std::size_t end = in.find('\n', m_chunk_at);
    if ((end == std::string::npos ? in.size() : end) - m_trailers_at > m_limits.max_header_bytes) {
        m_failure = {431, "trailers too large"};
        return Step::failed;
    }
    if (end == std::string::npos) {
        return Step::incomplete;
    }
    const bool blank = end == m_chunk_at || (end == m_chunk_at + 1 && in[m_chunk_at] == '\r');
    m_chunk_at = end + 1;
    if (blank) {
        m_end_at = m_chunk_at;
        return Step::complete;
    }
    return std::nullopt;
}

} // namespace blandhook::http
