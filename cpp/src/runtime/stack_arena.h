// Fiber stacks: fixed 16 KiB slots carved from large MAP_NORESERVE chunks,
// committed lazily by the kernel on first touch, recycled LIFO from a warm
// list (pages resident) before a cold one (pages given back). See design/fiber-runtime.md: one mmap per fiber
// would hit vm.max_map_count (65,530) at ~32K fibers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/context/stack_context.hpp>

namespace stepfiber::runtime {

class StackArena {
 public:
#ifndef STEPFIBER_FIBER_STACK_SIZE
#define STEPFIBER_FIBER_STACK_SIZE (16 * 1024)
#endif
  /// 16 KiB (one guard page + 12 KiB usable). Sanitizer builds, whose frames
  /// carry redzones, define STEPFIBER_FIBER_STACK_SIZE larger.
  static constexpr std::size_t kDefaultSlotSize = STEPFIBER_FIBER_STACK_SIZE;
  static constexpr std::size_t kSlotsPerChunk = 16384;  // 256 MiB of address space

  /// `warm_limit`: free slots kept resident; slots freed beyond it are
  /// returned to the kernel with MADV_DONTNEED (one page fault on reuse).
  explicit StackArena(std::size_t slot_size = kDefaultSlotSize,
                      std::size_t warm_limit = 65536);
  ~StackArena();
  StackArena(const StackArena&) = delete;
  StackArena& operator=(const StackArena&) = delete;

  /// Single-threaded (engine thread only). Throws std::bad_alloc when the
  /// address space cannot be reserved.
  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sctx) noexcept;

  std::size_t slot_size() const noexcept { return slot_size_; }
  std::size_t in_use() const noexcept { return in_use_; }
  std::size_t reserved_slots() const noexcept { return chunks_.size() * kSlotsPerChunk; }
  /// Bytes of the arena resident in RAM (mincore): what fiber stacks cost.
  std::size_t resident_bytes() const;
  /// True when each slot's lowest page is a kernel guard (MADV_GUARD_INSTALL,
  /// Linux >= 6.13); otherwise a canary word is checked on deallocate.
  bool has_guard_pages() const noexcept { return guard_pages_; }
  /// Stacks whose canary was found overwritten (fallback mode only).
  std::size_t canary_failures() const noexcept { return canary_failures_; }
  /// Free slots whose pages are still resident.
  std::size_t warm_slots() const noexcept { return warm_.size(); }
  /// Gives the pages of every warm free slot back to the kernel (when the
  /// engine has shed a large load); returns how many slots.
  std::size_t release_warm();

 private:
  void add_chunk();
  std::size_t slot_size_;
  std::size_t warm_limit_;
  std::vector<void*> chunks_;
  void release(char* base) noexcept;
  std::vector<char*> warm_;   // free, pages resident; LIFO; kept outside the stacks
  std::vector<char*> cold_;   // free, pages given back
  std::size_t carved_ = 0;    // slots handed out of the newest chunk
  std::size_t in_use_ = 0;
  std::size_t canary_failures_ = 0;
  bool guard_pages_ = false;
};

/// The Boost.Context StackAllocator concept, forwarding to one StackArena.
class ArenaStackAllocator {
 public:
  explicit ArenaStackAllocator(StackArena& arena) noexcept : arena_(&arena) {}
  boost::context::stack_context allocate() { return arena_->allocate(); }
  void deallocate(boost::context::stack_context& sctx) noexcept { arena_->deallocate(sctx); }

 private:
  StackArena* arena_;
};

}  // namespace stepfiber::runtime
