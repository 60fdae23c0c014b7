#pragma once
// Escaping shared by the JUnit reports of `replay` and `call`: any bytes in (answer bodies,
// error texts), well-formed XML 1.0 out.
#include <string>
#include <string_view>

namespace blandhook::report {

/// `text` with invalid UTF-8 and control characters other than tab and newlines replaced by '?'.
std::string printable(std::string_view text);

/// printable(raw) escaped for an XML attribute value (quotes and newlines as entities).
std::string xml_attribute(std::string_view raw);

/// printable(raw) escaped for XML element text, newlines kept as they are.
std::string xml_text(std::string_view raw);

} // namespace blandhook::report
