// The deadline thread: sleeps until the earliest deadline, runs it.
#include "api/deadlines.h"

#include <cmath>

namespace stepfiber::api {

Deadlines::Deadlines() : thread_([this] { run(); }) {}

Deadlines::~Deadlines() { stop(); }

void Deadlines::after(double seconds, std::function<void()> fn) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  const auto when = std::chrono::steady_clock::now() +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stopped_) return;
    queue_.push(Entry{when, seq_++, std::move(fn)});
  }
  cv_.notify_one();
}

void Deadlines::stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lk(mu_);
  while (!queue_.empty()) queue_.pop();
}

void Deadlines::run() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!stopped_) {
    if (queue_.empty()) {
      cv_.wait(lk);
      continue;
    }
    const auto when = queue_.top().when;
    if (std::chrono::steady_clock::now() < when) {
      cv_.wait_until(lk, when);
      continue;
    }
    auto fn = std::move(const_cast<Entry&>(queue_.top()).fn);
    queue_.pop();
    lk.unlock();
    fn();
    lk.lock();
  }
}

}  // namespace stepfiber::api
