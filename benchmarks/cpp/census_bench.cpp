// DescribeStateMachineCensus with N executions parked on task tokens: the
// census answers from per-state counters, so its cost must not grow with N.
// Parks N executions (batch starts), then times K census calls through the
// operation layer (api::Service, as the Python client and the HTTP server
// call it) and prints min / median / p99 / max.
//   build/<dir>/benchmarks/census_bench [N=1000000] [K=200]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "api/service.h"
#include "bench_util.h"
#include "stepfiber/engine.h"
#include "stepfiber/json.h"

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000000;
  const int k = argc > 2 ? std::atoi(argv[2]) : 200;
  stepfiber::EngineOptions opts;
  opts.manual_clock = true;
  stepfiber::Engine engine(opts);
  stepfiber::api::Service service(engine);
  // The moderation workflow's shape: two Choices around a callback task.
  const char* def = R"({"StartAt":"Check","States":{
    "Check":{"Type":"Choice","Choices":[{"Variable":"$.spam","BooleanEquals":true,"Next":"AutoReject"}],"Default":"Ask"},
    "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
           "Parameters":{"token.$":"$$.Task.Token"},"HeartbeatSeconds":3600,"ResultPath":"$.review","Next":"Decide"},
    "Decide":{"Type":"Choice","Choices":[{"Variable":"$.review.ok","BooleanEquals":true,"Next":"Publish"}],
              "Default":"Reject"},
    "Publish":{"Type":"Pass","End":true},
    "Reject":{"Type":"Fail","Error":"Rejected"},
    "AutoReject":{"Type":"Fail","Error":"Spam"}}})";
  auto sm = engine.create_state_machine("census", def, "arn:aws:iam::123456789012:role/r", "STANDARD");
  if (!sm.ok()) {
    std::fprintf(stderr, "%s\n", sm.status().message().c_str());
    return 1;
  }
  const long base = stepfiber::bench::rss_bytes();
  auto t0 = std::chrono::steady_clock::now();
  const int batch = 10000;
  for (int done = 0; done < n; done += batch) {
    std::vector<std::string> inputs(static_cast<std::size_t>(std::min(batch, n - done)), "{\"spam\":false}");
    for (const auto& r : engine.start_executions(sm->state_machine_arn, inputs)) {
      if (!r.ok()) {
        std::fprintf(stderr, "start failed: %s\n", r.status().message().c_str());
        return 1;
      }
    }
  }
  const double park_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string request = stepfiber::dump_json(stepfiber::Json{{"stateMachineArn", sm->state_machine_arn}});
  std::vector<double> ms;
  std::string last;
  for (int i = 0; i < k; ++i) {
    auto c0 = std::chrono::steady_clock::now();
    stepfiber::api::Response r = service.call("StepFiber.DescribeStateMachineCensus", request);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c0).count());
    if (r.http_status != 200) {
      std::fprintf(stderr, "census failed: %s\n", r.body.c_str());
      return 1;
    }
    last = r.body;
  }
  std::sort(ms.begin(), ms.end());
  auto body = stepfiber::parse_json(last).value();
  std::uint64_t ask = 0;
  for (const auto& s : body["states"]) {
    if (s["name"] == "Ask") ask = s["waitingForToken"].get<std::uint64_t>();
  }
  std::printf("parked                %d executions in %.1f s (RSS +%.2f GiB)\n", n, park_s,
              double(stepfiber::bench::rss_bytes() - base) / (1 << 30));
  std::printf("census says           running %llu, Ask waiting on a token %llu\n",
              static_cast<unsigned long long>(body["running"].get<std::uint64_t>()),
              static_cast<unsigned long long>(ask));
  std::printf("census call (%d)     min %.3f ms  median %.3f ms  p99 %.3f ms  max %.3f ms\n", k, ms.front(),
              ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back());
  return ask == static_cast<std::uint64_t>(n) && ms[ms.size() / 2] < 10.0 ? 0 : 1;
}
