// TestState (engine/test_state.h): checks, data flow and inspection data.
#include "engine/test_state.h"

#include <gtest/gtest.h>

#include <string>

#include "test_json.h"

namespace stepfiber {
namespace {

Result<Json> run(const Json& request) { return engine::run_test_state(EngineOptions{}, 1700000000000, request); }

Json request(const char* definition, Json extra = Json::object()) {
  Json r = extra;
  r["definition"] = definition;
  return r;
}

Json ok(const Json& req) {
  auto r = run(req);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : Json();
}

void expect_error(const Json& req, ErrorCode code, const std::string& message) {
  auto r = run(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code);
  EXPECT_EQ(r.status().message(), message);
}

TEST(TestState, PassRecordsEveryStepAtDebug) {
  Json out = ok(request(R"({"Type":"Pass","InputPath":"$.a","Parameters":{"x.$":"$.b"},"ResultPath":"$.r","Next":"N"})",
                        J(R"({"input":"{\"a\":{\"b\":1}}","inspectionLevel":"DEBUG"})")));
  EXPECT_EQ(out["status"], "SUCCEEDED");
  EXPECT_EQ(out["nextState"], "N");
  EXPECT_EQ(J(out["output"].get<std::string>()), J(R"({"a":{"b":1},"r":{"x":1}})"));
  const Json& i = out["inspectionData"];
  EXPECT_EQ(J(i["input"].get<std::string>()), J(R"({"a":{"b":1}})"));
  EXPECT_EQ(J(i["afterInputPath"].get<std::string>()), J(R"({"b":1})"));
  EXPECT_EQ(J(i["afterParameters"].get<std::string>()), J(R"({"x":1})"));
  EXPECT_EQ(J(i["afterResultSelector"].get<std::string>()), J(R"({"x":1})"));
  EXPECT_EQ(J(i["afterResultPath"].get<std::string>()), J(R"({"a":{"b":1},"r":{"x":1}})"));
  EXPECT_FALSE(i.contains("result"));
}

TEST(TestState, InfoHasNoInspectionData) {
  Json out = ok(request(R"({"Type":"Pass","End":true})"));
  EXPECT_EQ(out["status"], "SUCCEEDED");
  EXPECT_EQ(out["output"], "{}");
  EXPECT_FALSE(out.contains("inspectionData"));
  EXPECT_FALSE(out.contains("nextState"));
}

TEST(TestState, ChoiceNamesTheNextState) {
  const char* def = R"({"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1,"Next":"Big"}],"Default":"Small"})";
  EXPECT_EQ(ok(request(def, J(R"({"input":"{\"n\":5}"})")))["nextState"], "Big");
  EXPECT_EQ(ok(request(def, J(R"({"input":"{\"n\":0}"})")))["nextState"], "Small");
}

TEST(TestState, FailReportsErrorAndCause) {
  Json out = ok(request(R"({"Type":"Fail","Error":"E","Cause":"C"})"));
  EXPECT_EQ(out["status"], "FAILED");
  EXPECT_EQ(out["error"], "E");
  EXPECT_EQ(out["cause"], "C");
}

TEST(TestState, MockedTaskResultFlowsThroughSelectorAndPath) {
  Json out = ok(request(
      R"({"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"F":"f"},"ResultSelector":{"v.$":"$.x"},"ResultPath":"$.res","End":true})",
      J(R"({"input":"{\"k\":1}","inspectionLevel":"TRACE","mock":{"result":"{\"x\":7}"}})")));
  EXPECT_EQ(out["status"], "SUCCEEDED");
  EXPECT_EQ(J(out["output"].get<std::string>()), J(R"({"k":1,"res":{"v":7}})"));
  EXPECT_EQ(J(out["inspectionData"]["result"].get<std::string>()), J(R"({"x":7})"));
  EXPECT_EQ(J(out["inspectionData"]["afterParameters"].get<std::string>()), J(R"({"F":"f"})"));
}

TEST(TestState, WaitForTaskTokenUsesTheMockedContextToken) {
  Json out = ok(request(
      R"({"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"T.$":"$$.Task.Token"},"End":true})",
      J(R"({"inspectionLevel":"DEBUG","mock":{"result":"\"done\""},"context":"{\"Task\":{\"Token\":\"tok\"}}"})")));
  EXPECT_EQ(J(out["inspectionData"]["afterParameters"].get<std::string>()), J(R"({"T":"tok"})"));
  EXPECT_EQ(out["output"], "\"done\"");
}

TEST(TestState, MockedErrorIsRetriableThenCaught) {
  const char* def =
      R"({"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["E"],"IntervalSeconds":2,"MaxAttempts":2,"BackoffRate":3}],"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"H"}],"End":true})";
  Json base = J(R"({"inspectionLevel":"DEBUG","input":"{}","mock":{"errorOutput":{"error":"E","cause":"C"}}})");
  Json out = ok(request(def, base));
  EXPECT_EQ(out["status"], "RETRIABLE");
  EXPECT_EQ(out["inspectionData"]["errorDetails"], J(R"({"retryIndex":0,"retryBackoffIntervalSeconds":2})"));
  base["stateConfiguration"] = {{"retrierRetryCount", 1}};
  out = ok(request(def, base));
  EXPECT_EQ(out["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"], 6);
  base["stateConfiguration"] = {{"retrierRetryCount", 2}};
  out = ok(request(def, base));
  EXPECT_EQ(out["status"], "CAUGHT_ERROR");
  EXPECT_EQ(out["nextState"], "H");
  // The exhausted retrier is named (no back-off), then the catcher.
  EXPECT_EQ(out["inspectionData"]["errorDetails"], J(R"({"retryIndex":0,"catchIndex":0})"));
  EXPECT_EQ(J(out["output"].get<std::string>()), J(R"({"err":{"Error":"E","Cause":"C"}})"));
}

