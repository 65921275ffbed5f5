// End-to-end tests of stepfiber::Engine on a manual clock.
#include "stepfiber/engine.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "stepfiber/json.h"

#if defined(__SANITIZE_ADDRESS__)
#define STEPFIBER_TEST_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STEPFIBER_TEST_LSAN 1
#endif
#endif
#ifdef STEPFIBER_TEST_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace stepfiber {
namespace {

const char* kCallback = R"({"StartAt":"Ask","States":{
  "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
         "Parameters":{"Token.$":"$$.Task.Token","Post.$":"$.post"},"HeartbeatSeconds":10,"TimeoutSeconds":100,
         "ResultPath":"$.decision","Next":"Done"},
  "Done":{"Type":"Succeed"}}})";

EngineOptions manual() {
  EngineOptions o;
  o.manual_clock = true;
  o.start_time_ms = 1700000000000;
  return o;
}

std::string machine(Engine& e, const char* def, const std::string& name = "m") {
  auto r = e.create_state_machine(name, def, "arn:aws:iam::123456789012:role/r", "STANDARD");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r->state_machine_arn;
}

TEST(Engine, CallbackParksThenSucceedsWithTokenOutput) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  auto ex = e.start_execution(sm, "one", R"({"post":"hello"})");
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  auto pending = e.list_pending_tasks(std::nullopt);
  ASSERT_EQ(pending.size(), 1u);
  auto params = *parse_json(pending[0].parameters);
  EXPECT_EQ(params["Token"], pending[0].task_token);
  EXPECT_EQ(params["Post"], "hello");
  EXPECT_EQ(e.describe_execution(ex->execution_arn)->status, "RUNNING");
  ASSERT_TRUE(e.send_task_success(pending[0].task_token, R"({"ok":true})").ok());
  auto d = e.describe_execution(ex->execution_arn);
  EXPECT_EQ(d->status, "SUCCEEDED");
  EXPECT_EQ(*parse_json(*d->output), *parse_json(R"({"post":"hello","decision":{"ok":true}})"));
  EXPECT_EQ(e.send_task_success(pending[0].task_token, "{}").code(), ErrorCode::kTaskTimedOut);
  EXPECT_EQ(e.stats().open_tokens, 0u);
}

TEST(Engine, TokenErrorsAreAwsCodes) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  ASSERT_TRUE(e.start_execution(sm, std::nullopt, R"({"post":"x"})").ok());
  auto token = e.list_pending_tasks(std::nullopt).at(0).task_token;
  EXPECT_EQ(e.send_task_success("NoSuchTaskToken", "{}").code(), ErrorCode::kInvalidToken);
  EXPECT_EQ(e.send_task_success(token, "{not json").code(), ErrorCode::kInvalidOutput);
  // The token is checked before the output (recorded AWS behaviour).
  EXPECT_EQ(e.send_task_success("NoSuchTaskToken", "{not json").code(), ErrorCode::kInvalidToken);
  EXPECT_EQ(e.send_task_success(token, std::string(262145, ' ')).code(), ErrorCode::kValidationException);
  EXPECT_EQ(e.send_task_failure(token, std::string(257, 'e'), std::nullopt).code(), ErrorCode::kValidationException);
  EXPECT_EQ(e.send_task_failure(token, std::nullopt, std::string(32769, 'c')).code(), ErrorCode::kValidationException);
  EXPECT_TRUE(e.send_task_heartbeat(token).ok());
  EXPECT_TRUE(e.send_task_failure(token, "Rejected", "no").ok());
  EXPECT_EQ(e.send_task_heartbeat(token).code(), ErrorCode::kTaskTimedOut);
}

