// The census counters (engine/census.h) against a full scan of the
// executions, through random starts, completions, failures, retries,
// heartbeat and execution timeouts, stops, an UpdateStateMachine and the
// retention purge. The scan reads the histories (open visits per state),
// the strands' tasks in flight and the open tokens: none of it comes from
// the census.
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/service.h"
#include "engine/core.h"
#include "stepfiber/engine.h"

namespace stepfiber {
namespace {

constexpr const char* kRole = "arn:aws:iam::123456789012:role/r";

// Every failure inside a branch or iteration is caught there, so no
// sibling is ever cancelled: an open visit in the history is a strand
// standing in that state.
constexpr const char* kFirst = R"({"StartAt":"Ask","TimeoutSeconds":300,"States":{
  "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
         "Parameters":{"t.$":"$$.Task.Token"},"HeartbeatSeconds":30,"ResultPath":null,
         "Retry":[{"ErrorEquals":["Retryable"],"IntervalSeconds":7,"MaxAttempts":2}],
         "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":null,"Next":"Nap"}],"Next":"Fan"},
  "Nap":{"Type":"Wait","Seconds":20,"Next":"Fan"},
  "Fan":{"Type":"Parallel","ResultPath":null,"Next":"Prep","Branches":[
    {"StartAt":"Left","States":{
      "Left":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
              "Parameters":{"t.$":"$$.Task.Token"},
              "Catch":[{"ErrorEquals":["States.ALL"],"Next":"LeftDone"}],"End":true},
      "LeftDone":{"Type":"Pass","End":true}}},
    {"StartAt":"Doze","States":{"Doze":{"Type":"Wait","Seconds":15,"End":true}}}]},
  "Prep":{"Type":"Pass","Result":[1,2,3],"Next":"Each"},
  "Each":{"Type":"Map","MaxConcurrency":2,"End":true,"ItemProcessor":{"StartAt":"Item","States":{
    "Item":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters":{"t.$":"$$.Task.Token"},
            "Retry":[{"ErrorEquals":["Retryable"],"IntervalSeconds":3,"MaxAttempts":1}],
            "Catch":[{"ErrorEquals":["States.ALL"],"Next":"ItemDone"}],"End":true},
    "ItemDone":{"Type":"Pass","End":true}}}}}})";

constexpr const char* kSecond = R"({"StartAt":"Ask2","States":{
  "Ask2":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
          "Parameters":{"t.$":"$$.Task.Token"},"ResultPath":null,
          "Retry":[{"ErrorEquals":["Retryable"],"IntervalSeconds":5,"MaxAttempts":3}],
          "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Nap"}],"Next":"Nap"},
  "Nap":{"Type":"Wait","Seconds":10,"End":true}}})";

