// End-to-end tests of stepfiber::Engine on a manual clock.
#include "stepfiber/engine.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "stepfiber/json.h"

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
  auto e = std::make_unique<Engine>(manual());
  auto sm = machine(*e, kCallback);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(e->start_execution(sm, std::nullopt, R"({"post":"x"})").ok());
  EXPECT_EQ(e->stats().live_fibers, 1000u);
  e.reset();  // must return
  SUCCEED();
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

}  // namespace
}  // namespace stepfiber