TEST(Engine, HeartbeatKeepsTaskAliveAndMissedHeartbeatTimesOut) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  auto ex = e.start_execution(sm, "hb", R"({"post":"x"})");
  auto token = e.list_pending_tasks(std::nullopt).at(0).task_token;
  ASSERT_TRUE(e.advance_clock(8).ok());
  ASSERT_TRUE(e.send_task_heartbeat(token).ok());
  ASSERT_TRUE(e.advance_clock(8).ok());  // 16 s since start, 8 since the heartbeat
  EXPECT_EQ(e.describe_execution(ex->execution_arn)->status, "RUNNING");
  ASSERT_TRUE(e.advance_clock(3).ok());  // 11 s since the heartbeat
  auto d = e.describe_execution(ex->execution_arn);
  EXPECT_EQ(d->status, "FAILED");
  EXPECT_EQ(*d->error, "States.Timeout");
  EXPECT_EQ(e.send_task_success(token, "{}").code(), ErrorCode::kTaskTimedOut);
}

TEST(Engine, StopClosesTokenAndAborts) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  auto ex = e.start_execution(sm, "s", R"({"post":"x"})");
  auto token = e.list_pending_tasks(std::nullopt).at(0).task_token;
  ASSERT_TRUE(e.stop_execution(ex->execution_arn, "Manual", "probe").ok());
  auto d = e.describe_execution(ex->execution_arn);
  EXPECT_EQ(d->status, "ABORTED");
  EXPECT_EQ(*d->error, "Manual");
  EXPECT_EQ(e.send_task_success(token, "{}").code(), ErrorCode::kTaskTimedOut);
  auto h = e.get_execution_history(ex->execution_arn);
  EXPECT_EQ(h->back().type, "ExecutionAborted");
  EXPECT_EQ(e.stats().live_fibers, 0u);
}

// State events are written as text directly (and a StateExited output is
// reused as the next StateEntered input); the details must be exactly what
// dump_json of the event's object prints.
TEST(Engine, StateEventDetailsAreTheCompactJsonOfTheirFields) {
  Engine e(manual());
  const std::string def = R"({"StartAt":"A \"quoted\" \u00e9","States":{
    "A \"quoted\" \u00e9":{"Type":"Pass","Parameters":{"s.$":"$.s","n":1},"Next":"B"},
    "B":{"Type":"Pass","Result":{"t":"x\ny"},"ResultPath":"$.r","End":true}}})";
  auto sm = e.create_state_machine("escapes", def, "arn:aws:iam::123456789012:role/r", "STANDARD");
  ASSERT_TRUE(sm.ok());
  const std::string input = R"({"s":"tab\t \"q\" \u00e9 \\"})";
  auto ex = e.start_execution(sm->state_machine_arn, std::nullopt, input);
  ASSERT_TRUE(e.wait_for_execution(ex->execution_arn, std::nullopt).ok());
  auto h = e.get_execution_history(ex->execution_arn);
  ASSERT_TRUE(h.ok());
  std::vector<const HistoryEventInfo*> state_events;
  for (const auto& ev : *h)
    if (ev.type.rfind("Pass", 0) == 0) state_events.push_back(&ev);
  ASSERT_EQ(state_events.size(), 4u);
  const std::string a = "A \"quoted\" \u00e9";
  const Json a_out = {{"s", "tab\t \"q\" \u00e9 \\"}, {"n", 1}};
  Json b_out = a_out;
  b_out["r"] = {{"t", "x\ny"}};
  auto entered = [](const std::string& name, const Json& in) {  // inputDetails is added when read
    return dump_json(Json{{"name", name}, {"input", dump_json(in)}, {"inputDetails", {{"truncated", false}}}});
  };
  auto exited = [](const std::string& name, const Json& out) {
    return dump_json(Json{{"name", name}, {"output", dump_json(out)}, {"outputDetails", {{"truncated", false}}}});
  };
  EXPECT_EQ(state_events[0]->details, entered(a, *parse_json(input)));
  EXPECT_EQ(state_events[1]->details, exited(a, a_out));
  EXPECT_EQ(state_events[2]->details, entered("B", a_out));  // the exited text, reused
  EXPECT_EQ(state_events[3]->details, exited("B", b_out));
  EXPECT_EQ(h->back().type, "ExecutionSucceeded");
  EXPECT_EQ(h->back().details, dump_json(Json{{"output", dump_json(b_out)}, {"outputDetails", {{"truncated", false}}}}));
  EXPECT_EQ(*e.describe_execution(ex->execution_arn)->output, dump_json(b_out));
}