TEST(TestState, UncaughtMockedErrorFails) {
  Json out = ok(request(R"({"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true})",
                        J(R"({"mock":{"errorOutput":{"error":"E","cause":"C"}}})")));
  EXPECT_EQ(out["status"], "FAILED");
  EXPECT_EQ(out["error"], "E");
}

TEST(TestState, ParallelAndMapTakeArrayMocks) {
  const char* par =
      R"({"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],"End":true})";
  EXPECT_EQ(ok(request(par, J(R"({"mock":{"result":"[1,2]"}})")))["output"], "[1,2]");
  expect_error(request(par, J(R"({"mock":{"result":"{}"}})")), ErrorCode::kValidationException,
               "Mocked result must be an array.");
  expect_error(request(par, J(R"({"mock":{"result":"[1]"}})")), ErrorCode::kValidationException,
               "Mocked result must contain the same number of items as number of Parallel branches.");
  const char* map =
      R"({"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":2,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true})";
  Json out = ok(request(map, J(R"({"input":"{\"xs\":[1,2]}","inspectionLevel":"DEBUG","mock":{"result":"[3,4]"}})")));
  EXPECT_EQ(out["output"], "[3,4]");
  EXPECT_EQ(out["inspectionData"]["afterItemsPath"], "[1,2]");
  EXPECT_EQ(out["inspectionData"]["maxConcurrency"], 2);
  out = ok(request(map, J(R"({"input":"{\"xs\":7}","mock":{"result":"[]"}})")));
  EXPECT_EQ(out["status"], "FAILED");
  EXPECT_EQ(out["cause"], "Reference path \"$.xs\" must point to array.");
  expect_error(request(map, J(R"({"mock":{"result":"{}"}})")), ErrorCode::kValidationException,
               "Mocked result must be an array.");
}

TEST(TestState, MapIterationFailuresAgainstTheTolerance) {
  const char* map =
      R"({"Type":"Map","ToleratedFailureCount":1,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true})";
  Json base = J(R"({"input":"[1,2,3]","mock":{"result":"[1,2,3]"}})");
  base["stateConfiguration"] = {{"mapIterationFailureCount", 1}};
  EXPECT_EQ(ok(request(map, base))["status"], "SUCCEEDED");
  base["stateConfiguration"] = {{"mapIterationFailureCount", 2}};
  Json out = ok(request(map, base));
  EXPECT_EQ(out["status"], "FAILED");
  EXPECT_EQ(out["error"], "States.ExceedToleratedFailureThreshold");
  // Without a tolerance the mocked result stands (as AWS recorded it).
  EXPECT_EQ(ok(request(
                R"({"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true})",
                base))["status"],
            "SUCCEEDED");
  base["stateConfiguration"] = {{"mapIterationFailureCount", 4}};
  expect_error(request(map, base), ErrorCode::kValidationException,
               "Map iteration failure count must be less than or equal to the number of Map iterations");
  base.erase("mock");
  expect_error(request(map, base), ErrorCode::kValidationException,
               "TestState does not support MapIterationFailureCount when a mock is not specified.");
}

TEST(TestState, MockRules) {
  const char* task = R"({"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true})";
  expect_error(request(task, J(R"({"mock":{"result":"{}","errorOutput":{"error":"E"}}})")),
               ErrorCode::kValidationException,
               "A test mock should have only one of the following fields: [result, errorOutput].");
  expect_error(request(task, J(R"({"mock":{"result":"{"}})")), ErrorCode::kValidationException,
               "Mocked result must be valid JSON");
  expect_error(request(task, J(R"({"revealSecrets":true,"mock":{"result":"{}"}})")), ErrorCode::kValidationException,
               "TestState does not support RevealSecrets when a mock is specified.");
  expect_error(request(task), ErrorCode::kValidationException, "RoleArn must be specified when testing a Task state");
  for (const char* type : {"Pass", "Succeed", "Fail"}) {
    std::string def = std::string(R"({"Type":")") + type + R"(","End":true})";
    if (std::string(type) != "Pass") def = std::string(R"({"Type":")") + type + R"("})";
    expect_error(request(def.c_str(), J(R"({"mock":{"result":"{}"}})")), ErrorCode::kValidationException,
                 std::string("State type '") + type + "' is not supported when a mock is specified");
  }
  expect_error(request(R"({"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}],"End":true})"),
               ErrorCode::kInvalidDefinition,
               "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, "
               "Pass, Succeed, Fail, Choice]");
}

