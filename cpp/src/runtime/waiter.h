// THE suspension primitive (house rule 8): a fiber slot plus an epoch.
// Everything that waits -- task tokens, timers, handler calls, stops -- parks
// the execution's fiber here. A wake carries the epoch it was armed with; a
// late or duplicate wake (older epoch, or nobody waiting) is a no-op.
// Engine-thread only: wakers run on the engine thread's main context.
#pragma once

#include <cstdint>

#include <boost/fiber/context.hpp>

namespace stepfiber::runtime {

class Waiter {
 public:
  /// Starts a new wait cycle; wakes armed for earlier cycles become no-ops.
  std::uint32_t begin() noexcept {
    signalled_ = false;
    return ++epoch_;
  }
  std::uint32_t epoch() const noexcept { return epoch_; }

  /// Suspends the calling fiber until wake(epoch()) (returns at once if that
  /// already happened since begin() or the last wait()).
  void wait() noexcept {
    if (!signalled_) {
      ctx_ = boost::fibers::context::active();
      ctx_->suspend();
      ctx_ = nullptr;
    }
    signalled_ = false;
  }

  /// Wakes the fiber if `epoch` is the current cycle. Returns whether it
  /// counted. Must be called from another context on the same thread.
  bool wake(std::uint32_t epoch) noexcept {
    if (epoch != epoch_) return false;
    signalled_ = true;
    if (ctx_ != nullptr) {
      boost::fibers::context* ctx = ctx_;
      ctx_ = nullptr;
      boost::fibers::context::active()->schedule(ctx);
    }
    return true;
  }

 private:
  boost::fibers::context* ctx_ = nullptr;
  std::uint32_t epoch_ = 0;
  bool signalled_ = false;
};

}  // namespace stepfiber::runtime