TEST(Engine, ClosedExecutionsArePurgedAfterTheRetentionPeriod) {
  EngineOptions o = manual();
  o.execution_retention_ms = 3600 * 1000;  // one hour
  Engine e(o);
  auto sm = machine(e, kCallback);
  auto early = e.start_execution(sm, "early", R"({"post":"a"})");
  auto token = e.list_pending_tasks(early->execution_arn).at(0).task_token;
  ASSERT_TRUE(e.send_task_success(token, "{}").ok());
  ASSERT_TRUE(e.advance_clock(1800).ok());
  auto late = e.start_execution(sm, "late", R"({"post":"b"})");
  ASSERT_TRUE(e.stop_execution(late->execution_arn, std::nullopt, std::nullopt).ok());
  auto parked = e.start_execution(sm, "parked", R"({"post":"c"})");

  ASSERT_TRUE(e.advance_clock(1799).ok());  // 59:59 after `early` closed: still visible
  EXPECT_EQ(e.describe_execution(early->execution_arn)->status, "SUCCEEDED");
  ASSERT_TRUE(e.advance_clock(1).ok());  // one hour: gone
  EXPECT_EQ(e.describe_execution(early->execution_arn).status().code(), ErrorCode::kExecutionDoesNotExist);
  EXPECT_EQ(e.get_execution_history(early->execution_arn).status().code(), ErrorCode::kExecutionDoesNotExist);
  EXPECT_EQ(e.describe_execution(late->execution_arn)->status, "ABORTED");
  EXPECT_EQ(e.list_executions(sm, std::nullopt)->size(), 2u);
  // Its token still answers as a closed task, and its name is free again.
  EXPECT_EQ(e.send_task_success(token, "{}").code(), ErrorCode::kTaskTimedOut);
  auto again = e.start_execution(sm, "early", R"({"post":"a2"})");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->execution_arn, early->execution_arn);

  ASSERT_TRUE(e.advance_clock(1800).ok());
  EXPECT_EQ(e.describe_execution(late->execution_arn).status().code(), ErrorCode::kExecutionDoesNotExist);
  // `parked` failed on its 10 s heartbeat at 1810 s, 3590 s ago: still kept.
  EXPECT_EQ(e.describe_execution(parked->execution_arn)->status, "FAILED");
  auto st = e.stats();
  EXPECT_EQ(st.purged, 2u);
  EXPECT_EQ(st.executions, 2u);  // `parked` and the second `early`
  EXPECT_EQ(st.succeeded, 1u);   // counts keep purged executions
  EXPECT_EQ(st.aborted, 1u);
  EXPECT_EQ(st.failed, 2u);
  EXPECT_EQ(st.live_fibers, 0u);
}

TEST(Engine, ZeroRetentionFreesEachExecutionAsItEnds) {
  EngineOptions o = manual();
  o.execution_retention_ms = 0;
  Engine e(o);
  auto sm = machine(e, kCallback);
  std::vector<std::string> arns;
  for (int i = 0; i < 50; ++i) arns.push_back(e.start_execution(sm, std::nullopt, R"({"post":"x"})")->execution_arn);
  auto pending = e.list_pending_tasks(std::nullopt);
  ASSERT_EQ(pending.size(), 50u);
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (i % 2) {
      ASSERT_TRUE(e.send_task_success(pending[i].task_token, "{}").ok());
    } else {
      ASSERT_TRUE(e.stop_execution(pending[i].execution_arn, std::nullopt, std::nullopt).ok());
    }
  }
  ASSERT_TRUE(e.advance_clock(0).ok());  // a loop turn after the stopped fibers unwound
  auto st = e.stats();
  EXPECT_EQ(st.purged, 50u);
  EXPECT_EQ(st.executions, 0u);
  EXPECT_EQ(st.succeeded, 25u);
  EXPECT_EQ(st.aborted, 25u);
  EXPECT_EQ(st.open_tokens, 0u);
  EXPECT_EQ(e.list_executions(sm, std::nullopt)->size(), 0u);
  for (const auto& arn : arns) {
    EXPECT_EQ(e.describe_execution(arn).status().code(), ErrorCode::kExecutionDoesNotExist);
  }
}

