// A one-shot reply between two OS threads: a caller waits for the engine
// thread's answer to one command. (Fibers never wait here: they wait in
// runtime::Waiter, the suspension primitive.)
//
// Waking a thread that sleeps in the kernel costs tens of microseconds on a
// VM, often more than the command itself (a single StartExecution is ~15 us of
// engine work). So the waiter first spins on an atomic for as long as its
// SpinBudget allows (up to 100 us while replies come that fast, none while
// they do not, as on a machine with more runnable threads than CPUs), and
// sleeps on a semaphore only if the answer is slower than that.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <semaphore>

#include "runtime/spin_budget.h"

namespace stepfiber::runtime {

class ReplyLatch {
 public:
  /// Marks the reply as given and wakes the waiter. Call exactly once. The
  /// latch may be destroyed by the waiter as soon as this returns: on the
  /// spinning path the exchange is the last access, on the sleeping path the
  /// semaphore's release is.
  void release() noexcept {
    if (state_.exchange(kDone, std::memory_order_acq_rel) == kSleeping) sem_.release();
  }

  /// Returns once release() has been called.
  void wait() noexcept {
    const auto t0 = std::chrono::steady_clock::now();
    const bool answered =
        SpinBudget::spin(budget_.ns(), [this] { return state_.load(std::memory_order_acquire) == kDone; });
    if (!answered && state_.exchange(kSleeping, std::memory_order_acq_rel) != kDone) sem_.acquire();
    budget_.record(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
  }

 private:
  /// Shared by every caller thread: it tracks how fast the engine answers.
  static inline SpinBudget budget_{std::chrono::microseconds(50), std::chrono::microseconds(200)};

  enum : std::uint32_t { kPending = 0, kSleeping = 1, kDone = 2 };
  std::atomic<std::uint32_t> state_{kPending};
  std::binary_semaphore sem_{0};
};

}  // namespace stepfiber::runtime