TEST(TestState, ContextRules) {
  const char* task = R"({"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true})";
  expect_error(request(task, J(R"({"mock":{"result":"{}"},"context":"{\"Map\":{}}"})")),
               ErrorCode::kValidationException,
               "Invalid Context object provided: 'Map' field is not supported when mocking a Context object");
  expect_error(request(task, J(R"({"mock":{"result":"{}"},"context":"{\"Pokedex\":{}}"})")),
               ErrorCode::kValidationException, "Invalid Context object provided: Field 'Pokedex' is not allowed");
  expect_error(request(task, J(R"({"mock":{"result":"{}"},"context":"{\"Execution\":{\"x\":1}}"})")),
               ErrorCode::kValidationException, "Invalid Context object provided: Field 'x' is not allowed");
  expect_error(request(task, J(R"({"mock":{"result":"{}"},"context":"{\"Task\":{\"Token\":\"t\"}}"})")),
               ErrorCode::kValidationException,
               "Invalid Context object provided: Context object contains 'Task' when state is not a Task state with "
               "a '.sync' or '.waitForTaskToken' service integration pattern");
}

TEST(TestState, WholeMachineWithStateName) {
  const char* sm =
      R"({"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"Next":"B"},"B":{"Type":"Map","ItemProcessor":{"StartAt":"In","States":{"In":{"Type":"Pass","End":true}}},"End":true}}})";
  Json out = ok(request(sm, J(R"({"stateName":"A"})")));
  EXPECT_EQ(out["nextState"], "B");
  EXPECT_EQ(out["output"], "1");
  EXPECT_EQ(ok(request(sm, J(R"({"stateName":"In","input":"{\"q\":1}"})")))["output"], "{\"q\":1}");
  expect_error(request(sm, J(R"({"stateName":"Nope"})")), ErrorCode::kValidationException,
               "State not found in definition");
  auto bad = run(request(R"({"StartAt":"A","States":{"A":{"Type":"Bogus"}}})", J(R"({"stateName":"A"})")));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidDefinition);
  EXPECT_EQ(bad.status().message().rfind(
                "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these "
                "values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/A/Type",
                0),
            0u);
}

TEST(TestState, VariablesAreReadAndReported) {
  Json out = ok(request(R"({"Type":"Pass","Parameters":{"v.$":"$x"},"Assign":{"y":2},"End":true})",
                        J(R"({"variables":"{\"x\":1}","inspectionLevel":"DEBUG"})")));
  EXPECT_EQ(out["output"], "{\"v\":1}");
  EXPECT_EQ(J(out["inspectionData"]["variables"].get<std::string>()), J(R"({"x":1,"y":2})"));
}

TEST(TestState, BadInputIsRejected) {
  expect_error(request(R"({"Type":"Pass","End":true})", J(R"({"input":"{"})")), ErrorCode::kInvalidExecutionInput,
               run(request(R"({"Type":"Pass","End":true})", J(R"({"input":"{"})"))).status().message());
  EXPECT_FALSE(run(request("not json")).ok());
  EXPECT_EQ(run(request("not json")).status().code(), ErrorCode::kInvalidDefinition);
}

}  // namespace
}  // namespace stepfiber

namespace stepfiber {
namespace {

TEST(TestState, JsonataTaskRunsArgumentsResultOutputAndAssign) {
  Json out = ok(request(
      R"({"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"Payload":"{% $states.input.k %}"},"Output":{"p":"{% $states.result.Payload %}"},"Assign":{"v":"{% $states.result.Payload %}"},"End":true})",
      J(R"({"input":"{\"k\":3}","inspectionLevel":"DEBUG","mock":{"result":"{\"Payload\":9}"}})")));
  EXPECT_EQ(out["status"], "SUCCEEDED");
  EXPECT_EQ(J(out["output"].get<std::string>()), J(R"({"p":9})"));
  EXPECT_EQ(J(out["inspectionData"]["afterArguments"].get<std::string>()), J(R"({"Payload":3})"));
  EXPECT_EQ(J(out["inspectionData"]["result"].get<std::string>()), J(R"({"Payload":9})"));
  EXPECT_EQ(J(out["inspectionData"]["variables"].get<std::string>()), J(R"({"v":9})"));
  EXPECT_FALSE(out["inspectionData"].contains("afterInputPath"));
}

TEST(TestState, JsonataCatcherOutputAndEvaluationErrors) {
  const char* def =
      R"({"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL"],"Output":"{% $states.errorOutput.Cause %}","Next":"H"}],"End":true})";
  Json out = ok(request(def, J(R"({"mock":{"errorOutput":{"error":"E","cause":"why"}}})")));
  EXPECT_EQ(out["status"], "CAUGHT_ERROR");
  EXPECT_EQ(out["output"], "\"why\"");
  out = ok(request(R"({"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $nope() %}","End":true})"));
  EXPECT_EQ(out["status"], "FAILED");
  EXPECT_EQ(out["error"], "States.QueryEvaluationError");
  out = ok(request(
      R"({"Type":"Map","QueryLanguage":"JSONata","Items":"{% $states.input.xs %}","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true})",
      J(R"({"input":"{\"xs\":1}","mock":{"result":"[]"}})")));
  EXPECT_EQ(out["error"], "States.QueryEvaluationError");
  // The checks AWS makes before running still answer as AWS does.
  auto m = run(request(
      R"({"Type":"Map","QueryLanguage":"JSONata","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true})"));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kInvalidDefinition);
}

TEST(TestState, MockResultIsCheckedAgainstTheIntegrationShape) {
  const char* def = R"({"Type":"Task","Resource":"arn:aws:states:::states:startExecution","End":true})";
  expect_error(request(def, J(R"({"mock":{"result":"{\"ExecutionArn\":\"a\",\"StartDate\":1}"}})")),
               ErrorCode::kValidationException, "Mock result schema validation error: Field 'StartDate' must be a string");
  expect_error(request(def, J(R"({"mock":{"result":"{\"ExecutionArn\":\"a\"}"}})")), ErrorCode::kValidationException,
               "Mock result schema validation error: Required field 'StartDate' is missing");
  EXPECT_EQ(ok(request(def, J(R"({"mock":{"result":"{}","fieldValidationMode":"PRESENT"}})")))["status"], "SUCCEEDED");
  EXPECT_EQ(ok(request(def, J(R"({"mock":{"result":"{\"StartDate\":true}","fieldValidationMode":"NONE"}})")))["status"],
            "SUCCEEDED");
}

}  // namespace
}  // namespace stepfiber
