#pragma once
// The live feed behind the inspector's server-sent events: the capture store's subscription
// records the ids of new captures (only while a stream is open, so the listener's hot path pays
// one atomic load otherwise) and wakes the streams, each of which waits on its own thread.
#include "capture/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace blandhook::inspector {

class Feed : public std::enable_shared_from_this<Feed> {
public:
    /// Most ids kept for streams that fall behind; a stream further behind is told to reload.
    static constexpr std::size_t k_backlog = 4096;
    /// Streams open at once; each holds one server thread while open.
    static constexpr int k_max_streams = 64;

    /// Creates a feed subscribed to `store`. The subscription holds a weak reference, so the
    /// feed may die before the store.
    static std::shared_ptr<Feed> create(capture::Store& store);

    /// Registers a stream; false when k_max_streams are open. Every open_stream() that returned
    /// true is matched by one close_stream().
    bool open_stream();
    void close_stream();
    int streams() const { return m_streams.load(); }

    /// The position of the newest recorded id: a stream starts from here.
    std::uint64_t position() const;

    struct Batch {
        std::vector<std::uint64_t> ids; ///< captures recorded after the asked position, in order
        std::uint64_t position = 0;     ///< where to continue from
        bool overflow = false;          ///< some ids were already dropped from the backlog
    };
    /// Ids recorded after `position`, waiting up to `timeout` for at least one.
    Batch wait(std::uint64_t position, std::chrono::milliseconds timeout) const;

    /// Records a new capture (the store subscription's body).
    void publish(std::uint64_t id);

private:
    Feed() = default;
    std::atomic<int> m_streams{0};
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
    std::deque<std::uint64_t> m_ids; // m_ids[i] was recorded at position m_first + i + 1
    std::uint64_t m_first = 0;
};

} // namespace blandhook::inspector
