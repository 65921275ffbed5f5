// Tests for ValueExpr: paths, context paths, variable references and
// intrinsic calls as one compiled value (payload `.$` values, Fail ErrorPath/CausePath).
#include "intrinsics/value_expr.h"

#include <string>

#include <gtest/gtest.h>

#include "stepfiber/json.h"
#include "test_json.h"

namespace stepfiber::path {
namespace {

ValueExpr E(std::string_view text, std::string_view field = "v.$",
            ValueExpr::PathRule rule = ValueExpr::PathRule::kJsonPath) {
  auto r = compile_value_expr(text, field, rule);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? std::move(r).value() : ValueExpr();
}

void expect_compile_error(std::string_view text, std::string_view fragment,
                          ValueExpr::PathRule rule = ValueExpr::PathRule::kJsonPath) {
  auto r = compile_value_expr(text, "v.$", rule);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidDefinition);
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << text << ": " << r.status().message();
}

TEST(ValueExpr, ClassifiesTheFourForms) {
  EXPECT_EQ(E("$").kind(), ValueExpr::Kind::kPath);
  EXPECT_EQ(E("$.a[0]").kind(), ValueExpr::Kind::kPath);
  EXPECT_EQ(E("$['a']").kind(), ValueExpr::Kind::kPath);
  EXPECT_EQ(E("$$").kind(), ValueExpr::Kind::kContextPath);
  EXPECT_EQ(E("$$.Execution.Id").kind(), ValueExpr::Kind::kContextPath);
  EXPECT_EQ(E("$myVar").kind(), ValueExpr::Kind::kVariable);
  EXPECT_EQ(E("$_v.x[1]").kind(), ValueExpr::Kind::kVariable);
  EXPECT_EQ(E("$_v.x[1]").variable(), "_v");
  EXPECT_EQ(E("States.UUID()").kind(), ValueExpr::Kind::kIntrinsic);
  EXPECT_TRUE(is_variable_reference("$a"));
  EXPECT_FALSE(is_variable_reference("$.a"));
  EXPECT_FALSE(is_variable_reference("$$.a"));
  EXPECT_FALSE(is_variable_reference("$1"));
  EXPECT_TRUE(is_intrinsic_call("States.Format('x')"));
  EXPECT_FALSE(is_intrinsic_call("$.States"));
}

TEST(ValueExpr, ReportsWhatItReads) {
  EXPECT_FALSE(E("$.a").uses_context());
  EXPECT_TRUE(E("$$.a").uses_context());
  EXPECT_TRUE(E("States.Array($$.Execution.Name)").uses_context());
  EXPECT_FALSE(E("States.Array($.x)").uses_context());
  EXPECT_TRUE(E("$v").uses_variables());
  EXPECT_TRUE(E("States.Array($v)").uses_variables());
  EXPECT_FALSE(E("$.v").uses_variables());
  EXPECT_EQ(E("$.a", "ErrorPath").field(), "ErrorPath");
  EXPECT_EQ(E("$.a").text(), "$.a");
}

TEST(ValueExpr, NamesTheContextPartsItReads) {
  EXPECT_EQ(E("$.a").context_parts(), 0);
  EXPECT_EQ(E("$$.Task.Token").context_parts(), kContextTask);
  EXPECT_EQ(E("$$.Execution.Input.x").context_parts(), kContextExecution);
  EXPECT_EQ(E("$$.State").context_parts(), kContextState);
  EXPECT_EQ(E("$$.StateMachine['Name']").context_parts(), kContextStateMachine);
  EXPECT_EQ(E("$$.Map.Item.Value").context_parts(), kContextMap);
  // Anything but a plain first name reads the whole object.
  EXPECT_EQ(E("$$").context_parts(), kContextAll);
  EXPECT_EQ(E("$$.*").context_parts(), kContextAll);
  EXPECT_EQ(E("$$..Name").context_parts(), kContextAll);
  EXPECT_EQ(E("$$['Task']").context_parts(), kContextAll);
  EXPECT_EQ(E("$$.Tasks").context_parts(), kContextAll);
  EXPECT_EQ(E("States.Array($$.Task.Token)").context_parts(), kContextAll);
}

TEST(ValueExpr, EvaluatesPathsAgainstInputAndContext) {
  const Json in = J(R"({"a":{"b":[1,2]}})");
  const Json ctx = J(R"({"Execution":{"Name":"ex"}})");
  EXPECT_EQ(*E("$.a.b[1]").evaluate(EvalScope{in, ctx}).value, J("2"));
  EXPECT_EQ(*E("$").evaluate(EvalScope{in, ctx}).value, in);
  EXPECT_EQ(*E("$$.Execution.Name").evaluate(EvalScope{in, ctx}).value, J(R"("ex")"));
  EXPECT_EQ(*E("$.a.b[*]").evaluate(EvalScope{in, ctx}).value, J("[1,2]"));
}

TEST(ValueExpr, EvaluatesVariables) {
  // Recorded: test_reference_assign[BASE_REFERENCE_IN_FAIL] reads "$errorVar" / "$causeVar".
  const Json vars = J(R"({"errorVar":"Exception","obj":{"list":[10,20]},"n":null})");
  const EvalScope scope{Json::object(), Json::object(), &vars};
  EXPECT_EQ(*E("$errorVar", "ErrorPath").evaluate(scope).value, J(R"("Exception")"));
  EXPECT_EQ(*E("$obj.list[1]").evaluate(scope).value, J("20"));
  EXPECT_EQ(*E("$obj['list']").evaluate(scope).value, J("[10,20]"));
  EXPECT_EQ(*E("$n").evaluate(scope).value, J("null"));
}

TEST(ValueExpr, UndefinedVariableIsStatesRuntime) {
  const Json vars = J(R"({"x":{"a":1}})");
  auto r = E("$missing.a", "v.$").evaluate(EvalScope{Json::object(), Json::object(), &vars});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err.error, "States.Runtime");
  EXPECT_EQ(*r.err.cause,
            "The variable reference '$missing.a' specified for the field 'v.$' could not be resolved: the variable "
            "'$missing' is not defined");
  auto no_vars = E("$x").evaluate(EvalScope{Json::object(), Json::object()});
  ASSERT_FALSE(no_vars.ok());
  EXPECT_EQ(no_vars.err.error, "States.Runtime");
  auto member = E("$x.b").evaluate(EvalScope{Json::object(), Json::object(), &vars});
  ASSERT_FALSE(member.ok());
  EXPECT_EQ(member.err.error, "States.Runtime");
  EXPECT_EQ(*member.err.cause,
            "The JSONPath '$x.b' specified for the field 'v.$' could not be found in the input '{\"a\":1}'");
}

