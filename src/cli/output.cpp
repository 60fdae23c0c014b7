#include "cli/output.hpp"

#include "error.hpp"
#include "term/style.hpp"

#include <cstdio>
#include <fmt/core.h>
#include <unistd.h>

namespace blandhook::cli {

using term::paint;
using term::Style;
using term::use_color;

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