TEST(Engine, StatsWithoutScanKeepTheCountersAndSkipTheWalks) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(e.start_execution(sm, std::nullopt, R"({"post":"x"})").ok());
  auto pending = e.list_pending_tasks(std::nullopt);
  ASSERT_EQ(pending.size(), 6u);
  ASSERT_TRUE(e.send_task_success(pending[0].task_token, "{}").ok());
  ASSERT_TRUE(e.advance_clock(0).ok());
  const auto full = e.stats();
  const auto quick = e.stats(false);
  EXPECT_TRUE(full.scanned);
  EXPECT_FALSE(quick.scanned);
  // Five parked tasks, each with a heartbeat and a task timeout: ten live timers
  // (the completed task's two are stale and dropped by the scan).
  EXPECT_EQ(full.pending_timers, 10u);
  EXPECT_GT(full.stack_resident_bytes, 0u);
  EXPECT_EQ(quick.pending_timers, 0u);
  EXPECT_EQ(quick.stack_resident_bytes, 0u);
  EXPECT_EQ(quick.running, full.running);
  EXPECT_EQ(quick.running, 5u);
  EXPECT_EQ(quick.succeeded, 1u);
  EXPECT_EQ(quick.open_tokens, full.open_tokens);
  EXPECT_EQ(quick.live_fibers, full.live_fibers);
  EXPECT_EQ(quick.stacks_in_use, full.stacks_in_use);
  EXPECT_EQ(quick.executions, full.executions);
}

TEST(Engine, RacingCompletionsExactlyOneWins) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  ASSERT_TRUE(e.start_execution(sm, "race", R"({"post":"x"})").ok());
  auto token = e.list_pending_tasks(std::nullopt).at(0).task_token;
  std::atomic<int> ok{0}, timed_out{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      Status s = e.send_task_success(token, "{\"winner\":" + std::to_string(i) + "}");
      if (s.ok()) ++ok;
      else if (s.code() == ErrorCode::kTaskTimedOut) ++timed_out;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(timed_out.load(), 7);
}

