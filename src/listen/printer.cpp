#include "listen/printer.hpp"

#include <fmt/core.h>
#include <utility>

namespace blandhook::listen {

Printer::Printer(PrinterOptions options) : m_options(options), m_thread([this] { run(); }) {}

Printer::~Printer() {
    finish();
}

void Printer::print(std::string text) {
    const std::lock_guard lock(m_mutex);
    if (m_queued_bytes + text.size() > m_options.max_queued_bytes) {
        ++m_dropped;
        return;
    }
    m_queued_bytes += text.size();
    m_queue.push_back(std::move(text));
    m_cv.notify_one();
}

void Printer::wait_written() {
    std::unique_lock lock(m_mutex);
    m_written_cv.wait(lock, [&] { return m_queue.empty() && !m_writing; });
}

void Printer::finish() {
    {
        const std::lock_guard lock(m_mutex);
        m_done = true;
        m_cv.notify_one();
    }
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void Printer::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [&] { return m_done || !m_queue.empty(); });
        if (m_queue.empty() && m_done) {
            return;
        }
        std::deque<std::string> batch;
        batch.swap(m_queue);
        m_queued_bytes = 0;
        const std::size_t dropped = std::exchange(m_dropped, 0);
        m_writing = true;
        lock.unlock();
        if (dropped > 0) {
            fmt::print(m_options.out,
                       "blandhook: {} line{} not shown: the terminal could not keep up (the "
                       "capture log has them)\n",
                       dropped, dropped == 1 ? "" : "s");
        }
        for (const std::string& text : batch) {
            std::fwrite(text.data(), 1, text.size(), m_options.out);
        }
        std::fflush(m_options.out);
        lock.lock();
        m_writing = false;
        m_written_cv.notify_all();
    }
}

} // namespace blandhook::listen
