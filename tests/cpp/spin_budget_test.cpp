// runtime::SpinBudget (how long to spin before sleeping) and the ReplyLatch
// that uses it.
#include "runtime/spin_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "runtime/reply_latch.h"

namespace {

using stepfiber::runtime::ReplyLatch;
using stepfiber::runtime::SpinBudget;
using std::chrono::microseconds;

const bool kMultiCore = std::thread::hardware_concurrency() > 1;

TEST(SpinBudget, FollowsHowLongWaitsTake) {
  SpinBudget b(microseconds(50), microseconds(200));
  EXPECT_EQ(b.ns(), kMultiCore ? 200'000 : 0);  // starts at the maximum
  b.record(10'000);                               // a quick answer: at least the floor
  EXPECT_EQ(b.ns(), kMultiCore ? 50'000 : 0);
  b.record(80'000);  // twice the wait
  EXPECT_EQ(b.ns(), kMultiCore ? 160'000 : 0);
  b.record(150'000);  // twice is past the maximum: the maximum
  EXPECT_EQ(b.ns(), kMultiCore ? 200'000 : 0);
  b.record(200'001);  // slower than any spin would wait: sleep at once next time
  EXPECT_EQ(b.ns(), 0);
  for (int i = 1; i < SpinBudget::kQuickStreak; ++i) {
    b.record(30'000);  // one quick answer now and then is not enough
    EXPECT_EQ(b.ns(), 0) << i;
  }
  b.record(30'000);  // kQuickStreak quick answers in a row: spin again
  EXPECT_EQ(b.ns(), kMultiCore ? 60'000 : 0);
  b.record(300'000);
  b.record(30'000);  // a slow one breaks the streak
  EXPECT_EQ(b.ns(), 0);
}

TEST(SpinBudget, SpinStopsWhenDoneOrWhenTheBudgetRunsOut) {
  int calls = 0;
  EXPECT_TRUE(SpinBudget::spin(1'000'000'000, [&] { return ++calls == 3; }));
  EXPECT_EQ(calls, 3);
  calls = 0;
  EXPECT_FALSE(SpinBudget::spin(0, [&] { return ++calls > 1; }));  // no budget: one look
  EXPECT_EQ(calls, 1);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(SpinBudget::spin(2'000'000, [] { return false; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2));
}

TEST(ReplyLatch, EveryReplyReachesItsWaiterQuickOrSlow) {
  // Replies before the wait, during the spin and after the waiter sleeps,
  // mixed, so the shared budget moves between spinning and not.
  for (int i = 0; i < 300; ++i) {
    ReplyLatch latch;
    std::atomic<bool> released{false};
    const auto delay = microseconds(i % 3 == 0 ? 0 : i % 3 == 1 ? 20 : 400);
    std::thread t([&] {
      std::this_thread::sleep_for(delay);
      released.store(true);
      latch.release();
    });
    latch.wait();
    EXPECT_TRUE(released.load());
    t.join();
  }
}

}  // namespace
