// A one-shot reply between two OS threads: a caller waits for the engine
// thread's answer to one command. (Fibers never wait here: they wait in
// runtime::Waiter, the suspension primitive.)
//
// Waking a thread that sleeps in the kernel costs tens of microseconds on a
// VM, often more than the command itself (a single StartExecution is ~15 us of
// engine work). So the waiter first spins for a short while on an atomic, and
// sleeps on a semaphore only if the answer is slower than that. On a single
// CPU spinning would only delay the engine, so it is skipped there.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <semaphore>
#include <thread>

namespace stepfiber::runtime {

class ReplyLatch {
 public:
  /// How long wait() spins before it sleeps.
  static constexpr std::chrono::nanoseconds kSpin{100'000};

  /// Marks the reply as given and wakes the waiter. Call exactly once. The
  /// latch may be destroyed by the waiter as soon as this returns: on the
  /// spinning path the exchange is the last access, on the sleeping path the
  /// semaphore's release is.
  void release() noexcept {
    if (state_.exchange(kDone, std::memory_order_acq_rel) == kSleeping) sem_.release();
  }

  /// Returns once release() has been called.
  void wait() noexcept {
    if (spin_allowed()) {
      const auto until = std::chrono::steady_clock::now() + kSpin;
      unsigned n = 0;
      while (state_.load(std::memory_order_acquire) != kDone) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if ((++n & 63) == 0 && std::chrono::steady_clock::now() >= until) break;
      }
    }
    if (state_.exchange(kSleeping, std::memory_order_acq_rel) == kDone) return;
    sem_.acquire();
  }

 private:
  static bool spin_allowed() noexcept {
    static const bool multi_core = std::thread::hardware_concurrency() > 1;
    return multi_core;
  }

  enum : std::uint32_t { kPending = 0, kSleeping = 1, kDone = 2 };
  std::atomic<std::uint32_t> state_{kPending};
  std::binary_semaphore sem_{0};
};

}  // namespace stepfiber::runtime
