// HTTP endpoint overhead benchmark: starts http::Server over a trivial
// in-process handler (no engine), then drives it with wrk and the
// benchmarks/http/sfn_post.lua script, and prints wrk's report. What it
// measures is the server alone: parsing, dispatch, the reply's hop back to
// the I/O thread, and writing.
//
//   http_bench [--io-threads N] [--engine-thread] [--wrk-threads T]
//              [--connections C] [--seconds S] [--serve]
//
// --engine-thread answers from a separate thread through a queue, as
// api::Service does (its replies run on the engine thread); without it the
// handler answers inline. --serve only serves (prints the port) until killed.
#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "http/server.h"

#ifndef STEPFIBER_WRK_SCRIPT
#define STEPFIBER_WRK_SCRIPT "benchmarks/http/sfn_post.lua"
#endif

namespace {

using stepfiber::api::Response;

// A DescribeExecution-sized answer (about 400 bytes).
const std::string kAnswer =
    R"({"executionArn":"arn:aws:states:us-east-1:123456789012:execution:bench:run-000001",)"
    R"("stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:bench","name":"run-000001",)"
    R"("status":"RUNNING","startDate":1767225600.123,"input":"{\"order\":42}",)"
    R"("inputDetails":{"included":true},"redriveCount":0,"redriveStatus":"NOT_REDRIVABLE"})";

// Stands in for the engine thread: replies to queued requests in batches.
class EngineThread {
 public:
  EngineThread() : thread_([this] { run(); }) {}
  ~EngineThread() {
    {
      std::lock_guard lock(mu_);
      quit_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void push(std::function<void(Response)> reply) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(reply));
    }
    cv_.notify_one();
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return quit_ || !queue_.empty(); });
      if (quit_) return;
      auto batch = std::exchange(queue_, {});
      lock.unlock();
      for (auto& reply : batch) reply(Response{200, kAnswer, ""});
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void(Response)>> queue_;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  unsigned io_threads = 1, wrk_threads = 1, connections = 64, seconds = 10;
  bool engine_thread = false, serve = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? static_cast<unsigned>(std::stoul(argv[++i])) : 0u; };
    if (a == "--io-threads") io_threads = next();
    else if (a == "--wrk-threads") wrk_threads = next();
    else if (a == "--connections") connections = next();
    else if (a == "--seconds") seconds = next();
    else if (a == "--engine-thread") engine_thread = true;
    else if (a == "--serve") serve = true;
    else {
      std::fprintf(stderr, "usage: %s [--io-threads N] [--engine-thread] [--wrk-threads T] [--connections C] "
                           "[--seconds S] [--serve]\n", argv[0]);
      return 2;
    }
  }

  EngineThread engine;
  stepfiber::http::Options opts;
  opts.threads = io_threads;
  stepfiber::http::Server server(
      [&](std::string_view, std::string, std::function<void(Response)> reply) {
        if (engine_thread) {
          engine.push(std::move(reply));
        } else {
          reply(Response{200, kAnswer, ""});
        }
      },
      opts);
  std::printf("server: 127.0.0.1:%u, %u I/O thread(s), replies %s\n", server.port(), io_threads,
              engine_thread ? "from an engine thread" : "inline");
  std::fflush(stdout);
  if (serve) {
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  }
  const std::string cmd = "wrk -t" + std::to_string(wrk_threads) + " -c" + std::to_string(connections) + " -d" +
                          std::to_string(seconds) + "s --latency -s " STEPFIBER_WRK_SCRIPT " http://127.0.0.1:" +
                          std::to_string(server.port()) + "/";
  std::printf("load: %s\n", cmd.c_str());
  std::fflush(stdout);
  // The server's own CPU time per request (wrk runs in another process):
  // the cost that stays meaningful when the box is shared and busy.
  auto cpu_us = [] {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
  };
  const double cpu_before = cpu_us();
  const auto before = server.stats().requests;
  const int rc = std::system(cmd.c_str());
  const auto stats = server.stats();
  const double cpu = cpu_us() - cpu_before;
  const auto served = stats.requests - before;
  std::printf("server saw %llu requests on %llu connections; server CPU %.2f s = %.1f us/request "
              "(%.0f req/s per fully used core)\n",
              static_cast<unsigned long long>(served), static_cast<unsigned long long>(stats.accepted), cpu / 1e6,
              served ? cpu / static_cast<double>(served) : 0.0, cpu > 0 ? static_cast<double>(served) / (cpu / 1e6) : 0.0);
  return rc == 0 ? 0 : 1;
}
