#pragma once
// The live lines of `blandhook listen`, written on a thread of their own. Requests are served on
// a few event loops: a terminal that scrolls slowly, or a pipe nobody reads, must never hold them
// up. Lines wait in a bounded queue; beyond it they are counted, not shown, and the count is
// printed once the output catches up (every capture is in the capture log either way).
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace blandhook::listen {

struct PrinterOptions {
    std::FILE* out = stdout;
    /// Bytes that may wait to be written; a line beyond them is dropped and counted.
    std::size_t max_queued_bytes = std::size_t{16} << 20;
};

class Printer {
public:
    explicit Printer(PrinterOptions options = {});
    ~Printer();
    Printer(const Printer&) = delete;
    Printer& operator=(const Printer&) = delete;
    Printer(Printer&&) = delete;
    Printer& operator=(Printer&&) = delete;

    /// Queues `text` (one or more whole lines) to be written, or counts it as not shown when the
    /// queue is full. Never blocks on the output.
    void print(std::string text);

    /// Returns once everything queued so far is written (the readiness line must come out before
    /// the banner on stderr).
    void wait_written();

    /// Writes everything queued, then stops the thread. Idempotent.
    void finish();

private:
    void run();

    PrinterOptions m_options;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::condition_variable m_written_cv;
    bool m_writing = false; ///< a batch is being written outside the lock
    std::deque<std::string> m_queue;
    std::size_t m_queued_bytes = 0;
    std::size_t m_dropped = 0;
    bool m_done = false;
    std::thread m_thread; ///< last: started once every member above is ready
};

} // namespace blandhook::listen
