#include "http/header.hpp"

#include "util/text.hpp"

namespace blandhook::http {

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
    for (const Header& header : headers) {
        if (util::iequals_ascii(header.name, name)) {
            return header.value;
        }
    }
    return std::nullopt;
}

} // namespace blandhook::http
