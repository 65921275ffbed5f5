// Deadlines on the injected clock for Wait states, task timeouts,
// heartbeats, retry back-off and execution timeouts. A fired timer wakes an
// execution's Waiter with the epoch it was armed for; cancelled timers are
// never removed, their wake is simply stale (no-op). Engine-thread only.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "runtime/clock.h"

namespace stepfiber::runtime {

struct TimerEntry {
  Millis deadline;
  std::uint64_t seq;         ///< FIFO among equal deadlines
  std::uint32_t execution;   ///< execution slot
  std::uint32_t strand;      ///< fiber of that execution
  std::uint32_t epoch;       ///< waiter epoch the timer was armed for
  bool execution_timeout;    ///< the execution-level TimeoutSeconds
};

class TimerQueue {
 public:
  void arm(Millis deadline, std::uint32_t execution, std::uint32_t strand, std::uint32_t epoch,
           bool execution_timeout = false) {
    heap_.push(TimerEntry{deadline, seq_++, execution, strand, epoch, execution_timeout});
  }
  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  Millis next_deadline() const { return heap_.top().deadline; }
  /// Removes and returns the earliest entry (caller checks empty()).
  TimerEntry pop() {
    TimerEntry e = heap_.top();
    heap_.pop();
    return e;
  }

  /// Drops every entry `live` rejects (timers whose wait is over): a
  /// cancelled timer otherwise stays until its deadline. O(n).
  template <typename Live>
  std::size_t purge(Live&& live) {
    std::vector<TimerEntry> kept;
    kept.reserve(heap_.size());
    const std::size_t before = heap_.size();
    while (!heap_.empty()) {
      if (live(heap_.top())) kept.push_back(heap_.top());
      heap_.pop();
    }
    kept.shrink_to_fit();
    heap_ = decltype(heap_)(Later{}, std::move(kept));
    return before - heap_.size();
  }

  /// Gives back the capacity a past peak left behind.
  void shrink() {
    purge([](const TimerEntry&) { return true; });
  }

 private:
  struct Later {
    bool operator()(const TimerEntry& a, const TimerEntry& b) const noexcept {
      return a.deadline != b.deadline ? a.deadline > b.deadline : a.seq > b.seq;
    }
  };
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, Later> heap_;
  std::uint64_t seq_ = 0;
};

}  // namespace stepfiber::runtime
