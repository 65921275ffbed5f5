// Every execution record, by index and by ARN. Indices are handed out in
// start order and never reused, so a stale timer, token or handler call that
// names a purged execution finds nothing. Purged records leave a null slot;
// leading null slots are dropped, so a table whose old executions were all
// purged gives its memory back. The ARN index is an open-addressing table of
// 4-byte indices (the ARN itself is read from the record): 8-16 bytes per
// execution where a node-based map takes about 60. Engine-thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

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
  /// The execution whose ARN is `arn`, or nullptr.
  Execution* find(std::string_view arn) const noexcept;
  /// Stores `ex` under next_index() (which the caller has set as ex->index)
  /// and indexes its ARN (which must not be in the table yet).
  Execution& add(std::unique_ptr<Execution> ex);
  /// Frees the record at `index` and drops its ARN.
  void erase(std::uint32_t index) noexcept {
    if (at(index) == nullptr) return;
    unindex(index);
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
  /// Gives back ARN-index capacity a past peak left behind.
  void shrink();

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
  static constexpr std::uint32_t kFree = ~std::uint32_t{0};
  std::size_t home(std::string_view arn) const noexcept;
  void unindex(std::uint32_t index) noexcept;
  void rebuild(std::size_t capacity);

  std::deque<std::unique_ptr<Execution>> slots_;
  std::uint32_t base_ = 0;  ///< index of slots_.front()
  std::size_t held_ = 0;
  std::vector<std::uint32_t> by_arn_;  ///< linear probing; size a power of two, at most half full
};

}  // namespace stepfiber::engine