// Issue #5: 8 threads race to complete the same 1,000 parked tasks, each in
// its own order. Every token completes exactly once (the losers get
// TaskTimedOut) and every execution succeeds exactly once, with the winner's
// output.
TEST(Engine, ThreadsRacingOverAThousandTokensCompleteEachExactlyOnce) {
  constexpr int kExecutions = 1000, kThreads = 8;
  Engine e(manual());
  auto sm = machine(e, kCallback);
  std::vector<std::string> inputs(kExecutions, R"({"post":"x"})");
  for (auto& r : e.start_executions(sm, inputs)) ASSERT_TRUE(r.ok()) << r.status().message();
  auto pending = e.list_pending_tasks(std::nullopt);
  ASSERT_EQ(pending.size(), static_cast<std::size_t>(kExecutions));
  auto wins = std::make_unique<std::atomic<int>[]>(kExecutions);
  auto winner = std::make_unique<std::atomic<int>[]>(kExecutions);
  std::atomic<int> timed_out{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<int> order(kExecutions);
      for (int i = 0; i < kExecutions; ++i) order[i] = i;
      if (t % 2 == 1) std::shuffle(order.begin(), order.end(), std::mt19937(t));  // even threads collide head-on
      for (int i : order) {
        Status s = e.send_task_success(pending[i].task_token, "{\"winner\":" + std::to_string(t) + "}");
        if (s.ok()) {
          ++wins[i];
          winner[i] = t;
        } else if (s.code() == ErrorCode::kTaskTimedOut) {
          ++timed_out;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(timed_out.load(), kExecutions * (kThreads - 1));
  ASSERT_TRUE(e.wait_for_all(30.0));
  EXPECT_EQ(e.stats().open_tokens, 0u);
  EXPECT_EQ(e.stats().succeeded, static_cast<std::size_t>(kExecutions));
  for (int i = 0; i < kExecutions; ++i) {
    ASSERT_EQ(wins[i].load(), 1) << i;
    auto d = e.describe_execution(pending[i].execution_arn);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->status, "SUCCEEDED");
    EXPECT_EQ((*parse_json(*d->output))["decision"]["winner"], winner[i].load()) << i;
    auto h = e.get_execution_history(pending[i].execution_arn);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(std::count_if(h->begin(), h->end(), [](const HistoryEventInfo& ev) { return ev.type == "TaskSucceeded"; }), 1);
    EXPECT_EQ(std::count_if(h->begin(), h->end(), [](const HistoryEventInfo& ev) { return ev.type == "ExecutionSucceeded"; }), 1);
  }
}

#ifdef STEPFIBER_TEST_LSAN
// Regression (found by fuzz_send_task): heap values that a parked
// execution references only from its fiber stack (the arena's own mmap,
// which LeakSanitizer does not scan) were reported as leaks. The arena now
// registers in-use stacks as LSan root regions.
TEST(Engine, ParkedExecutionsAreNotReportedAsLeaks) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(e.start_execution(sm, std::nullopt, R"({"post":"x"})").ok());
  ASSERT_EQ(e.list_pending_tasks(std::nullopt).size(), 3u);
  EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0);
}
#endif

TEST(Engine, IdempotentStartWhileRunning) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  auto a = e.start_execution(sm, "same", R"({"post":"x"})");
  auto b = e.start_execution(sm, "same", R"({"post":"x"})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->execution_arn, b->execution_arn);
  EXPECT_EQ(a->start_date_ms, b->start_date_ms);
  EXPECT_EQ(e.start_execution(sm, "same", R"({"post":"y"})").status().code(), ErrorCode::kExecutionAlreadyExists);
}

TEST(Engine, WaitStateUsesInjectedClock) {
  Engine e(manual());
  auto sm = machine(e, R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":30,"Next":"P"},
                           "P":{"Type":"Pass","Result":{"done":1},"End":true}}})");
  auto ex = e.start_execution(sm, "w", std::nullopt);
  ASSERT_TRUE(e.advance_clock(29).ok());
  EXPECT_EQ(e.describe_execution(ex->execution_arn)->status, "RUNNING");
  ASSERT_TRUE(e.advance_clock(1).ok());
  auto d = e.describe_execution(ex->execution_arn);
  EXPECT_EQ(d->status, "SUCCEEDED");
  EXPECT_EQ(*d->output, R"({"done":1})");
  EXPECT_EQ(*d->stop_date_ms - d->start_date_ms, 30000);
}

TEST(Engine, WaitSecondsPathCausesNameWhatIsWrongWithTheValue) {
  // AWS's three causes (recorded): no usable value, a fraction, a negative number.
  Engine e(manual());
  auto sm = machine(e, R"({"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}})");
  const std::pair<const char*, const char*> cases[] = {
      {R"({"s":-1})", "The SecondsPath parameter references a negative value: $.s == -1"},
      {R"({"s":1.5})", "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"},
      {R"({"s":"10"})", "The SecondsPath parameter does not reference an input value: $.s"},
      {R"({})", "The SecondsPath parameter does not reference an input value: $.s"},
  };
  int n = 0;
  for (const auto& [input, cause] : cases) {
    auto ex = e.start_execution(sm, "w" + std::to_string(n++), std::string(input));
    ASSERT_TRUE(ex.ok());
    auto d = e.describe_execution(ex->execution_arn);
    EXPECT_EQ(d->status, "FAILED") << input;
    EXPECT_EQ(d->error.value_or(""), "States.Runtime") << input;
    EXPECT_NE(d->cause.value_or("").find(cause), std::string::npos) << input << ": " << d->cause.value_or("");
  }
}

