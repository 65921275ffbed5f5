// MockConfigFile (engine/mock_config.h): parsing and its errors, and test
// cases run through the operation layer (StartExecution on `arn#Case`).
#include "engine/mock_config.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/service.h"
#include "stepfiber/engine.h"
#include "test_json.h"

namespace stepfiber {
namespace {

std::string parse_error(const std::string& text) {
  auto r = engine::MockConfig::parse(text, "mocks.json");
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

TEST(MockConfig, ParsesRangesAndAnswers) {
  auto r = engine::MockConfig::parse(
      R"({"StateMachines":{"M":{"TestCases":{"Happy":{"T":"R"}}}},
          "MockedResponses":{"R":{"0":{"Return":[1]},"1-2":{"Throw":{"Error":"E","Cause":"C"}},"3":{"Park":true}}}})",
      "mocks.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& cfg = *r.value();
  ASSERT_NE(cfg.test_case("M", "Happy"), nullptr);
  EXPECT_EQ(cfg.test_case("M", "Happy")->at("T"), "R");
  EXPECT_EQ(cfg.test_case("M", "Sad"), nullptr);
  const auto* resp = cfg.response("R");
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(resp->at(0)->value, J("[1]"));
  EXPECT_EQ(resp->at(2)->kind, engine::MockAnswer::Kind::kThrow);
  EXPECT_EQ(resp->at(2)->error, "E");
  EXPECT_EQ(resp->at(3)->kind, engine::MockAnswer::Kind::kPark);
  EXPECT_EQ(resp->at(4), nullptr);
}

TEST(MockConfig, ReturnTakesAnyJsonValue) {
  for (const char* v : {"1", "\"s\"", "null", "[]", "true"}) {
    auto r = engine::MockConfig::parse(std::string(R"({"MockedResponses":{"R":{"0":{"Return":)") + v + "}}}}",
                                       "m");
    ASSERT_TRUE(r.ok()) << v;
    EXPECT_EQ(r.value()->response("R")->at(0)->value, J(v));
  }
}

TEST(MockConfig, ErrorsNameFilePointerAndProblem) {
  EXPECT_EQ(parse_error("{"), parse_error("{"));  // stable
  EXPECT_EQ(parse_error("{").rfind("mock config mocks.json: /: not JSON", 0), 0u);
  EXPECT_EQ(parse_error("[]"), "mock config mocks.json: /: must be a JSON object");
  EXPECT_EQ(parse_error(R"({"Mocks":{}})"),
            "mock config mocks.json: /Mocks: unknown field (expected StateMachines and MockedResponses)");
  EXPECT_EQ(parse_error(R"({"MockedResponses":{"R":{"0":{"Return":1,"Throw":{"Error":"E"}}}}})"),
            "mock config mocks.json: /MockedResponses/R/0: must have exactly one of Return, Throw (or the extension "
            "Park)");
  EXPECT_EQ(parse_error(R"({"MockedResponses":{"R":{"0":{}}}})"),
            "mock config mocks.json: /MockedResponses/R/0: must have Return or Throw");
  EXPECT_EQ(parse_error(R"({"MockedResponses":{"R":{"0":{"Throw":{"Cause":"C"}}}}})"),
            "mock config mocks.json: /MockedResponses/R/0/Throw: Throw needs an Error");
  EXPECT_EQ(parse_error(R"({"MockedResponses":{"R":{"0-2":{"Return":1},"2":{"Return":2}}}})"),
            "mock config mocks.json: /MockedResponses/R/2: invocation numbers 2 overlap an earlier key of this response");
  EXPECT_EQ(parse_error(R"({"MockedResponses":{"R":{"x":{"Return":1}}}})"),
            "mock config mocks.json: /MockedResponses/R/x: 'x' is not an invocation number or an inclusive range "
            "such as \"1-3\"");
  EXPECT_EQ(parse_error(R"({"MockedResponses":{"R":{"3-1":{"Return":1}}}})"),
            "mock config mocks.json: /MockedResponses/R/3-1: range '3-1' ends before it starts");
  EXPECT_EQ(parse_error(R"({"StateMachines":{"M":{"TestCases":{"C":{"S":"Nope"}}}}})"),
            "mock config mocks.json: /StateMachines/M/TestCases/C/S: names MockedResponses entry 'Nope', which does "
            "not exist");
  EXPECT_EQ(parse_error(R"({"MockedResponses":{"R":{"0":{"Park":false}}}})"),
            "mock config mocks.json: /MockedResponses/R/0/Park: must be true");
}

// ---- through the operation layer ---------------------------------------------

constexpr const char* kRole = "arn:aws:iam::123456789012:role/r";
constexpr const char* kMachine = R"({"StartAt":"Call","States":{
  "Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":1,"MaxAttempts":2}],"Next":"Wait"},
  "Wait":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"T.$":"$$.Task.Token"},"End":true}}})";