struct Counts {
  std::uint64_t running = 0, token = 0, timer = 0, retry = 0;
  bool operator==(const Counts&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Counts& c) {
  return os << "{running " << c.running << ", token " << c.token << ", timer " << c.timer << ", retry " << c.retry
            << "}";
}

/// The census as DescribeStateMachineCensus answers it, by state name.
std::map<std::string, Counts> from_census(api::Service& svc, const std::string& arn, std::uint64_t& running) {
  api::Response r = svc.call("StepFiber.DescribeStateMachineCensus", dump_json(Json{{"stateMachineArn", arn}}));
  EXPECT_EQ(r.http_status, 200) << r.body;
  Json body = parse_json(r.body).value();
  running = body["running"].get<std::uint64_t>();
  std::map<std::string, Counts> out;
  for (const Json& s : body["states"]) {
    Counts c{s["running"].get<std::uint64_t>(), s["waitingForToken"].get<std::uint64_t>(),
             s["waiting"].get<std::uint64_t>(), s["retrying"].get<std::uint64_t>()};
    if (c.running || c.token || c.timer || c.retry) out[s["name"].get<std::string>()] = c;
  }
  return out;
}

/// The same figures from a full scan of the executions (engine thread).
std::map<std::string, Counts> from_scan(Engine& e, const std::string& arn, std::uint64_t& running) {
  std::map<std::string, Counts> out;
  running = 0;
  e.core().post_and_wait([&] {
    e.core().executions.for_each([&](const engine::Execution& ex) {
      if (ex.machine->arn != arn || ex.status != engine::ExecutionStatus::kRunning || ex.abandoned) return;
      ++running;
      std::map<std::string, std::pair<std::int64_t, std::string>> open;  // name -> (visits open, type)
      for (const auto& ev : ex.history.events()) {
        const std::string type = ev.type;
        const bool entered = type.ends_with("StateEntered");
        if (!entered && !type.ends_with("StateExited")) continue;
        const std::string name = parse_json(ev.details()).value()["name"].get<std::string>();
        auto& slot = open[name];
        slot.first += entered ? 1 : -1;
        slot.second = type.substr(0, type.find("State"));
      }
      std::map<std::string, std::uint64_t> in_flight;  // Task state -> strands with a task in flight
      for (const auto& s : ex.strands) {
        if (!s->task || s->task->state_name == nullptr) continue;
        ++in_flight[*s->task->state_name];
        if (s->task->token_slot) ++out[*s->task->state_name].token;
      }
      for (const auto& [name, slot] : open) {
        EXPECT_GE(slot.first, 0) << name;
        if (slot.first <= 0) continue;
        Counts& c = out[name];
        c.running += static_cast<std::uint64_t>(slot.first);
        if (slot.second == "Wait") c.timer += static_cast<std::uint64_t>(slot.first);
        if (slot.second == "Task") c.retry += static_cast<std::uint64_t>(slot.first) - in_flight[name];
      }
    });
  });
  return out;
}

TEST(Census, CountersMatchAFullScanUnderRandomTraffic) {
  EngineOptions o;
  o.manual_clock = true;
  o.start_time_ms = 1700000000000;
  o.execution_retention_ms = 400'000;
  Engine e(o);
  api::Service svc(e);
  auto sm = e.create_state_machine("census", kFirst, kRole, "STANDARD");
  ASSERT_TRUE(sm.ok()) << sm.status().message();
  const std::string arn = sm->state_machine_arn;
  std::mt19937 rng(20261207);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  std::vector<std::string> started;
  bool updated = false;
  std::size_t checks = 0, nonzero = 0;
  for (int step = 0; step < 1000; ++step) {
    const int roll = static_cast<int>(pick(100));
    auto pending = e.list_pending_tasks(std::nullopt);
    if (roll < 25 || started.empty()) {
      auto r = e.start_execution(arn, std::nullopt, "{}");
      ASSERT_TRUE(r.ok()) << r.status().message();
      started.push_back(r->execution_arn);
    } else if (roll < 50 && !pending.empty()) {
      ASSERT_TRUE(e.send_task_success(pending[pick(pending.size())].task_token, "{}").ok());
    } else if (roll < 62 && !pending.empty()) {
      ASSERT_TRUE(e.send_task_failure(pending[pick(pending.size())].task_token, "Retryable", "again").ok());
    } else if (roll < 68 && !pending.empty()) {
      ASSERT_TRUE(e.send_task_failure(pending[pick(pending.size())].task_token, "Fatal", std::nullopt).ok());
    } else if (roll < 72) {
      (void)e.stop_execution(started[pick(started.size())], std::nullopt, std::nullopt);  // may have ended
    } else if (roll < 90) {
      ASSERT_TRUE(e.advance_clock(static_cast<double>(pick(25))).ok());
    } else if (roll < 91 && !updated && step > 300) {
      ASSERT_TRUE(e.update_state_machine(arn, std::string(kSecond), std::nullopt).ok());
      updated = true;
    } else if (roll < 92) {
      ASSERT_TRUE(e.advance_clock(200).ok());  // execution timeouts and the retention purge
    }
    std::uint64_t census_running = 0, scan_running = 0;
    const auto census = from_census(svc, arn, census_running);
    const auto scan = from_scan(e, arn, scan_running);
    ASSERT_EQ(census_running, scan_running) << "step " << step;
    ASSERT_EQ(census, scan) << "step " << step;
    ++checks;
    nonzero += !census.empty();
  }
  EXPECT_TRUE(updated);
  EXPECT_GT(nonzero, checks / 2);
  const auto stats = e.stats();
  EXPECT_GT(stats.purged, 0u);
  EXPECT_GT(stats.succeeded, 0u);
  EXPECT_GT(stats.aborted, 0u);
  EXPECT_GT(stats.timed_out, 0u);
  // Stop everything: every counter returns to zero and the programs' counters are freed.
  for (const auto& ex : started) (void)e.stop_execution(ex, std::nullopt, std::nullopt);
  std::uint64_t running = 0;
  EXPECT_TRUE(from_census(svc, arn, running).empty());
  EXPECT_EQ(running, 0u);
  std::size_t programs = 1;
  e.core().post_and_wait([&] { programs = e.core().census.programs(); });
  EXPECT_EQ(programs, 0u);
}

TEST(Census, RunningExecutionsAreCountedPerStateAndFreedOnShutdown) {
  EngineOptions o;
  o.manual_clock = true;
  auto e = std::make_unique<Engine>(o);
  api::Service svc(*e);
  auto sm = e->create_state_machine("m", kSecond, kRole, "STANDARD");
  ASSERT_TRUE(sm.ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(e->start_execution(sm->state_machine_arn, std::nullopt, "{}").ok());
  std::uint64_t running = 0;
  auto census = from_census(svc, sm->state_machine_arn, running);
  EXPECT_EQ(running, 50u);
  EXPECT_EQ(census["Ask2"], (Counts{50, 50, 0, 0}));
  api::Response bad = svc.call("StepFiber.DescribeStateMachineCensus", R"({"stateMachineArn":"nope"})");
  EXPECT_EQ(bad.error_code, "InvalidArn");
  bad = svc.call("StepFiber.DescribeStateMachineCensus", "{}");
  EXPECT_EQ(bad.error_code, "ValidationException");
  e.reset();  // shutdown abandons the parked executions without tripping over the census
}

}  // namespace
}  // namespace stepfiber
