// Runtime benchmarks with in-run baselines (issue #4).
//
//   build/cpp/benchmarks/runtime_bench [N]        (default N = 200,000)
//
// Measures, through the public Engine API with its batch calls:
//   start+park (cold: fresh stacks; warm: reused stacks), wake+complete,
//   RSS and resident stack per parked execution, cost of one transition;
// and in-process: JSONPath select, payload-template evaluation, token lookup.
// Baselines in the same run: one std::thread per waiting execution blocked
// on a condition variable, and Boost.Fiber fibers waiting on promise/future.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/fiber/all.hpp>

#include "path/json_path.h"
#include "payload/payload_template.h"
#include "runtime/token_registry.h"
#include "bench_util.h"
#include "stepfiber/engine.h"
#include "stepfiber/json.h"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

using stepfiber::bench::rss_bytes;

const char* kCallback = R"({"StartAt":"Ask","States":{"Ask":{"Type":"Task",
  "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
  "Parameters":{"token.$":"$$.Task.Token","n.$":"$.n"},"Next":"Done"},"Done":{"Type":"Pass","End":true}}})";

struct EngineFigures {
  double cold_start = 0, warm_start = 0, complete = 0, rss_per_parked = 0, stack_per_parked = 0;
};

/// Starts n parked executions in batches; returns executions/s.
double start_batch(stepfiber::Engine& e, const std::string& sm, int n) {
  const int batch = 50000;
  auto t0 = Clock::now();
  for (int done = 0; done < n; done += batch) {
    const int count = std::min(batch, n - done);
    std::vector<std::string> inputs(count);
    for (int i = 0; i < count; ++i) inputs[i] = "{\"n\":" + std::to_string(done + i) + "}";
    auto r = e.start_executions(sm, inputs);
    for (auto& x : r) {
      if (!x.ok()) {
        std::fprintf(stderr, "start failed: %s\n", x.status().message().c_str());
        std::exit(1);
      }
    }
  }
  return n / since(t0);
}

/// Completes every parked token in batches; returns completions/s.
double complete_all(stepfiber::Engine& e) {
  auto tokens = e.pending_task_tokens();
  const std::size_t batch = 50000;
  auto t0 = Clock::now();
  for (std::size_t done = 0; done < tokens.size(); done += batch) {
    const std::size_t count = std::min(batch, tokens.size() - done);
    std::vector<std::string> ts(tokens.begin() + done, tokens.begin() + done + count);
    std::vector<std::string> outputs(count, "{\"ok\":true}");
    for (auto& st : e.send_task_success_batch(ts, outputs)) {
      if (!st.ok()) {
        std::fprintf(stderr, "complete failed: %s\n", st.message().c_str());
        std::exit(1);
      }
    }
  }
  return tokens.size() / since(t0);
}

EngineFigures engine_figures(int n) {
  stepfiber::EngineOptions o;
  o.manual_clock = true;
  stepfiber::Engine e(o);
  auto sm = e.create_state_machine("bench", kCallback, "arn:aws:iam::123456789012:role/r", "STANDARD");
  EngineFigures f;
  const long base = rss_bytes();
  f.cold_start = start_batch(e, sm->state_machine_arn, n);
  f.rss_per_parked = double(rss_bytes() - base) / n;
  auto s = e.stats();
  f.stack_per_parked = double(s.stack_resident_bytes) / double(s.stacks_in_use);
  f.complete = complete_all(e);
  f.warm_start = start_batch(e, sm->state_machine_arn, n);  // stacks now come warm from the pool
  (void)complete_all(e);
  return f;
}

double transition_ns() {
  // A 1,000-state Pass chain: time per transition, averaged over runs.
  std::string def = R"({"StartAt":"S0","States":{)";
  const int states = 1000;
  for (int i = 0; i < states; ++i) {
    def += "\"S" + std::to_string(i) + "\":{\"Type\":\"Pass\"," +
           (i + 1 < states ? "\"Next\":\"S" + std::to_string(i + 1) + "\"" : std::string("\"End\":true")) + "}";
    if (i + 1 < states) def += ",";
  }
  def += "}}";
  stepfiber::EngineOptions o;
  o.manual_clock = true;
  stepfiber::Engine e(o);
  auto sm = e.create_state_machine("chain", def, "arn:aws:iam::123456789012:role/r", "STANDARD");
  const int runs = 50;
  auto t0 = Clock::now();
  for (int r = 0; r < runs; ++r) {
    auto ex = e.start_execution(sm->state_machine_arn, std::nullopt, R"({"a":1})");
    (void)e.wait_for_execution(ex->execution_arn, std::nullopt);
  }
  return since(t0) * 1e9 / (double(runs) * states);
}

// g++ 12 at -O3 reports a false -Wrestrict inside std::string's operator+
// on the concatenations below (GCC PR 105651).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

