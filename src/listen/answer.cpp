#include "listen/answer.hpp"

#include "error.hpp"
#include "util/text.hpp"

#include <charconv>
#include <cmath>

namespace blandhook::listen {

std::vector<int> parse_sequence(const std::string& text) {
    std::vector<int> sequence;
    for (const std::string_view piece : util::split(text, ',')) {
        const std::string item(util::trim_blanks(piece));
        if (item == "drop") {
            sequence.push_back(0);
            continue;
        }
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
    return sequence;
}

} // namespace blandhook::listen
