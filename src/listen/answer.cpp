#include "listen/answer.hpp"

#include "error.hpp"

#include <charconv>
#include <cmath>

namespace blandhook::listen {

std::vector<int> parse_sequence(const std::string& text) {
    std::vector<int> sequence;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) {
            comma = text.size();
        }
        std::string item = text.substr(start, comma - start);
        while (!item.empty() && item.front() == ' ') {
            item.erase(item.begin());
        }
        while (!item.empty() && item.back() == ' ') {
            item.pop_back();
        }
        if (item == "drop") {
            sequence.push_back(0);
        } else {
            int status = -1;
            auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), status);
            if (error != std::errc() || end != item.data() + item.size() ||
                (status != 0 && (status < 100 || status > 599))) {
                throw Error(ErrorKind::usage, "--respond-sequence",
                            "'" + item + "' is not an HTTP status (100-599) or 'drop'",
                            "example: --respond-sequence 500,500,200");
            }
            sequence.push_back(status);
        }
        start = comma + 1;
    }
    return sequence;
}

} // namespace blandhook::listen
