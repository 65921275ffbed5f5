// The static validator: AWS's codes, messages and locations
// (ValidateStateMachineDefinition / CreateStateMachine).
#include "asl/validator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stepfiber::asl {
namespace {

std::vector<Diagnostic> errors_of(const std::string& definition, const std::string& type = "STANDARD") {
  ValidateOptions o;
  o.type = type;
  return validate_definition(definition, o);
}

bool has(const std::vector<Diagnostic>& ds, const std::string& code, const std::string& message,
         const std::string& location) {
  for (const auto& d : ds) {
    if (d.code == code && d.message == message && d.location == location) return true;
  }
  return false;
}

std::string dump(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += d.code + ": " + d.message + " @ " + d.location + "\n";
  return out;
}

TEST(Validator, BlankAndNonObjectDefinitions) {
  auto ds = errors_of(" ");
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].code, "SCHEMA_VALIDATION_FAILED");
  EXPECT_EQ(ds[0].message, "Definition must be a valid JSON object");
  EXPECT_EQ(ds[0].location, "");
  EXPECT_TRUE(has(errors_of("[1]"), "SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object", ""));
}

TEST(Validator, NotJsonGivesJacksonStyleMessage) {
  auto ds = errors_of("not a definition");
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].code, "INVALID_JSON_DESCRIPTION");
  EXPECT_EQ(ds[0].location, "[Source: (String)\"not a definition\"; line: 1, column: 4]");
  EXPECT_EQ(ds[0].message,
            "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or "
            "'false')\n at [Source: (String)\"not a definition\"; line: 1, column: 4]");
}

TEST(Validator, RequiredTopLevelFields) {
  EXPECT_TRUE(has(errors_of("{}"), "SCHEMA_VALIDATION_FAILED", "These fields are required: [States, StartAt]", "/"));
  EXPECT_TRUE(has(errors_of(R"({"States":{"A":{"Type":"Pass","End":true}}})"), "SCHEMA_VALIDATION_FAILED",
                  "These fields are required: [StartAt]", "/"));
}

TEST(Validator, ValidJsonPathMachineHasNoDiagnostics) {
  const char* def = R"({"StartAt":"A","States":{
    "A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"x.$":"$.a","n":1},
         "Retry":[{"ErrorEquals":["States.TaskFailed"],"BackoffRate":1.5}],
         "Catch":[{"ErrorEquals":["States.ALL"],"Next":"F"}],"Next":"C"},
    "C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1,"Next":"W"}],"Default":"S"},
    "W":{"Type":"Wait","Timestamp":"2016-03-14T01:59:00Z","Next":"S"},
    "S":{"Type":"Succeed"},"F":{"Type":"Fail","Error":"E"}}})";
  EXPECT_TRUE(errors_of(def).empty()) << dump(errors_of(def));
}

TEST(Validator, UnknownTypeWithEndIsStillTerminal) {
  // AWS reports the type alone (recorded: TestState on a machine whose only state has
  // an unknown Type and End: true), not also "Workflow has no terminal state".
  for (const char* body : {R"({"Type":"TypeThatDoesNotExist","End":true})", R"({"End":true})"}) {
    auto ds = errors_of(std::string(R"({"StartAt":"A","States":{"A":)") + body + "}}");
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].code, "SCHEMA_VALIDATION_FAILED") << dump(ds);
  }
  auto loop = errors_of(R"({"StartAt":"A","States":{"A":{"Type":"Nope","Next":"A"}}})");
  EXPECT_TRUE(has(loop, "MISSING_END_STATE", "Workflow has no terminal state", "")) << dump(loop);
}

TEST(Validator, MissingTargetsUnreachableStatesAndTerminals) {
  auto ds = errors_of(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"NOPE"},"B":{"Type":"Pass","End":true}}})");
  EXPECT_TRUE(has(ds, "MISSING_TRANSITION_TARGET", "Missing 'Next' target: NOPE", "/States/A/Next")) << dump(ds);
  EXPECT_TRUE(has(ds, "MISSING_TRANSITION_TARGET", "State \"B\" is not reachable.", "/States/B")) << dump(ds);
  auto loop = errors_of(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}})");
  ASSERT_EQ(loop.size(), 1u) << dump(loop);
  EXPECT_EQ(loop[0].code, "MISSING_END_STATE");
  EXPECT_EQ(loop[0].message, "Workflow has no terminal state");
  auto choice = errors_of(
      R"({"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsNull":true,"Next":"X"}],"Default":"E"},"E":{"Type":"Succeed"}}})");
  EXPECT_TRUE(has(choice, "MISSING_TRANSITION_TARGET", "Missing 'Next' target: X", "/States/C/Choices[0]/Next"));
}

