#include "term/progress.hpp"

#include "term/style.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <vector>

namespace blandhook::term {

std::string short_duration(double seconds) {
    const long long whole = std::llround(std::max(0.0, seconds));
    if (whole < 60) {
        return fmt::format("{}s", whole);
    }
    if (whole < 3600) {
        return fmt::format("{}m{:02}s", whole / 60, whole % 60);
    }
    return fmt::format("{}h{:02}m", whole / 3600, (whole % 3600) / 60);
}

std::string progress_line(const Progress& progress, std::size_t width) {
    const double rate = progress.elapsed_seconds > 0
                            ? static_cast<double>(progress.done) / progress.elapsed_seconds
                            : 0.0;
    const bool known = progress.total > 0;
    std::string count = known ? fmt::format("{}/{}", progress.done, progress.total)
                              : fmt::format("{} done", progress.done);
    if (known) {
        count += fmt::format("  {:>3}%",
                             std::min<std::size_t>(100, progress.done * 100 / progress.total));
    }
    // The parts after the count, most useful first; those that do not fit are left out whole.
    std::vector<std::string> parts;
    if (progress.failed > 0) {
        parts.push_back(fmt::format("{} failed", progress.failed));
    }
    parts.push_back(fmt::format("{:.0f}/s", rate));
    if (known && rate > 0 && progress.done < progress.total) {
        parts.push_back("ETA " +
                        short_duration(static_cast<double>(progress.total - progress.done) / rate));
    }
    // The bar needs 10 cells, its brackets and two spaces: it comes before the parts.
    const std::size_t bar_room = known && display_width(count) + 14 <= width ? 14 : 0;
    std::string tail = count;
    for (const auto& part : parts) {
        if (display_width(tail) + bar_room + 2 + display_width(part) > width) {
            break;
        }
        tail += "  " + part;
    }
    if (bar_room == 0) {
        return tail;
    }
    const std::size_t used = display_width(tail) + 4; // "[", "]" and two spaces
    const std::size_t cells = std::min<std::size_t>(30, width - used);
    const std::size_t filled =
        std::min(cells, static_cast<std::size_t>(cells * progress.done / progress.total));
    std::string bar = "[" + std::string(filled, '#');
    for (std::size_t i = filled; i < cells; ++i) {
        bar += "·";
    }
    return bar + "]  " + tail;
}

void ProgressBar::draw(const Progress& progress) {
    // One column is kept free: writing the last column makes some terminals wrap.
    const std::string line = progress_line(progress, m_width > 1 ? m_width - 1 : m_width);
    std::fputs(("\r\x1b[K" + line).c_str(), m_stream);
    std::fflush(m_stream);
    m_shown = true;
}

void ProgressBar::clear() {
    if (m_shown) {
        std::fputs("\r\x1b[K", m_stream);
        std::fflush(m_stream);
        m_shown = false;
    }
}

} // namespace blandhook::term
