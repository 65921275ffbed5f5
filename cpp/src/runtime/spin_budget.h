// How long a thread should spin before it sleeps, learnt from its waits.
//
// Spinning pays only when the awaited thread is running on another CPU and
// answers soon: then it saves the tens of microseconds that waking a sleeping
// thread costs on a VM. On a busy machine (more runnable threads than CPUs)
// the awaited thread is often descheduled, a spin rarely succeeds, and every
// spin takes CPU time from the very thread being waited for: a single call
// measured 2.6x slower with fixed spins than without them, under load.
//
// So the budget follows what waits take. A wait that ended within `max` sets
// the next budget to twice its length, at least `floor` and at most `max`; a
// longer wait sets it to zero, so the next waits sleep at once. Spinning
// comes back only after kQuickStreak sleeping waits in a row were short
// enough that a spin would have caught them: on a busy machine a short wait
// now and then is luck, not a reason to spin again.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace stepfiber::runtime {

class SpinBudget {
 public:
  constexpr SpinBudget(std::chrono::nanoseconds floor, std::chrono::nanoseconds max) noexcept
      : floor_ns_(floor.count()), max_ns_(max.count()), budget_ns_(max.count()) {}

  /// Nanoseconds the next wait may spin; 0 on a single CPU, where spinning
  /// would only delay the thread being waited for.
  std::int64_t ns() const noexcept { return multi_core() ? budget_ns_.load(std::memory_order_relaxed) : 0; }

  /// Short waits in a row that turn spinning back on once it is off.
  static constexpr int kQuickStreak = 8;

  /// Records how long a wait took in all, spinning and sleeping. (Racing
  /// records from several threads may lose one; the budget is a hint.)
  void record(std::int64_t waited_ns) noexcept {
    if (waited_ns > max_ns_) {
      quick_streak_.store(0, std::memory_order_relaxed);
      budget_ns_.store(0, std::memory_order_relaxed);
      return;
    }
    const int streak = quick_streak_.load(std::memory_order_relaxed) + 1;
    quick_streak_.store(streak, std::memory_order_relaxed);
    if (streak >= kQuickStreak || budget_ns_.load(std::memory_order_relaxed) > 0) {
      budget_ns_.store(std::clamp(2 * waited_ns, floor_ns_, max_ns_), std::memory_order_relaxed);
    }
  }

  /// Spins until `done()` or the budget runs out; true when `done()` held.
  /// Reads the clock once every 64 pauses.
  template <class Done>
  static bool spin(std::int64_t budget_ns, Done&& done) noexcept {
    if (budget_ns <= 0) return done();
    const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(budget_ns);
    for (unsigned n = 1;; ++n) {
      if (done()) return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      if ((n & 63) == 0 && std::chrono::steady_clock::now() >= until) return done();
    }
  }

 private:
  static bool multi_core() noexcept {
    static const bool multi = std::thread::hardware_concurrency() > 1;
    return multi;
  }

  const std::int64_t floor_ns_;
  const std::int64_t max_ns_;
  std::atomic<std::int64_t> budget_ns_;
  std::atomic<int> quick_streak_{0};
};

}  // namespace stepfiber::runtime
