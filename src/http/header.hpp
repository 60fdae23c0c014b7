#pragma once
// One HTTP header as a name and a value: what the request parser reads off the wire, what the
// client sends, and what a capture records. Order and duplicates are the caller's list's.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::http {

struct Header {
    std::string name;
    std::string value;
};
using Headers = std::vector<Header>;

/// The value of the first header named `name` (case-insensitive), if any.
std::optional<std::string> find_header(const Headers& headers, std::string_view name);

} // namespace blandhook::http
