#pragma once
// One HTTP header as a name and a value: what the request parser reads off the wire, what the
// client sends, and what a capture records. Order and duplicates are the caller's list's.
#include <string>
#include <vector>

namespace blandhook::http {

struct Header {
    std::string name;
    std::string value;
};
using Headers = std::vector<Header>;

} // namespace blandhook::http
