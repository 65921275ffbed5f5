// The suspension primitive, exercised with real Boost.Fiber fibers.
#include "runtime/waiter.h"

#include <vector>

#include <boost/fiber/all.hpp>
#include <gtest/gtest.h>

#include "runtime/timer_queue.h"

namespace stepfiber::runtime {
namespace {

TEST(Waiter, WakeWithCurrentEpochResumesFiber) {
  Waiter w;
  bool resumed = false;
  std::uint32_t epoch = 0;
  boost::fibers::fiber f([&] {
    epoch = w.begin();
    w.wait();
    resumed = true;
  });
  boost::this_fiber::yield();  // the fiber runs up to wait()
  EXPECT_FALSE(resumed);
  EXPECT_TRUE(w.wake(epoch));
  f.join();
  EXPECT_TRUE(resumed);
}

TEST(Waiter, StaleAndDuplicateWakesAreNoOps) {
  Waiter w;
  int wakeups = 0;
  std::uint32_t first = 0, second = 0;
  boost::fibers::fiber f([&] {
    first = w.begin();
    w.wait();
    ++wakeups;
    second = w.begin();  // a new cycle: wakes for `first` no longer count
    w.wait();
    ++wakeups;
  });
  boost::this_fiber::yield();
  EXPECT_TRUE(w.wake(first));
  EXPECT_FALSE(w.wake(first - 1));
  boost::this_fiber::yield();  // fiber resumes, starts cycle 2 and parks
  EXPECT_EQ(wakeups, 1);
  EXPECT_FALSE(w.wake(first));  // late wake for the old cycle
  boost::this_fiber::yield();
  EXPECT_EQ(wakeups, 1);
  EXPECT_TRUE(w.wake(second));
  f.join();
  EXPECT_EQ(wakeups, 2);
}

TEST(Waiter, WakeBeforeWaitIsNotLost) {
  Waiter w;
  const std::uint32_t e = w.begin();
  EXPECT_TRUE(w.wake(e));
  w.wait();  // returns at once on the main context
  SUCCEED();
}

TEST(TimerQueue, PopsInDeadlineThenArmingOrder) {
  TimerQueue q;
  q.arm(30, 1, 0, 1);
  q.arm(10, 2, 0, 1);
  q.arm(10, 3, 0, 1);
  q.arm(20, 4, 0, 1, true);
  std::vector<std::uint32_t> order;
  while (!q.empty()) order.push_back(q.pop().execution);
  EXPECT_EQ(order, (std::vector<std::uint32_t>{2, 3, 4, 1}));
}

}  // namespace
}  // namespace stepfiber::runtime