TEST(Engine, BadMaxConcurrencyPathFailsTheMapBeforeItStarts) {
  // Recorded: ExecutionStarted, MapStateEntered, ExecutionFailed (no MapStateStarted).
  Engine e(manual());
  auto sm = machine(e, R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.v","MaxConcurrencyPath":"$.mc",
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})");
  auto ex = e.start_execution(sm, "m", std::string(R"({"mc":{},"v":[1]})"));
  ASSERT_TRUE(ex.ok());
  auto d = e.describe_execution(ex->execution_arn);
  EXPECT_EQ(d->status, "FAILED");
  EXPECT_NE(d->cause.value_or("").find(R"(MaxConcurrencyPath field refers to value "{}" which is not a valid integer)"),
            std::string::npos) << d->cause.value_or("");
  auto events = e.get_execution_history(ex->execution_arn);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> types;
  for (const auto& ev : *events) types.push_back(ev.type);
  EXPECT_EQ(types, (std::vector<std::string>{"ExecutionStarted", "MapStateEntered", "ExecutionFailed"}));
}

TEST(Engine, InfiniteLoopEndsAtHistoryLimitWithoutHangingTheEngine) {
  Engine e(manual());
  auto sm = machine(e, R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
    "B":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"Done"}],"Default":"A"},
    "Done":{"Type":"Succeed"}}})");
  auto ex = e.start_execution(sm, "loop", std::nullopt);
  ASSERT_TRUE(e.wait_for_execution(ex->execution_arn, 30.0).value());
  auto d = e.describe_execution(ex->execution_arn);
  EXPECT_EQ(d->status, "FAILED");
  EXPECT_EQ(*d->error, "States.Runtime");
  EXPECT_EQ(e.get_execution_history(ex->execution_arn)->size(), 25000u);
}

TEST(Engine, ShutdownWithParkedExecutionsDoesNotHang) {
  // More than one wake batch (4,096): shutdown abandons them a batch at a time.
  auto e = std::make_unique<Engine>(manual());
  auto sm = machine(*e, kCallback);
  const std::vector<std::string> inputs(10000, R"({"post":"x"})");
  for (const auto& r : e->start_executions(sm, inputs, {})) ASSERT_TRUE(r.ok());
  EXPECT_EQ(e->stats().live_fibers, 10000u);
  e.reset();  // must return
  SUCCEED();
}

TEST(Engine, ManyTimeoutsDueAtOnceAllFireInBatches) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  const std::vector<std::string> inputs(10000, R"({"post":"x"})");
  std::vector<std::string> arns;
  for (const auto& r : e.start_executions(sm, inputs, {})) arns.push_back(r->execution_arn);
  ASSERT_TRUE(e.advance_clock(11).ok());  // every 10 s heartbeat is due at the same instant
  auto st = e.stats();
  EXPECT_EQ(st.failed, 10000u);
  EXPECT_EQ(st.running, 0u);
  EXPECT_EQ(st.live_fibers, 0u);
  EXPECT_EQ(st.stacks_in_use, 0u);
  EXPECT_EQ(st.open_tokens, 0u);
  EXPECT_EQ(*e.describe_execution(arns.back())->error, "States.Timeout");
}


