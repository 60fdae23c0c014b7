#include "term/style.hpp"

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
    const char* code = "";
    switch (style) {
    case Style::bold:
        code = "1";
        break;
    case Style::dim:
        code = "2";
        break;
    case Style::red:
        code = "31";
        break;
    case Style::green:
        code = "32";
        break;
    case Style::yellow:
        code = "33";
        break;
    case Style::blue:
        code = "34";
        break;
    case Style::magenta:
        code = "35";
        break;
    case Style::cyan:
        code = "36";
        break;
    }
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
