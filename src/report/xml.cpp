#include "report/xml.hpp"

namespace blandhook::report {

// Text safe for XML 1.0 and for JSON consumers: invalid UTF-8 and control characters other than
// tab and newlines become '?', so a binary answer body never breaks a report.
std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) {
            bool allowed = byte >= 0x20 || byte == '\t' || byte == '\n' || byte == '\r';
            out += allowed && byte != 0x7f ? static_cast<char>(byte) : '?';
            ++i;
            continue;
        }
        std::size_t length = byte >= 0xf0 && byte < 0xf5   ? 4
                             : byte >= 0xe0                ? 3
                             : byte >= 0xc2 && byte < 0xe0 ? 2
                                                           : 0;
        bool valid = length > 0 && i + length <= text.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
        }
        if (valid) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += '?';
            ++i;
        }
    }
    return out;
}

std::string xml_attribute(std::string_view raw) {
    std::string text = printable(raw);
    std::string out;
    out.reserve(text.size() + 16);
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        case '\n':
            out += "&#10;";
            break;
        case '\r':
            out += "&#13;";
            break;
        case '\t':
            out += "&#9;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// Element text: newlines kept as they are (readable in CI log viewers).
std::string xml_text(std::string_view raw) {
    std::string text = printable(raw);
    std::string out;
    out.reserve(text.size() + 16);
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace blandhook::report
