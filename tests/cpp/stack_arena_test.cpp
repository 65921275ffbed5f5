#include "runtime/stack_arena.h"

#include <cstring>
#include <vector>

#include <gtest/gtest.h>

namespace stepfiber::runtime {
namespace {

TEST(StackArena, HandsOutDistinctAlignedWritableSlots) {
  StackArena arena;
  std::vector<boost::context::stack_context> stacks;
  for (int i = 0; i < 100; ++i) stacks.push_back(arena.allocate());
  EXPECT_EQ(arena.in_use(), 100u);
  for (std::size_t i = 0; i < stacks.size(); ++i) {
    auto& s = stacks[i];
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(s.sp) % 4096, 0u);
    EXPECT_EQ(s.size, arena.slot_size() - 4096);
    // The usable range is writable.
    std::memset(static_cast<char*>(s.sp) - s.size, 0xab, s.size);
    if (i) {
      EXPECT_NE(s.sp, stacks[i - 1].sp);
    }
  }
  for (auto& s : stacks) arena.deallocate(s);
  EXPECT_EQ(arena.in_use(), 0u);
  EXPECT_EQ(arena.canary_failures(), 0u);
}

TEST(StackArena, ReusesMostRecentlyFreedSlotFirst) {
  StackArena arena;
  auto a = arena.allocate();
  auto b = arena.allocate();
  void* b_sp = b.sp;
  arena.deallocate(a);
  arena.deallocate(b);
  EXPECT_EQ(arena.allocate().sp, b_sp);  // LIFO: warm stack first
}

// Touches the top page of a stack, as a parked fiber does.
void touch(const boost::context::stack_context& s) { static_cast<char*>(s.sp)[-1] = 1; }

TEST(StackArena, PrefersWarmSlotsOverSlotsFreedPastTheWarmLimit) {
  StackArena arena(StackArena::kDefaultSlotSize, /*warm_limit=*/2);
  std::vector<boost::context::stack_context> stacks;
  for (int i = 0; i < 4; ++i) {
    stacks.push_back(arena.allocate());
    touch(stacks.back());
  }
  std::vector<void*> warm{stacks[0].sp, stacks[1].sp};
  for (auto& s : stacks) arena.deallocate(s);  // the first two stay warm, the last two go cold
  EXPECT_EQ(arena.warm_slots(), 2u);
  EXPECT_EQ(arena.resident_bytes(), 2u * 4096u);
  EXPECT_EQ(arena.allocate().sp, warm[1]);
  EXPECT_EQ(arena.allocate().sp, warm[0]);
}

TEST(StackArena, ReleaseWarmGivesEveryFreePageBack) {
  StackArena arena;
  std::vector<boost::context::stack_context> stacks;
  for (int i = 0; i < 64; ++i) {
    stacks.push_back(arena.allocate());
    touch(stacks.back());
  }
  arena.deallocate(stacks.back());
  stacks.pop_back();
  for (std::size_t i = 0; i + 1 < stacks.size(); ++i) arena.deallocate(stacks[i]);
  ASSERT_EQ(arena.in_use(), 1u);
  EXPECT_EQ(arena.resident_bytes(), 64u * 4096u);
  EXPECT_EQ(arena.release_warm(), 63u);
  EXPECT_EQ(arena.warm_slots(), 0u);
  EXPECT_EQ(arena.resident_bytes(), 4096u);  // only the stack still in use
  auto again = arena.allocate();             // a cold slot still works
  touch(again);
  arena.deallocate(again);
  arena.deallocate(stacks.back());
}

TEST(StackArena, GrowsBeyondOneChunk) {
  StackArena arena;
  std::vector<boost::context::stack_context> stacks;
  for (std::size_t i = 0; i < StackArena::kSlotsPerChunk + 1; ++i) stacks.push_back(arena.allocate());
  EXPECT_EQ(arena.reserved_slots(), 2 * StackArena::kSlotsPerChunk);
  for (auto& s : stacks) arena.deallocate(s);
}

}  // namespace
}  // namespace stepfiber::runtime