TEST(Engine, CloseReleasesWaitersBlockedOnExecutions) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  auto ex = e.start_execution(sm, "w", R"({"post":"x"})");
  std::thread waiter([&] {
    auto done = e.wait_for_execution(ex->execution_arn, std::nullopt);
    EXPECT_TRUE(done.ok() || done.status().code() == ErrorCode::kEngineClosed);
  });
  std::thread all([&] { e.wait_for_all(std::nullopt); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  e.close();
  waiter.join();
  all.join();
  EXPECT_EQ(e.describe_execution(ex->execution_arn).status().code(), ErrorCode::kEngineClosed);
}


TEST(Engine, DeepJsonAtTheLimitFlowsThroughWithoutOverflowingFiberStacks) {
  Engine e(manual());
  auto sm = machine(e, kCallback);
  std::string deep;
  for (std::size_t i = 0; i + 1 < kMaxJsonDepth; ++i) deep += "{\"a\":";
  deep += "1";
  for (std::size_t i = 0; i + 1 < kMaxJsonDepth; ++i) deep += "}";
  auto ex = e.start_execution(sm, "deep", R"({"post":)" + deep + "}");
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  auto token = e.list_pending_tasks(std::nullopt).at(0).task_token;
  ASSERT_TRUE(e.send_task_success(token, deep).ok());
  auto d = e.describe_execution(ex->execution_arn);
  EXPECT_EQ(d->status, "SUCCEEDED");
  EXPECT_EQ(json_depth(*parse_json(*d->output)), kMaxJsonDepth);
  // One level more is refused with a clear error, not a crash.
  auto too_deep = e.start_execution(sm, "deeper", R"({"post":{"x":)" + deep + "}}");
  EXPECT_EQ(too_deep.status().code(), ErrorCode::kInvalidExecutionInput);
}


std::vector<std::string> event_types(Engine& e, const std::string& arn) {
  std::vector<std::string> out;
  auto history = e.get_execution_history(arn);
  if (!history.ok()) return out;
  const std::vector<HistoryEventInfo>& events = history.value();
  for (const auto& h : events) out.push_back(h.type);
  return out;
}

TEST(Engine, ParallelBranchesParkOnTokensAndResultsKeepBranchOrder) {
  Engine e(manual());
  auto sm = machine(e, R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
    {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
      "Parameters":{"t.$":"$$.Task.Token","b":0},"End":true}}},
    {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
      "Parameters":{"t.$":"$$.Task.Token","b":1},"End":true}}}]}}})");
  auto ex = e.start_execution(sm, "par", "{}");
  auto pending = e.list_pending_tasks(ex->execution_arn);
  ASSERT_EQ(pending.size(), 2u);
  // Complete in reverse order: the result still follows the Branches order.
  for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
    const auto b = (*parse_json(it->parameters))["b"].get<int>();
    ASSERT_TRUE(e.send_task_success(it->task_token, "{\"branch\":" + std::to_string(b) + "}").ok());
  }
  auto d = e.describe_execution(ex->execution_arn);
  ASSERT_EQ(d->status, "SUCCEEDED");
  EXPECT_EQ(*parse_json(*d->output), *parse_json(R"([{"branch":0},{"branch":1}])"));
  EXPECT_EQ(e.stats().open_tokens, 0u);
}

TEST(Engine, ParallelFailureAbortsSiblingAndClosesItsToken) {
  Engine e(manual());
  auto sm = machine(e, R"({"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Caught","Branches":[
    {"StartAt":"W","States":{"W":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
      "Parameters":{"t.$":"$$.Task.Token"},"End":true}}},
    {"StartAt":"X","States":{"X":{"Type":"Wait","Seconds":5,"Next":"F"},"F":{"Type":"Fail","Error":"Boom","Cause":"c"}}}],
    "Catch":[{"ErrorEquals":["Boom"],"ResultPath":"$.err","Next":"Caught"}]},
    "Caught":{"Type":"Pass","End":true}}})");
  auto ex = e.start_execution(sm, "pf", R"({"in":1})");
  auto token = e.list_pending_tasks(ex->execution_arn).at(0).task_token;
  ASSERT_TRUE(e.advance_clock(5).ok());
  auto d = e.describe_execution(ex->execution_arn);
  ASSERT_EQ(d->status, "SUCCEEDED");
  EXPECT_EQ(*parse_json(*d->output), *parse_json(R"({"in":1,"err":{"Error":"Boom","Cause":"c"}})"));
  EXPECT_EQ(e.send_task_success(token, "{}").code(), ErrorCode::kTaskTimedOut);
  auto types = event_types(e, ex->execution_arn);
  EXPECT_NE(std::find(types.begin(), types.end(), "TaskStateAborted"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "ParallelStateFailed"), types.end());
  EXPECT_EQ(e.stats().live_fibers, 0u);
}

