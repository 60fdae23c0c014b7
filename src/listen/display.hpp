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
};

/// "10:06:04.123 #12 POST /webhook -> 200 post-call 9f3c… completed 1m32s sig valid (raw) valid"
/// followed by indented detail lines as `options` asks; ends with a newline.
std::string format_capture(const capture::Capture& capture, const DisplayOptions& options);

/// "1m32s", "45s", "2.5s", "-" when absent.
std::string format_duration(std::optional<double> seconds);

/// The body for reading: pretty JSON, else the text, else "<N bytes of binary data>" plus a hex
/// preview.
std::string format_body(const capture::Capture& capture);

} // namespace blandhook::listen
