#pragma once
// The progress bar's total for `blandhook replay`: the run streams its inputs and never knows
// how many there are, so a second reader counts them beside it.
#include "replay/inputs.hpp"
#include "util/non_copyable.hpp"

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace blandhook::replay {

class InputCounter : util::NonCopyable {
public:
    /// Starts counting the items of `sources` (capture:ID inputs read from `capture_log`) on a
    /// thread of its own. `on_total` gets the count once, from that thread, unless stop() came
    /// first; an input that cannot be read gives no count (the run itself says why).
    InputCounter(std::vector<Source> sources, std::string capture_log,
                 std::function<void(std::size_t items)> on_total);
    /// Stops and joins.
    ~InputCounter();

    /// Ends the count early (the run is over) and waits for the thread. Idempotent.
    void stop();
    /// Waits until the count is done (on_total called, or not for an unreadable input).
    void wait();

private:
    std::atomic<bool> m_stopped{false};
    std::thread m_thread;
};

} // namespace blandhook::replay
