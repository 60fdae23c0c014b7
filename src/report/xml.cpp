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

namespace {

enum class Context { attribute, text };

// One escaping loop for both places XML puts text: attributes also need quotes and whitespace as
// entities; element text keeps newlines as they are (readable in CI log viewers).
std::string escape(std::string_view raw, Context context) {
    std::string text = printable(raw);
    std::string out;
    out.reserve(text.size() + 16);
    for (char c : text) {
        const char* entity = nullptr;
        switch (c) {
        case '&':
            entity = "&amp;";
            break;
        case '<':
            entity = "&lt;";
            break;
        case '>':
            entity = "&gt;";
            break;
        case '"':
            entity = "&quot;";
            break;
        case '\'':
            entity = "&apos;";
            break;
        case '\n':
            entity = "&#10;";
            break;
        case '\r':
            entity = "&#13;";
            break;
        case '\t':
            entity = "&#9;";
            break;
        default:
            break;
        }
        bool always = c == '&' || c == '<' || c == '>';
        if (entity != nullptr && (always || context == Context::attribute)) {
            out += entity;
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

std::string xml_attribute(std::string_view raw) {
    return escape(raw, Context::attribute);
}

std::string xml_text(std::string_view raw) {
    return escape(raw, Context::text);
}

} // namespace blandhook::report