TEST(Engine, MapRunsIterationsInOrderWithSelectorAndContextItem) {
  Engine e(manual());
  auto sm = machine(e, R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":1,
    "ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index","k.$":"$.k"},
    "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
    "ResultPath":"$.out","End":true}}})");
  auto ex = e.start_execution(sm, "map", R"({"xs":["a","b"],"k":7})");
  auto d = e.describe_execution(ex->execution_arn);
  ASSERT_EQ(d->status, "SUCCEEDED") << d->cause.value_or("");
  EXPECT_EQ(*parse_json(*d->output),
            *parse_json(R"({"xs":["a","b"],"k":7,"out":[{"v":"a","i":0,"k":7},{"v":"b","i":1,"k":7}]})"));
  std::vector<std::string> expected = {"ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                       "MapIterationStarted", "PassStateEntered", "PassStateExited",
                                       "MapIterationSucceeded", "MapIterationStarted", "PassStateEntered",
                                       "PassStateExited", "MapIterationSucceeded", "MapStateSucceeded",
                                       "MapStateExited", "ExecutionSucceeded"};
  EXPECT_EQ(event_types(e, ex->execution_arn), expected);
}

TEST(Engine, MapToleratesFailuresUpToTheCount) {
  Engine e(manual());
  auto def = [](int tolerated) {
    return std::string(R"({"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":)") +
           std::to_string(tolerated) + R"(,"ItemProcessor":{"StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":1,"Next":"F"}],"Default":"S"},
      "F":{"Type":"Fail","Error":"Big"},"S":{"Type":"Succeed"}}},"End":true}}})";
  };
  auto ok = e.start_execution(machine(e, def(2).c_str(), "m2"), "t", "[1,2,3]");
  EXPECT_EQ(e.describe_execution(ok->execution_arn)->status, "SUCCEEDED");
  auto bad = e.start_execution(machine(e, def(1).c_str(), "m1"), "t", "[1,2,3]");
  auto d = e.describe_execution(bad->execution_arn);
  EXPECT_EQ(d->status, "FAILED");
  EXPECT_EQ(*d->error, "States.ExceedToleratedFailureThreshold");
}

TEST(Engine, StopWhileMapIterationsAreParkedClosesEveryToken) {
  Engine e(manual());
  auto sm = machine(e, R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"T","States":{
    "T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
         "Parameters":{"t.$":"$$.Task.Token"},"End":true}}},"End":true}}})");
  auto ex = e.start_execution(sm, "stop", "[1,2,3,4,5]");
  EXPECT_EQ(e.list_pending_tasks(ex->execution_arn).size(), 5u);
  ASSERT_TRUE(e.stop_execution(ex->execution_arn, std::nullopt, std::nullopt).ok());
  EXPECT_EQ(e.stats().open_tokens, 0u);
  ASSERT_TRUE(e.wait_for_all(5.0));
  EXPECT_EQ(e.stats().live_fibers, 0u);
}

TEST(Engine, AssignedVariablesAreReadableLaterAndScopedToBranches) {
  Engine e(manual());
  auto sm = machine(e, R"({"StartAt":"A","States":{
    "A":{"Type":"Pass","Assign":{"x":42,"who.$":"$.name"},"Next":"P"},
    "P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":{"x":0},
       "Parameters":{"seen.$":"$x"},"End":true}}}],"Next":"C"},
    "C":{"Type":"Pass","Parameters":{"x.$":"$x","who.$":"$who","branch.$":"$[0].seen"},"End":true}}})");
  auto ex = e.start_execution(sm, "vars", R"({"name":"ada"})");
  auto d = e.describe_execution(ex->execution_arn);
  ASSERT_EQ(d->status, "SUCCEEDED") << d->cause.value_or("");
  EXPECT_EQ(*parse_json(*d->output), *parse_json(R"({"x":42,"who":"ada","branch":42})"));
}
}  // namespace
}  // namespace stepfiber