TEST(ValueExpr, MissingPathUsesAwsCause) {
  // Same wording as the recorded Parameters / ErrorPath path misses (sfn-semantics 2.2, 2.3).
  auto r = E("$.ErrorX", "ErrorPath").evaluate(EvalScope{J(R"({"Error":"e"})"), Json::object()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err.error, "States.Runtime");
  EXPECT_EQ(*r.err.cause,
            "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input "
            "'{\"Error\":\"e\"}'");
}

TEST(ValueExpr, EvaluatesIntrinsics) {
  // Fail CausePath may be an intrinsic (sfn-semantics 2.2).
  auto r = E("States.Format('cause: {}', $.cause)", "CausePath", ValueExpr::PathRule::kReferencePath)
               .evaluate(EvalScope{J(R"({"cause":"boom"})"), Json::object()});
  ASSERT_TRUE(r.ok()) << r.err.cause.value_or("");
  EXPECT_EQ(*r.value, J(R"("cause: boom")"));
  auto bad = E("States.ArrayGetItem($.a, 3)").evaluate(EvalScope{J(R"({"a":[]})"), Json::object()});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err.error, "States.IntrinsicFailure");
}

TEST(ValueExpr, ReferencePathRule) {
  E("$.a.b[0]", "ErrorPath", ValueExpr::PathRule::kReferencePath);
  E("$$.Execution.Name", "ErrorPath", ValueExpr::PathRule::kReferencePath);
  E("$errorVar", "ErrorPath", ValueExpr::PathRule::kReferencePath);
  expect_compile_error("$.a[*]", "not a valid Reference Path", ValueExpr::PathRule::kReferencePath);
  expect_compile_error("$.a..b", "not a valid Reference Path", ValueExpr::PathRule::kReferencePath);
  expect_compile_error("$v[0:2]", "not a valid Reference Path", ValueExpr::PathRule::kReferencePath);
  // The same texts are fine as JSONPaths.
  E("$.a[*]");
  E("$v[0:2]");
}

TEST(ValueExpr, RejectsInvalidText) {
  expect_compile_error("", "neither a path");
  expect_compile_error("a.b", "neither a path");
  expect_compile_error("$.a[", "unterminated");
  expect_compile_error("$x-y", "invalid variable reference '$x-y'");
  expect_compile_error("$x.[", "invalid variable reference");
  expect_compile_error("States.Nope()", "unknown intrinsic function 'States.Nope'");
  expect_compile_error("States.MathAdd(1)", "States.MathAdd takes 2 arguments");
}

TEST(ValueExpr, DefaultConstructedFailsWithoutThrowing) {
  ValueExpr e;
  auto r = e.evaluate(EvalScope{Json::object(), Json::object()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err.error, "States.Runtime");
}

TEST(ValueExpr, CopiesEvaluateIndependently) {
  ValueExpr a = E("States.MathAdd($.n, 1)");
  ValueExpr b = a;
  ValueExpr c = std::move(a);
  const Json in = J(R"({"n":1})");
  EXPECT_EQ(*b.evaluate(EvalScope{in, Json::object()}).value, J("2"));
  EXPECT_EQ(*c.evaluate(EvalScope{in, Json::object()}).value, J("2"));
}

}  // namespace
}  // namespace stepfiber::path
