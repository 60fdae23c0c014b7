#include "util/duration.hpp"

#include "error.hpp"

#include <cmath>
#include <string>

namespace blandhook::util {

std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what) {
    auto fail = [&](std::string_view why) {
        return Error(ErrorKind::usage, std::string(what),
                     "'" + std::string(text) + "' is not a duration" + std::string(why),
                     "write it like 250ms, 2s, 1.5s, 5m or 1h");
    };
    // Digits with at most one point, then a unit: no sign, exponent, "nan" or "inf" gets through.
    std::size_t end = 0;
    bool point = false;
    bool digits = false;
    for (; end < text.size(); ++end) {
        const char c = text[end];
        if (c >= '0' && c <= '9') {
            digits = true;
        } else if (c == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    if (!digits) {
        throw fail("");
    }
    const std::string_view unit = text.substr(end);
    double factor = 0;
    if (unit.empty() || unit == "s") {
        factor = 1000;
    } else if (unit == "ms") {
        factor = 1;
    } else if (unit == "m" || unit == "min") {
        factor = 60'000;
    } else if (unit == "h") {
        factor = 3'600'000;
    } else {
        throw fail("");
    }
    const double value = std::stod(std::string(text.substr(0, end))) * factor;
    if (!std::isfinite(value) || value > static_cast<double>(k_max_duration.count())) {
        throw fail(" this program accepts (30 days at most)");
    }
    return std::chrono::milliseconds(std::llround(value));
}

} // namespace blandhook::util
