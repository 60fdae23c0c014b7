#include "http/pool.hpp"

#include <algorithm>

namespace blandhook::http {

DynamicPool::DynamicPool(std::size_t initial, std::size_t maximum)
    : m_maximum(std::max<std::size_t>(maximum, 1)) {
    std::lock_guard lock(m_mutex);
    for (std::size_t i = 0; i < std::min(initial, m_maximum); ++i) {
        spawn();
    }
}

DynamicPool::~DynamicPool() {
    shutdown();
}

void DynamicPool::spawn() {
    m_threads.emplace_back([this] { work(); });
}

void DynamicPool::enqueue(std::function<void()> task) {
    {
        std::lock_guard lock(m_mutex);
        if (m_shutdown) {
            return; // httplib stops accepting before it shuts the queue down
        }
        m_tasks.push_back(std::move(task));
        // Every queued task needs a thread of its own soon: grow while they outnumber the idle.
        if (m_tasks.size() > m_idle && m_threads.size() < m_maximum) {
            spawn();
        }
    }
    m_cv.notify_one();
}

void DynamicPool::shutdown() {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(m_mutex);
        m_shutdown = true;
        threads.swap(m_threads);
    }
    m_cv.notify_all();
    for (std::thread& thread : threads) {
        if (thread.joinable()) {
            thread.join();
        }
    }
}

std::size_t DynamicPool::threads() const {
    std::lock_guard lock(m_mutex);
    return m_threads.size();
}

void DynamicPool::work() {
    while (true) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_mutex);
            ++m_idle;
            m_cv.wait(lock, [this] { return m_shutdown || !m_tasks.empty(); });
            --m_idle;
            if (m_tasks.empty()) {
                return; // shut down, nothing left to run
            }
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
        }
        task();
    }
}

} // namespace blandhook::http
