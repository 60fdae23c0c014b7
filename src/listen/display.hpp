#pragma once
// How a capture looks in the terminal: the one line per request of `blandhook listen` and
// `blandhook captures list`, and the details `-v`, `--transcript` and `captures show` add.
#include "capture/capture.hpp"

#include <string>

namespace blandhook::listen {

struct DisplayOptions {
    bool color = false;
    bool headers = false;    ///< -v: request headers
    bool body = false;       ///< -v: the body, pretty-printed when JSON
    bool transcript = false; ///< --transcript: the conversation
    bool findings = true;    ///< validation findings with their JSON pointer
    std::size_t max_findings = 10;
    /// Columns the line may take: columns that do not fit are left out whole
    /// (term::terminal_width).
    std::size_t width = 100;
};

/// "10:06:04 #12    POST /webhook            200  post-call 9f3c2a1b completed sig ok      valid"
/// in aligned columns fitted to `options.width`, followed by indented detail lines (why a call
/// failed, a live event's message, findings, and what `options` asks); ends with a newline.
std::string format_capture(const capture::Capture& capture, const DisplayOptions& options);

/// The width lines printed on `fd` take: the terminal's (term::terminal_width), at most 100.
std::size_t line_width(int fd);

/// "1m32s", "45s", "2.5s", "-" when absent.
std::string format_duration(std::optional<double> seconds);

/// The body for reading: pretty JSON, else the text, else "<N bytes of binary data>" plus a hex
/// preview.
std::string format_body(const capture::Capture& capture);

} // namespace blandhook::listen
