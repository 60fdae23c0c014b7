#pragma once
// Terminal styling for every module that prints: colour and bold only on a terminal and never
// with NO_COLOR set, the terminal's width, and text measured and cut in columns. A leaf: it
// depends on nothing else of ours, so listen/, replay/ and cli/ can all use it without a cycle.
#include <cstddef>
#include <string>
#include <string_view>

namespace blandhook::term {

enum class Style { bold, dim, red, green, yellow, blue, magenta, cyan };

/// True when `fd` is a terminal and NO_COLOR is unset or empty (https://no-color.org).
bool use_color(int fd);

/// True when `fd` is a terminal.
bool is_terminal(int fd);

/// `text` wrapped in the ANSI sequence for `style` when `enabled`, else `text` unchanged.
std::string paint(std::string_view text, Style style, bool enabled);

/// Columns of the terminal on `fd` (TIOCGWINSZ), else $COLUMNS when it is a number, else 100.
std::size_t terminal_width(int fd);

/// Columns `text` takes: one per UTF-8 code point (no East Asian wide or combining handling).
std::size_t display_width(std::string_view text);

/// The first `width` columns of `text`, never splitting a UTF-8 sequence.
std::string take(std::string_view text, std::size_t width);

/// `text` cut to at most `width` columns, its last one "…" when something was cut.
std::string fit(std::string_view text, std::size_t width);

/// `text` padded with spaces on the right to `width` columns (unchanged when already as wide).
std::string pad_right(std::string_view text, std::size_t width);

} // namespace blandhook::term