/// Transitions per second of a 1,000-state chain made of 100 copies of a
/// 10-state block (5 Pass + 5 Choice) doing the same data flow in each query
/// language: the Pass reshapes the input ({n, tag} from the input), the
/// Choice tests n. Issue 9 section 5 asks JSONata for >= 80% of JSONPath.
double chain_transitions_per_second(bool jsonata, int runs = 20) {
  const int blocks = 100;
  std::string def = jsonata ? R"({"QueryLanguage":"JSONata","StartAt":"P0","States":{)"
                            : R"({"StartAt":"P0","States":{)";
  const int states = blocks * 10;
  for (int i = 0; i < states; i += 2) {
    const std::string p = "P" + std::to_string(i), c = "C" + std::to_string(i + 1);
    const std::string next = i + 2 < states ? "\"P" + std::to_string(i + 2) + "\"" : std::string();
    const std::string choice_next = next.empty() ? std::string(R"J("Next":"Done"}])J") : R"J("Next":)J" + next + "}]";
    if (jsonata) {
      def += "\"" + p +
             R"J(":{"Type":"Pass","Output":{"n":"{% $states.input.n + 1 %}","tag":"{% $states.input.tag %}"},"Next":")J" +
             c + "\"},";
      def += "\"" + c + R"J(":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n >= 0 %}",)J" + choice_next +
             R"J(,"Default":"Done"})J";
    } else {
      def += "\"" + p + R"J(":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)","tag.$":"$.tag"},"Next":")J" +
             c + "\"},";
      def += "\"" + c + R"J(":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThanEquals":0,)J" +
             choice_next + R"J(,"Default":"Done"})J";
    }
    def += ",";
  }
  def += R"("Done":{"Type":"Succeed"}}})";
  stepfiber::EngineOptions o;
  o.manual_clock = true;
  stepfiber::Engine e(o);
  auto sm = e.create_state_machine(jsonata ? "chain-jsonata" : "chain-jsonpath", def,
                                   "arn:aws:iam::123456789012:role/r", "STANDARD");
  auto t0 = Clock::now();
  for (int r = 0; r < runs; ++r) {
    auto ex = e.start_execution(sm->state_machine_arn, std::nullopt, R"({"n":1,"tag":"order-7"})");
    (void)e.wait_for_execution(ex->execution_arn, std::nullopt);
    auto done = e.describe_execution(ex->execution_arn);
    if (!done.ok() || done->status != "SUCCEEDED") {
      std::fprintf(stderr, "chain (%s) did not succeed: %s\n", jsonata ? "JSONata" : "JSONPath",
                   done.ok() ? done->cause.value_or(done->status).c_str() : "no execution");
      std::exit(1);
    }
  }
  return double(runs) * (states + 1) / since(t0);
}

double jsonpath_per_second() {
  auto p = stepfiber::path::JsonPath::compile("$.order.items[2].price").value();
  auto doc = stepfiber::parse_json(R"({"order":{"id":7,"items":[{"price":1},{"price":2},{"price":3}]}})").value();
  const int n = 1000000;
  std::size_t sink = 0;
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) sink += p.select(doc)->get<int>();
  if (sink == 0) std::puts("");
  return n / since(t0);
}

double template_per_second() {
  auto tmpl = stepfiber::path::PayloadTemplate::compile(
                  *stepfiber::parse_json(R"({"QueueUrl":"q","MessageBody":{"order.$":"$.order.id","token.$":"$$.Task.Token","n":1}})"),
                  "Parameters")
                  .value();
  auto input = stepfiber::parse_json(R"({"order":{"id":7}})").value();
  auto ctx = stepfiber::parse_json(R"({"Task":{"Token":"abc"}})").value();
  const int n = 300000;
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) (void)tmpl.evaluate(stepfiber::path::EvalScope{input, ctx});
  return n / since(t0);
}

double token_lookups_per_second() {
  stepfiber::runtime::TokenRegistry reg;
  std::vector<std::string> tokens;
  for (int i = 0; i < 100000; ++i) tokens.push_back(reg.issue(i, 0, 1).token);
  const int rounds = 10;
  std::size_t open = 0;
  auto t0 = Clock::now();
  for (int r = 0; r < rounds; ++r)
    for (const auto& t : tokens) open += reg.find(t).status == stepfiber::runtime::TokenRegistry::Lookup::kOpen;
  if (open == 0) std::puts("");
  return double(rounds) * tokens.size() / since(t0);
}

struct Baseline {
  int n = 0;
  double start = 0, wake = 0, rss_per_waiter = 0;
};

