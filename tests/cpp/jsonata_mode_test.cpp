// QueryLanguage JSONata at create: inheritance, field rules, expressions
// compiled once, and evaluation of a field with $states and variables.
#include <string>

#include <gtest/gtest.h>

#include "asl/compiler.h"
#include "asl/jsonata_fields.h"

namespace stepfiber::asl {
namespace {

bool has_message(const CompileResult& r, const std::string& text, const std::string& location = "") {
  for (const auto& d : r.diagnostics)
    if (d.message.find(text) != std::string::npos && (location.empty() || d.location == location)) return true;
  return false;
}

TEST(JsonataMode, TopLevelLanguageIsInheritedByNestedStates) {
  auto r = compile_program(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{
    "M":{"Type":"Map","Items":"{% $states.input.xs %}","ItemSelector":{"v":"{% $states.context.Map.Item.Value %}"},
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.v %}","End":true}}},
      "Output":"{% $states.result %}","End":true}}})");
  ASSERT_TRUE(r.diagnostics.empty()) << invalid_definition_message(r.diagnostics);
  const State& m = r.program->root.states[0];
  ASSERT_TRUE(m.jsonata);
  ASSERT_TRUE(m.jsonata->items);
  EXPECT_EQ(m.jsonata->items->kind, JsonataValue::Kind::kExpr);
  EXPECT_EQ(m.jsonata->items->text, "$states.input.xs");
  ASSERT_TRUE(m.jsonata->item_selector);
  EXPECT_EQ(m.jsonata->item_selector->kind, JsonataValue::Kind::kObject);
  const State& p = std::get<MapSpec>(m.spec).processor[0].states[0];
  ASSERT_TRUE(p.jsonata);
  EXPECT_TRUE(p.jsonata->output);
}

TEST(JsonataMode, PerStateLanguageInAJsonPathMachine) {
  auto r = compile_program(R"({"StartAt":"C","States":{
    "C":{"Type":"Choice","QueryLanguage":"JSONata","Choices":[{"Condition":"{% $states.input.x > 1 %}","Next":"A"}],
         "Default":"B"},
    "A":{"Type":"Pass","End":true},"B":{"Type":"Pass","End":true}}})");
  ASSERT_TRUE(r.diagnostics.empty()) << invalid_definition_message(r.diagnostics);
  const auto& states = r.program->root.states;
  ASSERT_TRUE(states[0].jsonata);
  ASSERT_EQ(states[0].jsonata->choices.size(), 1u);
  EXPECT_EQ(std::get<ChoiceSpec>(states[0].spec).choices.size(), 1u);
  EXPECT_FALSE(states[1].jsonata);
}

TEST(JsonataMode, JsonPathStateInJsonataMachineIsRejected) {
  auto r = compile_program(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{
    "P":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}})");
  EXPECT_FALSE(r.program);
  EXPECT_TRUE(has_message(r, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"));
}

TEST(JsonataMode, JsonPathFieldsAreRejectedInJsonataStates) {
  for (const char* field : {"Parameters", "InputPath", "ResultPath", "OutputPath", "ResultSelector"}) {
    const std::string def = std::string(R"({"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:lambda:us-east-1:111111111111:function:f",")") + field + R"(":"$","End":true}}})";
    auto r = compile_program(def);
    EXPECT_FALSE(r.program) << field;
  }
}

TEST(JsonataMode, ExpressionThatDoesNotParseIsRejectedWithItsLocation) {
  auto r = compile_program(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{
    "P":{"Type":"Pass","Output":{"a":["x","{% 1 + %}"]},"End":true}}})");
  EXPECT_FALSE(r.program);
  bool located = false;
  for (const auto& d : r.diagnostics) located = located || d.location.rfind("/States/P/Output", 0) == 0;
  EXPECT_TRUE(located) << invalid_definition_message(r.diagnostics);
}

TEST(JsonataMode, ExpressionFormsOfNumericFields) {
  auto r = compile_program(R"({"QueryLanguage":"JSONata","StartAt":"W","States":{
    "W":{"Type":"Wait","Seconds":"{% $states.input.s %}","Next":"T"},
    "T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
         "Arguments":{"MessageBody":"{% $states.context.Task.Token %}"},"TimeoutSeconds":"{% 30 %}","End":true}}})");
  ASSERT_TRUE(r.diagnostics.empty()) << invalid_definition_message(r.diagnostics);
  EXPECT_TRUE(r.program->root.states[0].jsonata->seconds);
  EXPECT_TRUE(r.program->root.states[1].jsonata->timeout_seconds);
  EXPECT_TRUE(r.program->root.states[1].jsonata->arguments);
}

TEST(JsonataMode, EvaluatesNestedFieldsWithStatesAndVariables) {
  std::vector<Diagnostic> diags;
  Json rest;
  auto st = compile_jsonata_state(
      Json::parse(R"({"Type":"Pass","Output":{"a":"{% $states.input.x + $v %}","b":["{% $states.result %}", 2],
                     "c":"not {% an expr %}"}})"),
      "/States/P", diags, rest);
  ASSERT_TRUE(diags.empty());
  EXPECT_FALSE(rest.contains("Output"));
  const Json input = Json::parse(R"({"x":1})");
  const Json result = "r";
  auto scope = make_jsonata_scope(input, &result, nullptr, Json::object(), Json::parse(R"({"v":41})"));
  auto out = evaluate_jsonata(*st->output, "Output", scope);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out.value, Json::parse(R"({"a":42,"b":["r",2],"c":"not {% an expr %}"})"));
}

TEST(JsonataMode, UndefinedResultNamesTheNestedField) {
  std::vector<Diagnostic> diags;
  Json rest;
  auto st = compile_jsonata_state(Json::parse(R"({"Type":"Pass","Output":{"result":"{% $doesNotExist %}"}})"),
                                  "/States/P", diags, rest);
  auto scope = make_jsonata_scope(Json::object(), nullptr, nullptr, Json::object(), Json::object());
  auto out = evaluate_jsonata(*st->output, "Output", scope);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.err.error, "States.QueryEvaluationError");
  EXPECT_EQ(*out.err.cause,
            "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing "
            "(undefined).");
}

TEST(JsonataMode, EvaluationErrorCarriesCodeAndMessage) {
  std::vector<Diagnostic> diags;
  Json rest;
  auto st = compile_jsonata_state(Json::parse(R"({"Type":"Pass","Output":"{% 'a' + 1 %}"})"), "/States/P", diags,
                                  rest);
  auto scope = make_jsonata_scope(Json::object(), nullptr, nullptr, Json::object(), Json::object());
  auto out = evaluate_jsonata(*st->output, "Output", scope);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.err.cause->find("threw an error during evaluation. T2001: "), std::string::npos) << *out.err.cause;
}

}  // namespace
}  // namespace stepfiber::asl