constexpr const char* kMocks = R"({
  "StateMachines":{"M":{"TestCases":{
     "Happy":{"Call":"CallOk","Wait":"WaitOk"},
     "Retry":{"Call":"CallRetry","Wait":"WaitOk"},
     "Hybrid":{"Call":"CallOk"},
     "Short":{"Call":"CallOnce","Wait":"WaitOk"},
     "Parked":{"Call":"CallOk","Wait":"WaitPark"},
     "Ghost":{"Nope":"CallOk"}}}},
  "MockedResponses":{
     "CallOk":{"0":{"Return":{"v":1}}},
     "CallRetry":{"0-1":{"Throw":{"Error":"Boom","Cause":"again"}},"2":{"Return":{"v":2}}},
     "CallOnce":{"0":{"Throw":{"Error":"Boom"}}},
     "WaitOk":{"0":{"Return":"called back"}},
     "WaitPark":{"0":{"Park":true}}}})";

class MockedExecutions : public ::testing::Test {
 protected:
  static EngineOptions options() {
    EngineOptions o;
    o.manual_clock = true;
    return o;
  }
  Engine engine{options()};
  api::Service service{engine};
  std::string machine;

  void SetUp() override {
    ASSERT_EQ(call("StepFiber.LoadMockConfig", Json{{"config", kMocks}, {"source", "mocks.json"}}).http_status, 200);
    machine = body(call("CreateStateMachine", Json{{"name", "M"}, {"definition", kMachine}, {"roleArn", kRole}}))
                  ["stateMachineArn"]
                      .get<std::string>();
  }
  api::Response call(const std::string& op, const Json& request) { return service.call(op, dump_json(request)); }
  static Json body(const api::Response& r) { return J(r.body); }
  /// Starts `arn`, lets it run (advancing the manual clock past retries), describes it.
  Json run(const std::string& arn) {
    auto started = call("StartExecution", Json{{"stateMachineArn", arn}, {"input", "{}"}});
    EXPECT_EQ(started.http_status, 200) << started.body;
    exec = body(started)["executionArn"].get<std::string>();
    for (int i = 0; i < 5; ++i) {
      call("StepFiber.AdvanceClock", Json{{"seconds", 10}});
    }
    (void)engine.wait_for_execution(exec, 5.0);
    return body(call("DescribeExecution", Json{{"executionArn", exec}}));
  }
  std::vector<std::string> types() {
    std::vector<std::string> out;
    auto r = call("GetExecutionHistory", Json{{"executionArn", exec}});
    EXPECT_EQ(r.http_status, 200) << r.body;
    const Json history = body(r);
    for (const Json& e : history["events"]) {
      out.push_back(e["type"].get<std::string>());
    }
    return out;
  }
  std::string exec;
};

TEST_F(MockedExecutions, HappyPathUsesReturnsAndRecordsTheCallback) {
  Json d = run(machine + "#Happy");
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(d["output"], "\"called back\"");
  const std::vector<std::string> expected{
      "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",   "TaskSucceeded", "TaskStateExited",
      "TaskStateEntered", "TaskScheduled",    "TaskStarted",   "TaskSubmitted", "TaskSucceeded", "TaskStateExited",
      "ExecutionSucceeded"};
  EXPECT_EQ(types(), expected);
}

