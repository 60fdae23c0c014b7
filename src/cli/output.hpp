#pragma once
// Terminal output shared by every command: colour only on a TTY and never with NO_COLOR set, and
// the one format for errors and warnings (`blandhook: error: what: detail`, then `hint: …`).
#include <string>
#include <string_view>

namespace blandhook {
class Error;
}

namespace blandhook::cli {

enum class Style { bold, dim, red, green, yellow, blue, magenta, cyan };

/// True when `fd` is a terminal and NO_COLOR is unset (https://no-color.org).
bool use_color(int fd);

/// `text` wrapped in the ANSI sequence for `style` when `enabled`, else `text` unchanged.
std::string paint(std::string_view text, Style style, bool enabled);

/// Prints `blandhook: error: WHAT: DETAIL` and, when present, `hint: HINT` to stderr.
void print_error(const Error& error);

/// Prints `blandhook: warning: MESSAGE` to stderr.
void print_warning(std::string_view message);

} // namespace blandhook::cli
