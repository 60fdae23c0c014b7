#include "inspector/feed.hpp"

namespace blandhook::inspector {

std::shared_ptr<Feed> Feed::create(capture::Store& store) {
    std::shared_ptr<Feed> feed(new Feed());
    std::weak_ptr<Feed> weak = feed;
    store.subscribe([weak](const capture::Capture& capture) {
        if (auto alive = weak.lock()) {
            alive->publish(capture.id);
        }
    });
    return feed;
}

bool Feed::open_stream() {
    int open = m_streams.load();
    while (open < k_max_streams) {
        if (m_streams.compare_exchange_weak(open, open + 1)) {
            return true;
        }
    }
    return false;
}

void Feed::close_stream() {
    m_streams.fetch_sub(1);
}

std::uint64_t Feed::position() const {
    std::lock_guard lock(m_mutex);
    return m_first + m_ids.size();
}

Feed::Batch Feed::wait(std::uint64_t position, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] { return m_first + m_ids.size() > position; });
    Batch batch;
    const std::uint64_t end = m_first + m_ids.size();
    std::uint64_t from = position;
    if (from < m_first) {
        batch.overflow = true;
        from = m_first;
    }
    for (std::uint64_t at = from; at < end; ++at) {
        batch.ids.push_back(m_ids[at - m_first]);
    }
    batch.position = end;
    return batch;
}

void Feed::publish(std::uint64_t id) {
    // Nobody watching: nothing to record. A stream that opens later reads the store for what it
    // missed, and it registers before it looks, so no capture falls between the two.
    if (m_streams.load(std::memory_order_relaxed) == 0) {
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        m_ids.push_back(id);
        if (m_ids.size() > k_backlog) {
            m_ids.pop_front();
            ++m_first;
        }
    }
    m_changed.notify_all();
}

} // namespace blandhook::inspector
