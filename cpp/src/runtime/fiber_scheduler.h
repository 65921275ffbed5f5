// The engine thread's Boost.Fiber scheduling algorithm: plain round robin
// (one scheduler per engine thread, see design/fiber-runtime.md). The engine
// loop runs on the thread's main context and asks has_ready_fibers() to
// decide between yielding to fibers and sleeping until the next command or
// timer; it never sleeps through Boost, so suspend_until() is only a
// fallback.
#pragma once

#include <chrono>
#include <cstddef>
#include <condition_variable>
#include <mutex>

#include <boost/fiber/algo/algorithm.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/scheduler.hpp>

namespace stepfiber::runtime {

class FiberScheduler final : public boost::fibers::algo::algorithm {
 public:
  void awakened(boost::fibers::context* ctx) noexcept override {
    if (ctx->is_context(boost::fibers::type::worker_context)) ++ready_workers_;
    ctx->ready_link(ready_);
  }
  boost::fibers::context* pick_next() noexcept override {
    if (ready_.empty()) return nullptr;
    boost::fibers::context* ctx = &ready_.front();
    ready_.pop_front();
    if (ctx->is_context(boost::fibers::type::worker_context)) --ready_workers_;
    return ctx;
  }
  bool has_ready_fibers() const noexcept override { return !ready_.empty(); }
  /// Execution fibers ready to run (Boost keeps its dispatcher context in
  /// the ready queue almost always, so has_ready_fibers() is no idle test).
  bool has_ready_workers() const noexcept { return ready_workers_ != 0; }
  void suspend_until(std::chrono::steady_clock::time_point const& deadline) noexcept override {
    std::unique_lock<std::mutex> lk(mu_);
    if (deadline == (std::chrono::steady_clock::time_point::max)()) {
      cv_.wait(lk, [this] { return flag_; });
    } else {
      cv_.wait_until(lk, deadline, [this] { return flag_; });
    }
    flag_ = false;
  }
  void notify() noexcept override {
    {
      std::lock_guard<std::mutex> lk(mu_);
      flag_ = true;
    }
    cv_.notify_all();
  }

 private:
  boost::fibers::scheduler::ready_queue_type ready_;
  std::size_t ready_workers_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool flag_ = false;
};

}  // namespace stepfiber::runtime
