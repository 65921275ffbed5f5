// Tests for PayloadTemplate (Parameters / ResultSelector / ItemSelector templates).
#include "payload/payload_template.h"

#include <string>

#include <gtest/gtest.h>

#include "stepfiber/json.h"
#include "test_json.h"

namespace stepfiber::path {
namespace {

PayloadTemplate T(std::string_view text, std::string_view field = "Parameters") {
  auto r = PayloadTemplate::compile(J(text), field);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : PayloadTemplate();
}

Json eval_ok(const PayloadTemplate& t, const Json& input, const Json& context = Json::object()) {
  auto r = t.evaluate(EvalScope{input, context});
  EXPECT_TRUE(r.ok()) << r.err.error << ": " << r.err.cause.value_or("");
  return r.ok() ? *r.value : Json();
}

void expect_compile_error(std::string_view tmpl, std::string_view fragment, std::string_view field = "Parameters") {
  auto r = PayloadTemplate::compile(J(tmpl), field);
  ASSERT_FALSE(r.ok()) << tmpl;
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidDefinition);
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
}

TEST(PayloadTemplate, CopiesLiteralsUnchanged) {
  auto t = T(R"({"flagged":true,"n":1.5,"s":"$.not_a_path","nested":{"a":[1,{"b":null}]}})");
  EXPECT_EQ(eval_ok(t, J("{}")), J(R"({"flagged":true,"n":1.5,"s":"$.not_a_path","nested":{"a":[1,{"b":null}]}})"));
  EXPECT_FALSE(t.uses_context());
}

TEST(PayloadTemplate, RenamesDollarKeysAndSelectsFromInput) {
  // ASL spec Parameters example.
  auto t = T(R"({"flagged":true,"parts":{"first.$":"$.vals[0]","last3.$":"$.vals[3:]"}})");
  EXPECT_EQ(eval_ok(t, J(R"({"flagged":7,"vals":[0,10,20,30,40,50]})")),
            J(R"({"flagged":true,"parts":{"first":0,"last3":[30,40,50]}})"));
}

TEST(PayloadTemplate, KeepsTemplateKeyOrder) {
  auto t = T(R"({"z":1,"b.$":"$.b","a":2})");
  EXPECT_EQ(eval_ok(t, J(R"({"b":"x"})")).dump(), R"({"z":1,"b":"x","a":2})");
}

TEST(PayloadTemplate, ProcessesObjectsInsideArrays) {
  auto t = T(R"({"list":[{"v.$":"$.a"},[{"w.$":"$.b"}],"lit"]})");
  EXPECT_EQ(eval_ok(t, J(R"({"a":1,"b":2})")), J(R"({"list":[{"v":1},[{"w":2}],"lit"]})"));
}

TEST(PayloadTemplate, WholeInputAndContextRoots) {
  auto t = T(R"({"all.$":"$","ctx.$":"$$","name.$":"$$.Execution.Name"})");
  EXPECT_TRUE(t.uses_context());
  const Json ctx = J(R"({"Execution":{"Name":"exec0001"}})");
  EXPECT_EQ(eval_ok(t, J(R"({"k":1})"), ctx),
            J(R"({"all":{"k":1},"ctx":{"Execution":{"Name":"exec0001"}},"name":"exec0001"})"));
}

TEST(PayloadTemplate, ContextMapItemPaths) {
  auto t = T(R"({"index.$":"$$.Map.Item.Index","value.$":"$$.Map.Item.Value"})", "ItemSelector");
  EXPECT_EQ(eval_ok(t, J("{}"), J(R"({"Map":{"Item":{"Index":2,"Value":{"x":1}}}})")),
            J(R"({"index":2,"value":{"x":1}})"));
}

TEST(PayloadTemplate, IndefinitePathWithNoMatchYieldsEmptyArray) {
  // Recorded AWS case test_json_path_array_wildcard_or_slice_with_no_input[$.items[*].itemValue].
  auto t = T(R"({"item.$":"$.items[*].itemValue"})");
  EXPECT_EQ(eval_ok(t, J("{}")), J(R"({"item":[]})"));
}

TEST(PayloadTemplate, NullSelectedValueIsKept) {
  auto t = T(R"({"v.$":"$.a"})");
  EXPECT_EQ(eval_ok(t, J(R"({"a":null})")), J(R"({"v":null})"));
}

TEST(PayloadTemplate, MissingDefinitePathRaisesStatesRuntimeWithAwsCause) {
  // Recorded AWS case INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH (input placeholder
  // <json-input:1>); real AWS prints the input compactly, e.g. '{"flagged":false}'.
  auto t = T(R"({"value.$":"$.no_such_jsonpath"})");
  auto r = t.evaluate(EvalScope{J(R"({"int-literal": 0})"), Json::object()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err.error, "States.Runtime");
  EXPECT_EQ(r.err.cause.value_or(""),
            "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input "
            "'{\"int-literal\":0}'");
}

TEST(PayloadTemplate, MissingContextPathQuotesTheContextObject) {
  // Recorded AWS case INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH.
  auto t = T(R"({"value.$":"$$.Execution.Input.no_such_jsonpath"})");
  const Json ctx = J(R"({"Execution":{"Input":{"int-literal":0}}})");
  auto r = t.evaluate(EvalScope{J(R"({"int-literal":0})"), ctx});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err.error, "States.Runtime");
  EXPECT_EQ(r.err.cause.value_or(""),
            "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be "
            "found in the input '{\"Execution\":{\"Input\":{\"int-literal\":0}}}'");
}

TEST(PayloadTemplate, NestedMissingPathNamesTheInnerKey) {
  auto t = T(R"({"outer":[{"inner.$":"$.a.b"}]})");
  auto r = t.evaluate(EvalScope{J(R"({"a":{}})"), Json::object()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err.cause->find("for the field 'inner.$'"), std::string::npos) << *r.err.cause;
}

TEST(PayloadTemplate, NonObjectTemplates) {
  EXPECT_EQ(eval_ok(T(R"("text")"), J("{}")), J(R"("text")"));
  EXPECT_EQ(eval_ok(T(R"([{"a.$":"$.x"},2])"), J(R"({"x":1})")), J(R"([{"a":1},2])"));
  EXPECT_EQ(eval_ok(T("{}"), J(R"({"x":1})")), J("{}"));
}

TEST(PayloadTemplate, DefaultConstructedEvaluatesToEmptyObject) {
  PayloadTemplate t;
  EXPECT_EQ(eval_ok(t, J("{}")), J("{}"));
}

TEST(PayloadTemplate, DollarKeyOnlyIsRenamedToEmpty) {
  EXPECT_EQ(eval_ok(T(R"({".$":"$.x"})"), J(R"({"x":1})")), J(R"({"":1})"));
}

TEST(PayloadTemplate, RejectsNonStringDollarValue) {
  expect_compile_error(R"({"a.$":1})", "The value for the field 'a.$' must be a STRING");
  expect_compile_error(R"({"a.$":1})", "INTEGER");
  expect_compile_error(R"({"x":{"a.$":{"b":1}}})", "OBJECT at Parameters/x");
  expect_compile_error(R"({"a.$":null})", "NULL", "ResultSelector");
  expect_compile_error(R"({"a.$":null})", "at ResultSelector", "ResultSelector");
}

TEST(PayloadTemplate, RejectsDuplicateKeysAfterRenaming) {
  expect_compile_error(R"({"a":1,"a.$":"$.x"})", "the field 'a' appears more than once");
  expect_compile_error(R"({"n":{"a.$":"$.x","a":2}})", "at Parameters/n");
}

TEST(PayloadTemplate, RejectsUnparsablePath) {
  // AWS (test_illegal_escapes): "The value for the field 'parsed.$' must be a valid JSONPath or a valid
  // intrinsic function call at /States/IntrinsicEscape/Parameters".
  expect_compile_error(R"({"a.$":"$.a["})", "The value for the field 'a.$' must be a valid JSONPath");
  expect_compile_error(R"({"a.$":"$.a["})", "unterminated");
  expect_compile_error(R"({"a.$":"not a path"})", "must be a valid JSONPath");
  expect_compile_error(R"({"a.$":""})", "must be a valid JSONPath");
  expect_compile_error(R"({"a.$":"$$.bad..."})", "must be a valid JSONPath");
  expect_compile_error(R"({"a.$":"$$x"})", "must be a valid JSONPath");
}

TEST(PayloadTemplate, EvaluatesIntrinsicFunctions) {
  // Recorded AWS case test_format_1#2 (Pass Parameters with an intrinsic).
  auto t = T(R"j({"FunctionResult.$":"States.Format('Formatting argument {}.', $.FunctionInput)"})j");
  EXPECT_FALSE(t.uses_context());
  EXPECT_EQ(eval_ok(t, J(R"({"FunctionInput":"HelloWorld"})")),
            J(R"({"FunctionResult":"Formatting argument HelloWorld."})"));
  auto nested = T(R"j({"l":[{"u.$":"States.ArrayLength(States.Array($$.a, 1))"}]})j");
  EXPECT_TRUE(nested.uses_context());
  EXPECT_EQ(eval_ok(nested, J("{}"), J(R"({"a":0})")), J(R"({"l":[{"u":2}]})"));
}

TEST(PayloadTemplate, IntrinsicFailureIsData) {
  auto t = T(R"j({"v.$":"States.ArrayGetItem($.a, 3)"})j");
  auto r = t.evaluate(EvalScope{J(R"({"a":[1]})"), Json::object()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err.error, "States.IntrinsicFailure");
  auto miss = T(R"j({"v.$":"States.Array($.nope)"})j").evaluate(EvalScope{J("{}"), Json::object()});
  ASSERT_FALSE(miss.ok());
  EXPECT_EQ(miss.err.error, "States.Runtime");
  EXPECT_NE(miss.err.cause->find("specified for the field 'v.$'"), std::string::npos) << *miss.err.cause;
}

TEST(PayloadTemplate, RejectsInvalidIntrinsics) {
  // AWS (test_illegal_escapes): "The value for the field 'parsed.$' must be a valid JSONPath or a valid
  // intrinsic function call at /States/IntrinsicEscape/Parameters".
  expect_compile_error(R"j({"parsed.$":"States.Format('He said, \\\"Hello, {}!\\\"', 'x')"})j",
                       "The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic function call at Parameters");
  expect_compile_error(R"j({"l":[{"u.$":"States.UUID(1)"}]})j", "field 'u.$'");
  expect_compile_error(R"j({"l":[{"u.$":"States.UUID(1)"}]})j", "States.UUID takes 0 arguments");
  expect_compile_error(R"j({"u.$":"States.Nope()"})j", "unknown intrinsic function");
}

TEST(PayloadTemplate, EvaluatesVariableReferences) {
  auto t = T(R"({"a.$":"$myVar","b.$":"$_v.x[1]","c":"$literal"})");
  const Json vars = J(R"({"myVar":{"k":1},"_v":{"x":[0,"second"]}})");
  auto r = t.evaluate(EvalScope{J("{}"), Json::object(), &vars});
  ASSERT_TRUE(r.ok()) << r.err.cause.value_or("");
  EXPECT_EQ(*r.value, J(R"({"a":{"k":1},"b":"second","c":"$literal"})"));
}

TEST(PayloadTemplate, UndefinedVariableIsStatesRuntime) {
  auto r = T(R"({"a.$":"$nope"})").evaluate(EvalScope{J("{}"), Json::object()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err.error, "States.Runtime");
  EXPECT_NE(r.err.cause->find("'$nope' is not defined"), std::string::npos) << *r.err.cause;
  expect_compile_error(R"({"a.$":"$my-var"})", "invalid variable reference");
}

TEST(PayloadTemplate, MoveKeepsCompiledTemplate) {
  PayloadTemplate a = T(R"({"v.$":"$$.x"})");
  PayloadTemplate b(std::move(a));
  PayloadTemplate c;
  c = std::move(b);
  EXPECT_TRUE(c.uses_context());
  EXPECT_EQ(eval_ok(c, J("{}"), J(R"({"x":5})")), J(R"({"v":5})"));
}

}  // namespace
}  // namespace stepfiber::path
