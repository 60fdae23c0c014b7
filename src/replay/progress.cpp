#include "replay/progress.hpp"

#include <utility>

namespace blandhook::replay {

InputCounter::InputCounter(std::vector<Source> sources, std::string capture_log,
                           std::function<void(std::size_t items)> on_total)
    : m_thread([this, sources = std::move(sources), capture_log = std::move(capture_log),
                on_total = std::move(on_total)] {
          std::size_t items = 0;
          try {
              InputReader counting(sources, capture_log);
              while (!m_stopped && counting.next()) {
                  ++items;
              }
          } catch (const std::exception&) {
              // An input the count cannot read fails the run itself, which says why: the bar
              // just goes without a total.
              return;
          }
          if (!m_stopped) {
              on_total(items);
          }
      }) {}

InputCounter::~InputCounter() {
    stop();
}

void InputCounter::stop() {
    m_stopped = true;
    wait();
}

void InputCounter::wait() {
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

} // namespace blandhook::replay
