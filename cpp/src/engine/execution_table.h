// Every execution record, by index. Indices are handed out in start order
// and never reused, so a stale timer, token or handler call that names a
// purged execution finds nothing. Purged records leave a null slot; leading
// null slots are dropped, so a table whose old executions were all purged
// gives its memory back. Engine-thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

#include "engine/execution.h"

namespace stepfiber::engine {

class ExecutionTable {
 public:
  /// The execution at `index`, or nullptr when it was purged (or never was).
  Execution* at(std::uint32_t index) const noexcept {
    if (index < base_ || index - base_ >= slots_.size()) return nullptr;
    return slots_[index - base_].get();
  }
  /// The index the next add() assigns.
  std::uint32_t next_index() const noexcept { return base_ + static_cast<std::uint32_t>(slots_.size()); }
  /// Stores `ex` under next_index() (which the caller has set as ex->index).
  Execution& add(std::unique_ptr<Execution> ex) {
    ++held_;
    slots_.push_back(std::move(ex));
    return *slots_.back();
  }
  /// Frees the record at `index`.
  void erase(std::uint32_t index) noexcept {
    if (at(index) == nullptr) return;
    slots_[index - base_].reset();
    --held_;
    while (!slots_.empty() && !slots_.front()) {
      slots_.pop_front();
      ++base_;
    }
    if (slots_.empty()) slots_.shrink_to_fit();
  }
  /// Records held (running, or closed within the retention period).
  std::size_t held() const noexcept { return held_; }

  /// Calls fn(Execution&) for each record, oldest first.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const auto& ex : slots_) {
      if (ex) fn(*ex);
    }
  }
  /// Calls fn(Execution&) for each record, newest first.
  template <typename Fn>
  void for_each_newest_first(Fn&& fn) const {
    for (auto it = slots_.rbegin(); it != slots_.rend(); ++it) {
      if (*it) fn(**it);
    }
  }

 private:
  std::deque<std::unique_ptr<Execution>> slots_;
  std::uint32_t base_ = 0;  ///< index of slots_.front()
  std::size_t held_ = 0;
};

}  // namespace stepfiber::engine
