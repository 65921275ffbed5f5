#include "asl/compiler.h"

#include <string>

#include <gtest/gtest.h>

namespace stepfiber::asl {
namespace {

bool has(const CompileResult& r, const std::string& code, const std::string& location) {
  for (const auto& d : r.diagnostics)
    if (d.code == code && d.location == location) return true;
  return false;
}

TEST(Compiler, CompilesCallbackMachine) {
  auto r = compile_program(R"({"StartAt":"T","States":{"T":{"Type":"Task",
    "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":5,"TimeoutSeconds":60,
    "Parameters":{"Token.$":"$$.Task.Token"},"Next":"D"},"D":{"Type":"Succeed"}}})");
  ASSERT_TRUE(r.diagnostics.empty()) << invalid_definition_message(r.diagnostics);
  const auto& st = r.program->root.states[r.program->root.start];
  EXPECT_EQ(st.name, "T");
  const auto& t = std::get<TaskSpec>(st.spec);
  EXPECT_TRUE(t.wait_for_task_token);
  EXPECT_EQ(t.resource_type, "sqs");
  EXPECT_EQ(t.resource_name, "sendMessage.waitForTaskToken");
  EXPECT_EQ(*t.heartbeat_seconds, 5);
}

TEST(Compiler, ClassifiesResources) {
  auto r = compile_program(R"({"StartAt":"A","States":{
    "A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:111111111111:function:f","Next":"B"},
    "B":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sfn:sendTaskSuccess","End":true}}})");
  ASSERT_TRUE(r.diagnostics.empty()) << invalid_definition_message(r.diagnostics);
  const auto& states = r.program->root.states;
  EXPECT_EQ(std::get<TaskSpec>(states[0].spec).kind, ResourceKind::kLambdaFunction);
  EXPECT_EQ(std::get<TaskSpec>(states[1].spec).resource_type, "aws-sdk:sfn");
  EXPECT_EQ(std::get<TaskSpec>(states[1].spec).resource_name, "sendTaskSuccess");
}

TEST(Compiler, ReportsInvalidJson) {
  auto r = compile_program("{not json");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
  EXPECT_EQ(r.program, nullptr);
}

TEST(Compiler, ReportsMissingTopLevelFields) {
  auto r = compile_program("{}");
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_EQ(invalid_definition_message(r.diagnostics),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States, StartAt] at /'");  // AWS's order
}

TEST(Compiler, ReportsMissingTransitionTarget) {
  auto r = compile_program(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}})");
  EXPECT_TRUE(has(r, "MISSING_TRANSITION_TARGET", "/States/A/Next"));
}

TEST(Compiler, ReportsBadStartAt) {
  auto r = compile_program(R"({"StartAt":"X","States":{"A":{"Type":"Pass","End":true}}})");
  EXPECT_TRUE(has(r, "MISSING_TRANSITION_TARGET", "/StartAt"));
}

TEST(Compiler, ReportsUnknownTypeAndFields) {
  auto r = compile_program(R"({"StartAt":"A","States":{"A":{"Type":"Nope","End":true}}})");
  EXPECT_TRUE(has(r, "SCHEMA_VALIDATION_FAILED", "/States/A/Type"));
  auto r2 = compile_program(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Bogus":1}}})");
  EXPECT_TRUE(has(r2, "SCHEMA_VALIDATION_FAILED", "/States/A"));  // AWS: "Field 'Bogus' is not supported" at the state
}

TEST(Compiler, ReportsNextAndEndTogetherAndNeither) {
  auto both = compile_program(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Next":"A"}}})");
  EXPECT_FALSE(both.diagnostics.empty());
  auto neither = compile_program(R"({"StartAt":"A","States":{"A":{"Type":"Pass"},"B":{"Type":"Succeed"}}})");
  EXPECT_TRUE(has(neither, "SCHEMA_VALIDATION_FAILED", "/States/A"));
}

TEST(Compiler, ReportsBadTimestampAndRetryBounds) {
  auto r = compile_program(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"2016-13-05T21:29:29Z","End":true}}})");
  EXPECT_TRUE(has(r, "SCHEMA_VALIDATION_FAILED", "/States/W/Timestamp"));
  auto r2 = compile_program(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::x:y",
    "Retry":[{"ErrorEquals":["States.ALL"],"BackoffRate":0.5}],"End":true}}})");
  EXPECT_TRUE(has(r2, "SCHEMA_VALIDATION_FAILED", "/States/T/Retry/0/BackoffRate"));
}

TEST(Compiler, ReportsHeartbeatNotBelowTimeout) {
  auto r = compile_program(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::x:y",
    "TimeoutSeconds":5,"HeartbeatSeconds":5,"End":true}}})");
  EXPECT_TRUE(has(r, "SCHEMA_VALIDATION_FAILED", "/States/T/HeartbeatSeconds"));
}

}  // namespace
}  // namespace stepfiber::asl
