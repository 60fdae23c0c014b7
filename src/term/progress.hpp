#pragma once
// A progress bar for long work on a terminal: "[#####·····]  120/500  24%  35/s  ETA 11s",
// redrawn in place with "\r", cleared before other lines print so they never mix.
#include <cstddef>
#include <cstdio>
#include <string>

namespace blandhook::term {

struct Progress {
    std::size_t done = 0;
    std::size_t total = 0; ///< 0 when not known yet: no bar, no percentage, no ETA
    std::size_t failed = 0;
    double elapsed_seconds = 0;
};

/// The bar's text for `progress`, at most `width` columns: the bar shrinks first, then the ETA,
/// rate and failure count are left out whole.
std::string progress_line(const Progress& progress, std::size_t width);

/// "4s", "2m05s", "1h02m": how ETAs and elapsed times read.
std::string short_duration(double seconds);

/// Draws progress_line on a terminal stream, in place.
class ProgressBar {
public:
    ProgressBar(std::FILE* stream, std::size_t width) : m_stream(stream), m_width(width) {}
    /// Replaces the bar on screen with `progress`.
    void draw(const Progress& progress);
    /// Removes the bar from the screen (before other output, and at the end).
    void clear();

private:
    std::FILE* m_stream;
    std::size_t m_width;
    bool m_shown = false;
};

} // namespace blandhook::term
