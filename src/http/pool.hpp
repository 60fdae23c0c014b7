#pragma once
// A thread pool for httplib::Server that grows on demand. httplib hands a whole connection to one
// task for its keep-alive life, so a fixed pool is starved by idle connections; this one starts
// a thread whenever no idle thread is waiting, up to a maximum, and keeps them for reuse.
#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace blandhook::http {

class DynamicPool : public httplib::TaskQueue {
public:
    /// Starts `initial` threads; never runs more than `maximum` at once (tasks then queue).
    DynamicPool(std::size_t initial, std::size_t maximum);
    ~DynamicPool() override;

    void enqueue(std::function<void()> task) override;
    /// Runs every queued task, then joins all threads.
    void shutdown() override;

    /// Threads started so far.
    std::size_t threads() const;

private:
    void spawn();
    void work();

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_tasks;
    std::vector<std::thread> m_threads;
    std::size_t m_idle = 0;
    std::size_t m_maximum;
    bool m_shutdown = false;
};

} // namespace blandhook::http