TEST(Validator, DuplicateStateNamesAcrossScopes) {
  auto ds = errors_of(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
    {"StartAt":"S","States":{"S":{"Type":"Succeed"}}}],"Next":"S"},"S":{"Type":"Succeed"}}})");
  bool found = false;
  for (const auto& d : ds) found = found || d.code == "DUPLICATE_STATE_NAME";
  EXPECT_TRUE(found) << dump(ds);
}

TEST(Validator, JsonataMachinesValidateStructurally) {
  const char* def = R"({"QueryLanguage":"JSONata","StartAt":"T","States":{
    "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"Payload":"{% $states.input %}"},
         "Output":"{% $states.result.Payload %}","TimeoutSeconds":"{% $t %}","Assign":{"v":"{% 1 + 2 %}"},"Next":"W"},
    "W":{"Type":"Wait","Seconds":"{% $v %}","Next":"C"},
    "C":{"Type":"Choice","Choices":[{"Condition":"{% $v > 1 %}","Next":"S"}],"Default":"S"},
    "S":{"Type":"Succeed"}}})";
  EXPECT_TRUE(errors_of(def).empty()) << dump(errors_of(def));
}

TEST(Validator, QueryLanguageFieldLegality) {
  auto down = errors_of(
      R"({"StartAt":"Pass","States":{"Pass":{"Type":"Pass","End":true,"QueryLanguage":"JSONPath"}},"QueryLanguage":"JSONata"})");
  ASSERT_EQ(down.size(), 1u) << dump(down);
  EXPECT_EQ(down[0].message, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine");
  EXPECT_EQ(down[0].location, "/States/Pass");
  auto path_in_jsonata = errors_of(
      R"({"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.a","End":true}}})");
  EXPECT_TRUE(has(path_in_jsonata, "SCHEMA_VALIDATION_FAILED", "Field 'InputPath' is not supported", "/States/P"));
  auto output_in_jsonpath =
      errors_of(R"({"StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% 1 %}","End":true}}})");
  EXPECT_TRUE(has(output_in_jsonpath, "SCHEMA_VALIDATION_FAILED", "Field 'Output' is not supported", "/States/P"));
  auto bad_expr = errors_of(
      R"({"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% 10 + * 2 %}","End":true}}})");
  EXPECT_FALSE(bad_expr.empty());
}

TEST(Validator, TimestampsPathsAndIntrinsics) {
  for (const char* ts : {"2016-13-05T21:29:29Z", "05-12-2016T21:29:29Z", "2016-12-05 21:29:29Z", "2016-12-05T21:29:29",
                         "{% '2016-03-14T01:59:00Z' %}"}) {
    const std::string def = std::string(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":")") + ts +
                            R"(","End":true}}})";
    EXPECT_TRUE(has(errors_of(def), "SCHEMA_VALIDATION_FAILED", "String does not match RFC3339 timestamp",
                    "/States/W/Timestamp"))
        << ts;
  }
  auto escape = errors_of(
      R"J({"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"parsed.$":"States.Format('He said, \\\"Hello\\\"', 'x')"},"End":true}}})J");
  EXPECT_TRUE(has(escape, "SCHEMA_VALIDATION_FAILED",
                  "The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic function call",
                  "/States/P/Parameters"))
      << dump(escape);
  auto variable = errors_of(
      R"({"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a[*]","IsNull":true,"Next":"S"}]},"S":{"Type":"Succeed"}}})");
  EXPECT_TRUE(has(variable, "SCHEMA_VALIDATION_FAILED", "The value for the field 'Variable' must be a valid ReferencePath",
                  "/States/C/Choices/0/Variable"));
}

TEST(Validator, RetryBoundsAndCredentials) {
  auto ds = errors_of(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
    "Retry":[{"ErrorEquals":["States.ALL"],"BackoffRate":0.5,"MaxDelaySeconds":-1,"JitterStrategy":"SOME"}],
    "Credentials":{"InvalidField":"x"},"End":true}}})");
  EXPECT_TRUE(has(ds, "SCHEMA_VALIDATION_FAILED",
                  "The value for the field 'BackoffRate' must be a number greater than or equal to 1.0",
                  "/States/T/Retry/0/BackoffRate"));
  EXPECT_TRUE(has(ds, "SCHEMA_VALIDATION_FAILED", "The field 'RoleArn' is required but was missing",
                  "/States/T/Credentials"));
  EXPECT_GE(ds.size(), 4u) << dump(ds);
}