/// One OS thread per waiting execution, each blocked on a condition variable.
Baseline thread_baseline(int n) {
  Baseline b;
  std::mutex mu;
  std::condition_variable cv;
  bool go = false;
  int parked = 0;
  std::vector<std::thread> threads;
  threads.reserve(n);
  const long base = rss_bytes();
  auto t0 = Clock::now();
  try {
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&] {
        std::unique_lock<std::mutex> lk(mu);
        ++parked;
        cv.notify_all();
        cv.wait(lk, [&] { return go; });
      });
    }
  } catch (const std::system_error&) {
    // the machine's thread limit: measure what we got
  }
  {
    std::unique_lock<std::mutex> lk(mu);
    cv.wait(lk, [&] { return parked == static_cast<int>(threads.size()); });
  }
  b.n = static_cast<int>(threads.size());
  b.start = b.n / since(t0);
  b.rss_per_waiter = double(rss_bytes() - base) / b.n;
  t0 = Clock::now();
  {
    std::lock_guard<std::mutex> lk(mu);
    go = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
  b.wake = b.n / since(t0);
  return b;
}

/// Boost.Fiber fibers (default stacks) each waiting on a future.
Baseline future_baseline(int n) {
  Baseline b;
  b.n = n;
  std::vector<boost::fibers::promise<int>> promises(n);
  std::vector<boost::fibers::fiber> fibers;
  fibers.reserve(n);
  const long base = rss_bytes();
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    fibers.emplace_back([f = promises[i].get_future()]() mutable { (void)f.get(); });
  }
  boost::this_fiber::yield();  // every fiber runs up to its wait
  b.start = n / since(t0);
  b.rss_per_waiter = double(rss_bytes() - base) / n;
  t0 = Clock::now();
  for (auto& p : promises) p.set_value(1);
  for (auto& f : fibers) f.join();
  b.wake = n / since(t0);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 200000;
  if (argc > 2 && std::string(argv[2]) == "transitions") {  // only the interpreter figures (for profiling)
    std::printf("one transition (Pass chain)         %8.0f ns\n", transition_ns());
    std::printf("Pass/Choice chain, JSONPath         %8.0f transitions/s\n", chain_transitions_per_second(false));
    std::printf("Pass/Choice chain, JSONata          %8.0f transitions/s\n", chain_transitions_per_second(true));
    return 0;
  }
  if (argc > 2 && std::string(argv[2]) == "jsonata-chain") {  // only the JSONata chain (for profiling)
    std::printf("Pass/Choice chain, JSONata          %8.0f transitions/s\n", chain_transitions_per_second(true, 200));
    return 0;
  }
  if (argc > 2 && std::string(argv[2]) == "engine") {  // only stepfiber's start/complete figures (for profiling)
    auto en = engine_figures(n);
    std::printf("start+park /s (cold) %.0f, (warm stacks) %.0f, wake+complete /s %.0f, RSS per parked %.0f B\n",
                en.cold_start, en.warm_start, en.complete, en.rss_per_parked);
    return 0;
  }
  const int thread_n = std::min(n, 10000);
  const int future_n = std::min(n, 100000);
  std::printf("stepfiber runtime_bench, N = %d (baselines: %d threads, %d Boost futures)\n\n", n, thread_n, future_n);
  auto th = thread_baseline(thread_n);
  auto fu = future_baseline(future_n);
  auto en = engine_figures(n);
  std::printf("%-34s %14s %14s %14s\n", "", "stepfiber", "thread/exec", "fiber+future");
  std::printf("%-34s %14.0f %14.0f %14.0f\n", "start+park /s (cold)", en.cold_start, th.start, fu.start);
  std::printf("%-34s %14.0f %14s %14s\n", "start+park /s (warm stacks)", en.warm_start, "-", "-");
  std::printf("%-34s %14.0f %14.0f %14.0f\n", "wake+complete /s", en.complete, th.wake, fu.wake);
  std::printf("%-34s %14.0f %14.0f %14.0f\n", "RSS per parked execution (B)", en.rss_per_parked, th.rss_per_waiter,
              fu.rss_per_waiter);
  std::printf("%-34s %14.0f\n", "resident stack per parked fiber (B)", en.stack_per_parked);
  std::printf("\nratios (stepfiber / baseline): start %.1fx vs threads, %.1fx vs futures; "
              "complete %.1fx vs threads, %.1fx vs futures; memory %.1fx less than threads, %.1fx less than futures\n",
              en.cold_start / th.start, en.cold_start / fu.start, en.complete / th.wake, en.complete / fu.wake,
              th.rss_per_waiter / en.rss_per_parked, fu.rss_per_waiter / en.rss_per_parked);
  std::printf("\none transition (Pass chain)         %8.0f ns\n", transition_ns());
  const double chain_path = chain_transitions_per_second(false);
  const double chain_jsonata = chain_transitions_per_second(true);
  std::printf("Pass/Choice chain, JSONPath         %8.0f transitions/s\n", chain_path);
  std::printf("Pass/Choice chain, JSONata          %8.0f transitions/s (%.2fx JSONPath)\n", chain_jsonata,
              chain_jsonata / chain_path);
  std::printf("JSONPath select                     %8.0f /s\n", jsonpath_per_second());
  std::printf("payload template (3 dynamic keys)   %8.0f /s\n", template_per_second());
  std::printf("token lookup (authentic, open)      %8.0f /s\n", token_lookups_per_second());
  return 0;
}
