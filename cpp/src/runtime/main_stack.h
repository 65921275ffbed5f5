// Calls on the engine thread's main stack, made from a fiber.
//
// Fiber stacks are 16 KiB and every page a fiber ever touches stays
// resident while it is parked. JSON work (templates, paths, history
// serialisation) recurses on data depth and has large frames, so the
// interpreter runs it here: the fiber queues the call and suspends, the
// engine loop runs it on its own (8 MiB) stack and reschedules the fiber.
// This is not a wait -- nothing external is awaited -- so it does not go
// through Waiter; the fiber is never visible to wakers meanwhile.
// Engine-thread only.
#pragma once

#include <exception>
#include <utility>
#include <vector>

#include <boost/fiber/context.hpp>

namespace stepfiber::runtime {

class MainStack {
 public:
  /// Runs `fn()` on the main stack and returns when it has. An exception
  /// from `fn` is rethrown in the calling fiber. From the main context
  /// itself, `fn` simply runs.
  template <typename F>
  void call(F&& fn) {
    boost::fibers::context* self = boost::fibers::context::active();
    if (self->is_context(boost::fibers::type::main_context)) {
      fn();
      return;
    }
    std::exception_ptr error;
    auto* target = &fn;
    jobs_.push_back(Job{[](void* p) { (*static_cast<decltype(target)>(p))(); }, target, self, &error});
    self->suspend();
    if (error) std::rethrow_exception(error);
  }

  /// Main context: runs every queued call and reschedules its fiber.
  /// Returns whether any ran.
  bool run_pending() {
    if (jobs_.empty()) return false;
    std::vector<Job> batch;
    batch.swap(jobs_);
    boost::fibers::context* main = boost::fibers::context::active();
    for (Job& j : batch) {
      try {
        j.invoke(j.arg);
      } catch (...) {
        *j.error = std::current_exception();
      }
      main->schedule(j.fiber);
    }
    return true;
  }

  bool empty() const noexcept { return jobs_.empty(); }

 private:
  struct Job {
    void (*invoke)(void*);
    void* arg;
    boost::fibers::context* fiber;
    std::exception_ptr* error;
  };
  std::vector<Job> jobs_;
};

}  // namespace stepfiber::runtime
