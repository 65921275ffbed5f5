#include "engine/execution_table.h"

#include <functional>

namespace stepfiber::engine {

std::size_t ExecutionTable::home(std::string_view arn) const noexcept {
  return std::hash<std::string_view>{}(arn) & (by_arn_.size() - 1);
}

Execution* ExecutionTable::find(std::string_view arn) const noexcept {
  if (by_arn_.empty()) return nullptr;
  const std::size_t mask = by_arn_.size() - 1;
  for (std::size_t i = home(arn);; i = (i + 1) & mask) {
    if (by_arn_[i] == kFree) return nullptr;
    Execution* ex = at(by_arn_[i]);
    if (ex->arn == arn) return ex;
  }
}

Execution& ExecutionTable::add(std::unique_ptr<Execution> ex) {
  if (2 * (held_ + 1) > by_arn_.size()) rebuild(by_arn_.empty() ? 16 : 2 * by_arn_.size());
  ++held_;
  slots_.push_back(std::move(ex));
  Execution& added = *slots_.back();
  const std::size_t mask = by_arn_.size() - 1;
  std::size_t i = home(added.arn);
  while (by_arn_[i] != kFree) i = (i + 1) & mask;
  by_arn_[i] = added.index;
  return added;
}

void ExecutionTable::unindex(std::uint32_t index) noexcept {
  const std::size_t mask = by_arn_.size() - 1;
  std::size_t i = home(at(index)->arn);
  while (by_arn_[i] != index) i = (i + 1) & mask;
  // Backward-shift deletion: move later entries of the probe run into the
  // hole when their home position allows it, so no tombstones are needed.
  for (std::size_t j = (i + 1) & mask; by_arn_[j] != kFree; j = (j + 1) & mask) {
    const std::size_t k = home(at(by_arn_[j])->arn);
    const bool movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
    if (movable) {
      by_arn_[i] = by_arn_[j];
      i = j;
    }
  }
  by_arn_[i] = kFree;
}

void ExecutionTable::rebuild(std::size_t capacity) {
  by_arn_.assign(capacity, kFree);
  by_arn_.shrink_to_fit();
  const std::size_t mask = capacity - 1;
  for (const auto& ex : slots_) {
    if (!ex) continue;
    std::size_t i = home(ex->arn);
    while (by_arn_[i] != kFree) i = (i + 1) & mask;
    by_arn_[i] = ex->index;
  }
}

void ExecutionTable::shrink() {
  std::size_t capacity = 16;
  while (capacity < 2 * held_) capacity *= 2;
  if (capacity < by_arn_.size()) rebuild(capacity);
}

}  // namespace stepfiber::engine
