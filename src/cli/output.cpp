#include "cli/output.hpp"

#include "error.hpp"

#include <cstdio>
#include <cstdlib>
#include <fmt/core.h>
#include <unistd.h>

namespace blandhook::cli {

bool use_color(int fd) {
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && *no_color != '\0') {
        return false;
    }
    return isatty(fd) == 1;
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

void print_error(const Error& error) {
    const bool color = use_color(STDERR_FILENO);
    std::string line = fmt::format("{} {}: {}\n", paint("blandhook: error:", Style::red, color),
                                   error.subject(), error.detail());
    if (!error.hint().empty()) {
        line += fmt::format("{} {}\n", paint("hint:", Style::cyan, color), error.hint());
    }
    std::fputs(line.c_str(), stderr);
}

void print_warning(std::string_view message) {
    const bool color = use_color(STDERR_FILENO);
    std::fputs(
        fmt::format("{} {}\n", paint("blandhook: warning:", Style::yellow, color), message).c_str(),
        stderr);
}

} // namespace blandhook::cli
