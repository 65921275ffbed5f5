// Parks N callback executions through the C++ API, then completes them.
// Prints start rate, RSS per parked execution and completion rate.
//   build/cpp/benchmarks/park_bench [N] [--park-only]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "stepfiber/engine.h"

namespace {

using stepfiber::bench::heap_in_use;
using stepfiber::bench::rss_bytes;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  // --park-only: start and park N, report, and stop there (no token list,
  // whose strings would cost more than the executions at 4M).
  const bool park_only = argc > 2 && std::string(argv[2]) == "--park-only";
  stepfiber::EngineOptions opts;
  opts.manual_clock = true;
  stepfiber::Engine engine(opts);
  const char* def = R"({"StartAt":"Ask","States":{"Ask":{"Type":"Task",
    "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters":{"token.$":"$$.Task.Token","n.$":"$.n"},"End":true}}})";
  auto sm = engine.create_state_machine("bench", def, "arn:aws:iam::123456789012:role/r", "STANDARD");
  if (!sm.ok()) {
    std::fprintf(stderr, "%s\n", sm.status().message().c_str());
    return 1;
  }
  const long base = rss_bytes();
  const long heap_base = heap_in_use();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    auto r = engine.start_execution(sm->state_machine_arn, std::nullopt, "{\"n\":" + std::to_string(i) + "}");
    if (!r.ok()) {
      std::fprintf(stderr, "start failed: %s\n", r.status().message().c_str());
      return 1;
    }
  }
  const double start_s = seconds_since(t0);
  const long parked = rss_bytes();
  const long heap_parked = heap_in_use();
  std::printf("heap per parked exec  %.0f B (malloc'd and kept while parked)\n", double(heap_parked - heap_base) / n);
  const auto parked_stats = engine.stats();
  std::printf("stack pages resident  %.0f B per parked fiber\n",
              double(parked_stats.stack_resident_bytes) / double(parked_stats.stacks_in_use));
  if (park_only) {
    std::printf("parked at once        %zu running, %zu open tokens, %zu live fibers\n", parked_stats.running,
                parked_stats.open_tokens, parked_stats.live_fibers);
    std::printf("start+park            %.0f /s\n", n / start_s);
    std::printf("RSS per parked exec   %.0f B (RSS %.2f GiB)\n", double(parked - base) / n,
                double(parked) / (1 << 30));
    return parked_stats.running == static_cast<std::size_t>(n) ? 0 : 1;
  }
  auto pending = engine.list_pending_tasks(std::nullopt);
  t0 = std::chrono::steady_clock::now();
  for (const auto& p : pending) {
    if (!engine.send_task_success(p.task_token, "{\"ok\":1}").ok()) return 1;
  }
  const double done_s = seconds_since(t0);
  pending.clear();
  pending.shrink_to_fit();  // the bench's own list is not engine memory
  const long finished = rss_bytes();
  // Past the 90-day retention every closed record is purged.
  if (!engine.advance_clock(91.0 * 24 * 3600).ok()) return 1;
  const long expired = rss_bytes();
  auto stats = engine.stats();
  std::printf("executions            %d (single calls, one caller thread)\n", n);
  std::printf("start+park            %.0f /s\n", n / start_s);
  std::printf("RSS per parked exec   %.0f B\n", double(parked - base) / n);
  std::printf("complete (send->done) %.0f /s\n", n / done_s);
  std::printf("RSS after completion   %.0f B per execution above the baseline (kept 90 days)\n",
              double(finished - base) / n);
  std::printf("RSS after expiry      %+.1f MiB against the baseline (%zu purged)\n",
              double(expired - base) / (1 << 20), stats.purged);
  std::printf("still running         %zu, open tokens %zu, live fibers %zu\n", stats.running, stats.open_tokens,
              stats.live_fibers);
  return stats.running == 0 && stats.open_tokens == 0 && stats.purged == static_cast<std::size_t>(n) ? 0 : 1;
}
