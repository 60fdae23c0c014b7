#include "term/style.hpp"

#include <array>
#include <cstdlib>
#include <fmt/core.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace blandhook::term {

bool is_terminal(int fd) {
    return isatty(fd) == 1;
}

bool use_color(int fd) {
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && *no_color != '\0') {
        return false;
    }
    return is_terminal(fd);
}

std::string paint(std::string_view text, Style style, bool enabled) {
    if (!enabled) {
        return std::string(text);
    }
    // SGR codes, in the order of Style.
    constexpr std::array<std::string_view, 8> k_codes = {"1",  "2",  "31", "32",
                                                         "33", "34", "35", "36"};
    static_assert(k_codes.size() == static_cast<std::size_t>(Style::cyan) + 1);
    const std::string_view code = k_codes.at(static_cast<std::size_t>(style));
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

std::size_t terminal_width(int fd) {
    winsize size{};
    if (is_terminal(fd) && ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        return size.ws_col;
    }
    // Off a terminal (a pipe, a test), $COLUMNS still says how wide the reader's screen is.
    if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
        char* end = nullptr;
        const long value = std::strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && value >= 20 && value <= 10'000) {
            return static_cast<std::size_t>(value);
        }
    }
    return 100;
}

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (unsigned char c : text) {
        width += (c & 0xc0) != 0x80 ? 1 : 0;
    }
    return width;
}

std::string take(std::string_view text, std::size_t width) {
    std::size_t columns = 0;
    std::size_t end = 0;
    for (; end < text.size(); ++end) {
        if ((static_cast<unsigned char>(text[end]) & 0xc0) != 0x80 && columns++ == width) {
            break;
        }
    }
    return std::string(text.substr(0, end));
}

std::string fit(std::string_view text, std::size_t width) {
    if (display_width(text) <= width) {
        return std::string(text);
    }
    return width == 0 ? std::string() : take(text, width - 1) + "…";
}

std::string pad_right(std::string_view text, std::size_t width) {
    std::string out(text);
    const std::size_t shown = display_width(text);
    if (shown < width) {
        out.append(width - shown, ' ');
    }
    return out;
}

} // namespace blandhook::term
