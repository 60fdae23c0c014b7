#include "util/size.hpp"

#include "error.hpp"

#include <charconv>
#include <string>

namespace blandhook::util {

std::size_t parse_size(std::string_view text, std::string_view what) {
    auto fail = [&](std::string_view why) {
        return Error(ErrorKind::usage, std::string(what),
                     "'" + std::string(text) + "' is not a size" + std::string(why),
                     "examples: 10MiB, 512KiB, 1048576");
    };
    std::size_t value = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    auto [rest, error] = std::from_chars(begin, end, value);
    const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
    std::size_t factor = 0;
    if (unit.empty() || unit == "B") {
        factor = 1;
    } else if (unit == "KiB" || unit == "K" || unit == "KB" || unit == "k") {
        factor = std::size_t{1} << 10;
    } else if (unit == "MiB" || unit == "M" || unit == "MB") {
        factor = std::size_t{1} << 20;
    } else if (unit == "GiB" || unit == "G" || unit == "GB") {
        factor = std::size_t{1} << 30;
    }
    if (rest == begin || factor == 0) {
        throw fail("");
    }
    if (error == std::errc::result_out_of_range || value > k_max_size / factor) {
        throw fail(" this program accepts (1 TiB at most)");
    }
    if (error != std::errc() || value == 0) {
        throw fail(": it must be at least 1 byte");
    }
    return value * factor;
}

} // namespace blandhook::util