TEST_F(MockedExecutions, RetriesTakeConsecutiveInvocationNumbers) {
  Json d = run(machine + "#Retry");
  EXPECT_EQ(d["status"], "SUCCEEDED");
  int failed = 0;
  for (const auto& t : types()) failed += t == "TaskFailed";
  EXPECT_EQ(failed, 2);
}

TEST_F(MockedExecutions, MissingInvocationFailsWithStatesRuntime) {
  Json d = run(machine + "#Short");
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["error"], "States.Runtime");
  EXPECT_NE(d["cause"].get<std::string>().find("'CallOnce'"), std::string::npos);
  EXPECT_NE(d["cause"].get<std::string>().find("invocation number 1"), std::string::npos);
}

TEST_F(MockedExecutions, HybridRunsUnmockedStatesForReal) {
  run(machine + "#Hybrid");
  // "Wait" is not mocked: it waits on its real token.
  Json d = body(call("DescribeExecution", Json{{"executionArn", exec}}));
  EXPECT_EQ(d["status"], "RUNNING");
}

TEST_F(MockedExecutions, ParkedMockWaitsForTheRealToken) {
  run(machine + "#Parked");
  Json pending = body(call("StepFiber.ListPendingTasks", Json{{"executionArn", exec}}));
  ASSERT_FALSE(pending.empty()) << pending.dump();
  std::string token;
  for (const auto& [k, v] : pending.items()) {
    (void)k;
    if (v.is_array() && !v.empty() && v[0].contains("taskToken")) token = v[0]["taskToken"].get<std::string>();
  }
  ASSERT_FALSE(token.empty()) << pending.dump();
  ASSERT_EQ(call("SendTaskSuccess", Json{{"taskToken", token}, {"output", "\"by the test\""}}).http_status, 200);
  (void)engine.wait_for_execution(exec, 5.0);
  Json d = body(call("DescribeExecution", Json{{"executionArn", exec}}));
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(d["output"], "\"by the test\"");
}

TEST_F(MockedExecutions, UnknownCaseMachineOrStateIsAValidationError) {
  auto r = call("StartExecution", Json{{"stateMachineArn", machine + "#Nope"}});
  EXPECT_EQ(r.error_code, "ValidationException");
  EXPECT_EQ(body(r)["message"],
            "mock config mocks.json: /StateMachines/M/TestCases/Nope: test case 'Nope' of state machine 'M' is not in "
            "the mock config");
  r = call("StartExecution", Json{{"stateMachineArn", machine + "#Ghost"}});
  EXPECT_EQ(r.error_code, "ValidationException");
  EXPECT_EQ(body(r)["message"],
            "mock config mocks.json: /StateMachines/M/TestCases/Ghost/Nope: state 'Nope' is not a state of state "
            "machine 'M'");
  std::string other = body(call("CreateStateMachine", Json{{"name", "Other"}, {"definition", kMachine}, {"roleArn", kRole}}))
                          ["stateMachineArn"]
                              .get<std::string>();
  r = call("StartExecution", Json{{"stateMachineArn", other + "#Happy"}});
  EXPECT_EQ(r.error_code, "ValidationException");
  EXPECT_EQ(body(r)["message"], "mock config mocks.json: /StateMachines/Other: state machine 'Other' is not in the mock config");
}

TEST_F(MockedExecutions, BareHashRunsUnmocked) {
  run(machine + "#");
  EXPECT_EQ(body(call("DescribeExecution", Json{{"executionArn", exec}}))["status"], "FAILED");  // no handler for Call
}

TEST_F(MockedExecutions, BadConfigIsRejectedAtLoad) {
  auto r = call("StepFiber.LoadMockConfig", Json{{"config", "{"}, {"source", "bad.json"}});
  EXPECT_EQ(r.error_code, "ValidationException");
  EXPECT_EQ(body(r)["message"].get<std::string>().rfind("mock config bad.json: /: not JSON", 0), 0u);
}

TEST(TimeScale, MustBeFiniteAndPositive) {
  for (double bad : {0.0, -1.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    EngineOptions o;
    o.time_scale = bad;
    EXPECT_THROW(Engine e(o), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace stepfiber
