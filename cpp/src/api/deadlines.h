// Wall-clock callbacks for the operation layer's long polls: one thread for
// every pending deadline (GetActivityTask's 60 s poll, StartSyncExecution's
// manual-clock steps), never a thread per waiting request.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace stepfiber::api {

class Deadlines {
 public:
  Deadlines();
  ~Deadlines();  ///< drops pending callbacks without running them
  Deadlines(const Deadlines&) = delete;
  Deadlines& operator=(const Deadlines&) = delete;

  /// Runs `fn` on the deadline thread after `seconds` (real time). `fn`
  /// must not block; it typically posts work to the engine thread.
  void after(double seconds, std::function<void()> fn);
  /// Stops the thread; pending callbacks are dropped. Idempotent.
  void stop();

 private:
  struct Entry {
    std::chrono::steady_clock::time_point when;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Entry& o) const { return when != o.when ? when > o.when : seq > o.seq; }
  };
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  std::uint64_t seq_ = 0;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace stepfiber::api