TEST(Validator, ResourcesAndExpressRestrictions) {
  auto unknown = errors_of(
      R"({"StartAt":"Q","States":{"Q":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:query","End":true}}})");
  EXPECT_TRUE(has(unknown, "SCHEMA_VALIDATION_FAILED",
                  "The resource provided arn:aws:states:::dynamodb:query is not recognized. The value is not a valid "
                  "resource ARN, or the resource is not available in this region.",
                  "/States/Q/Resource"));
  const char* wftt =
      R"({"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}})";
  EXPECT_TRUE(errors_of(wftt).empty());
  EXPECT_TRUE(has(errors_of(wftt, "EXPRESS"), "SCHEMA_VALIDATION_FAILED",
                  "Express state machine does not support '.waitForTaskToken' service integration ",
                  "/States/S/Resource"));
  const char* activity =
      R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:a","End":true}}})";
  EXPECT_TRUE(has(errors_of(activity, "EXPRESS"), "SCHEMA_VALIDATION_FAILED",
                  "Express state machine does not support Activity ARN", "/States/A/Resource"));
}

TEST(Validator, MapLabels) {
  auto with_label = [](const std::string& label) {
    return errors_of(R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"Label":")" +
                     label + R"(","End":true}}})");
  };
  EXPECT_TRUE(with_label("good_label-1").empty());
  EXPECT_FALSE(with_label("").empty());
  EXPECT_FALSE(with_label("label_;").empty());
  EXPECT_FALSE(with_label("label_ ").empty());
  EXPECT_FALSE(with_label("12345678901234567890123456789012345678901").empty());
}

TEST(Validator, ReportSeverityMaxResultsAndTruncation) {
  const char* def = R"({"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x":"$.a"},"End":true}}})";
  auto errors_only = validation_report(def, "STANDARD", "ERROR", 0);
  EXPECT_EQ(errors_only.result, "OK");
  EXPECT_TRUE(errors_only.diagnostics.empty());
  auto with_warnings = validation_report(def, "STANDARD", "WARNING", 0);
  EXPECT_EQ(with_warnings.result, "OK");
  ASSERT_EQ(with_warnings.diagnostics.size(), 1u);
  EXPECT_EQ(with_warnings.diagnostics[0].code, "NO_DOLLAR");
  EXPECT_EQ(with_warnings.diagnostics[0].severity, "WARNING");
  const char* many =
      R"({"StartAt":"A","States":{"A":{"Type":"Pass","X1":1,"X2":2,"X3":3,"End":true}}})";
  auto cut = validation_report(many, "STANDARD", "ERROR", 2);
  EXPECT_EQ(cut.result, "FAIL");
  EXPECT_EQ(cut.diagnostics.size(), 2u);
  EXPECT_TRUE(cut.truncated);
  EXPECT_FALSE(validation_report(many, "STANDARD", "ERROR", 0).truncated);
}

TEST(Validator, InvalidDefinitionMessageFormat) {
  std::vector<Diagnostic> ds{{"SCHEMA_VALIDATION_FAILED", "These fields are required: [States]", "/"},
                             {"MISSING_END_STATE", "Workflow has no terminal state", ""}};
  EXPECT_EQ(invalid_definition_message(ds),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /, "
            "MISSING_END_STATE: Workflow has no terminal state at null'");
}

TEST(Validator, CompileRunsTheValidatorFirst) {
  auto r = compile_program(R"({"Comment":"x","StartAt":"State_1"})");
  EXPECT_EQ(r.program, nullptr);
  EXPECT_EQ(invalid_definition_message(r.diagnostics),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'");
  // AWS accepts JSONata, and so does the engine (asl/jsonata_fields.h).
  auto j = compile_program(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})");
  ASSERT_TRUE(j.diagnostics.empty()) << invalid_definition_message(j.diagnostics);
  ASSERT_NE(j.program, nullptr);
  EXPECT_NE(j.program->root.states[0].jsonata, nullptr);
}

}  // namespace
}  // namespace stepfiber::asl
