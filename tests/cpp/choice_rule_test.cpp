// Tests for ChoiceRule (JSONPath-mode Choice rules): compilation, operators and errors.
#include "choice/choice_rule.h"

#include <string>

#include <gtest/gtest.h>

#include "stepfiber/json.h"
#include "test_json.h"

namespace stepfiber::choice {
namespace {

ChoiceRule C(std::string_view rule) {
  auto r = ChoiceRule::compile(J(rule), "/States/Check/Choices/0");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : ChoiceRule();
}

// Evaluates and expects no error.
bool matches(std::string_view rule, std::string_view input, std::string_view context = "{}") {
  const Json in = J(input);
  const Json ctx = J(context);
  auto r = C(rule).evaluate(path::EvalScope{in, ctx});
  EXPECT_TRUE(r.ok()) << rule << " on " << input << ": " << r.err.cause.value_or("");
  return r.ok() && *r.value;
}

asl::StateError eval_error(std::string_view rule, std::string_view input) {
  const Json in = J(input);
  const Json ctx = Json::object();
  auto r = C(rule).evaluate(path::EvalScope{in, ctx});
  EXPECT_FALSE(r.ok()) << rule << " on " << input;
  return r.err;
}

void expect_rejected(std::string_view rule, std::string_view fragment) {
  auto r = ChoiceRule::compile(J(rule), "/States/Check/Choices/3");
  ASSERT_FALSE(r.ok()) << rule;
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidDefinition);
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("/States/Check/Choices/3"), std::string::npos) << r.status().message();
}

// ------------------------------------------------------------------ strings

TEST(ChoiceRule, StringComparisons) {
  // Values from the recorded AWS cases (test_string_operators).
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","StringEquals":"Hello"})", R"({"Variable":"Hello"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","StringEquals":"\t\r\n"})", R"({"Variable":"\t\n"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","StringLessThan":"AB"})", R"({"Variable":"A"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","StringLessThan":""})", R"({"Variable":""})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","StringGreaterThan":"A "})", R"({"Variable":"A"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","StringGreaterThanEquals":"A"})", R"({"Variable":"AB"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","StringLessThanEquals":""})", R"({"Variable":""})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","StringLessThanEquals":"A"})", R"({"Variable":"AB"})"));
}

TEST(ChoiceRule, StringsCompareByCodePoint) {
  // U+FF5E < U+1F600 by code point (UTF-16 code units would order them the other way).
  EXPECT_TRUE(matches(R"({"Variable":"$.v","StringLessThan":"\ud83d\ude00"})", R"({"v":"\uff5e"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","StringGreaterThan":"z"})", R"({"v":"\u00e9"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","StringLessThan":"a"})", R"({"v":"Z"})"));
}

TEST(ChoiceRule, StringOperatorsAreFalseForNonStrings) {
  for (const char* v : {"null", "{}", "[]", "0", "1.1", "true", R"([""])"}) {
    const std::string input = std::string(R"({"Variable":)") + v + "}";
    EXPECT_FALSE(matches(R"({"Variable":"$.Variable","StringEquals":"HelloWorld"})", input)) << v;
    EXPECT_FALSE(matches(R"({"Variable":"$.Variable","StringLessThan":"zzz"})", input)) << v;
  }
}

TEST(ChoiceRule, StringPathVariants) {
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","StringEqualsPath":"$.Value"})", R"({"Variable":"Hello","Value":"Hello"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","StringEqualsPath":"$.Value"})", R"({"Variable":" ","Value":"     "})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","StringGreaterThanPath":"$.Value"})", R"({"Variable":"AB","Value":"ABC"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","StringLessThanPath":"$.Value"})", R"({"Variable":"A","Value":"AB"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","StringGreaterThanEqualsPath":"$.Value"})", R"({"Variable":"","Value":""})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","StringLessThanEqualsPath":"$.Value"})", R"({"Variable":"A","Value":"AB"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","StringEqualsPath":"$.Value"})", R"({"Variable":"1","Value":1})"));
}

// ------------------------------------------------------------------ numbers

TEST(ChoiceRule, NumericComparisons) {
  EXPECT_TRUE(matches(R"({"Variable":"$.v","NumericEquals":1})", R"({"v":1.0})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","NumericEquals":0})", R"({"v":-0.0})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","NumericLessThan":1.5})", R"({"v":1})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","NumericLessThan":1})", R"({"v":1})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","NumericGreaterThan":-2})", R"({"v":-1.5})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","NumericLessThanEquals":1})", R"({"v":1})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","NumericGreaterThanEquals":1e2})", R"({"v":100})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","NumericGreaterThanEquals":100.5})", R"({"v":100})"));
}

TEST(ChoiceRule, NumericComparesLargeIntegersExactly) {
  // Equal as doubles, different as integers.
  EXPECT_FALSE(matches(R"({"Variable":"$.v","NumericEquals":9007199254740993})", R"({"v":9007199254740992})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","NumericGreaterThan":9007199254740992})", R"({"v":9007199254740993})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","NumericGreaterThan":9223372036854775807})", R"({"v":18446744073709551615})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","NumericLessThan":18446744073709551615})", R"({"v":-1})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","NumericEquals":18446744073709551615})", R"({"v":18446744073709551615})"));
}

TEST(ChoiceRule, NumericOperatorsAreFalseForNonNumbers) {
  for (const char* v : {"null", R"("1")", "true", "[1]", R"({"a":1})"}) {
    const std::string input = std::string(R"({"v":)") + v + "}";
    EXPECT_FALSE(matches(R"({"Variable":"$.v","NumericEquals":1})", input)) << v;
    EXPECT_FALSE(matches(R"({"Variable":"$.v","NumericLessThan":100})", input)) << v;
  }
}

TEST(ChoiceRule, NumericPathVariants) {
  EXPECT_TRUE(matches(R"({"Variable":"$.a","NumericEqualsPath":"$.b"})", R"({"a":2,"b":2.0})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.a","NumericLessThanPath":"$.b"})", R"({"a":1,"b":2})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.a","NumericGreaterThanPath":"$.b"})", R"({"a":1,"b":2})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.a","NumericLessThanEqualsPath":"$.b"})", R"({"a":2,"b":2})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.a","NumericGreaterThanEqualsPath":"$.b"})", R"({"a":3,"b":2})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.a","NumericEqualsPath":"$.b"})", R"({"a":2,"b":"2"})"));
}

// ------------------------------------------------------------------ booleans

TEST(ChoiceRule, BooleanEquals) {
  EXPECT_TRUE(matches(R"({"Variable":"$.v","BooleanEquals":true})", R"({"v":true})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","BooleanEquals":false})", R"({"v":false})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","BooleanEquals":false})", R"({"v":true})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","BooleanEquals":false})", R"({"v":0})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","BooleanEquals":true})", R"({"v":"true"})"));
  // Recorded AWS: BooleanEqualsPath with Variable 0.0 and Value false -> no match.
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","BooleanEqualsPath":"$.Value"})", R"({"Variable":0.0,"Value":false})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","BooleanEqualsPath":"$.Value"})", R"({"Variable":false,"Value":false})"));
}

// ------------------------------------------------------------------ timestamps

TEST(ChoiceRule, TimestampComparisons) {
  const char* t55 = R"({"Variable":"2012-10-09T19:00:55Z"})";
  const char* t56 = R"({"Variable":"2012-10-09T19:00:56Z"})";
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","TimestampEquals":"2012-10-09T19:00:55Z"})", t55));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","TimestampEquals":"2012-10-09T19:00:55Z"})", t56));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","TimestampGreaterThan":"2012-10-09T19:00:55Z"})", t56));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","TimestampGreaterThan":"2012-10-09T19:00:55Z"})", t55));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","TimestampGreaterThanEquals":"2012-10-09T19:00:55Z"})", t55));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","TimestampLessThan":"2012-10-09T19:00:55Z"})", t55));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","TimestampLessThanEquals":"2012-10-09T19:00:56Z"})", t55));
  // Same instant in another offset; fractional seconds order correctly.
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","TimestampEquals":"2012-10-09T20:00:55+01:00"})", t55));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","TimestampLessThan":"2012-10-09T19:00:55.001Z"})", t55));
}

TEST(ChoiceRule, TimestampOperatorsAreFalseForNonTimestamps) {
  for (const char* v : {"null", "{}", "false", "0", "1.1", R"("")", R"("2023-02-24 12:15:56.832957")", "[]",
                        R"("2012-10-09T19:00:55")"}) {
    const std::string input = std::string(R"({"Variable":)") + v + "}";
    EXPECT_FALSE(matches(R"({"Variable":"$.Variable","TimestampEquals":"2012-10-09T19:00:55Z"})", input)) << v;
  }
}

TEST(ChoiceRule, TimestampPathVariants) {
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","TimestampEqualsPath":"$.Value"})",
                       R"({"Variable":"2012-10-09T19:00:55Z","Value":"2012-10-09T19:00:56Z"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","TimestampEqualsPath":"$.Value"})",
                      R"({"Variable":"2012-10-09T19:00:55Z","Value":"2012-10-09T19:00:55.000Z"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","TimestampLessThanPath":"$.Value"})",
                      R"({"Variable":"2012-10-09T19:00:55Z","Value":"2012-10-09T19:00:56Z"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","TimestampGreaterThanPath":"$.Value"})",
                       R"({"Variable":"2012-10-09T19:00:55Z","Value":"not a time"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","TimestampGreaterThanEqualsPath":"$.Value"})",
                      R"({"Variable":"2012-10-09T19:00:56Z","Value":"2012-10-09T19:00:55Z"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","TimestampLessThanEqualsPath":"$.Value"})",
                       R"({"Variable":"2012-10-09T19:00:56Z","Value":"2012-10-09T19:00:55Z"})"));
}

// ------------------------------------------------------------------ StringMatches

TEST(ChoiceRule, StringMatchesWildcards) {
  const char* rule = R"({"Variable":"$.v","StringMatches":"log-*.txt"})";
  EXPECT_TRUE(matches(rule, R"({"v":"log-.txt"})"));
  EXPECT_TRUE(matches(rule, R"({"v":"log-2024-01.txt"})"));
  EXPECT_FALSE(matches(rule, R"({"v":"log-1.txt.bak"})"));
  EXPECT_FALSE(matches(rule, R"({"v":"xlog-1.txt"})"));
  EXPECT_FALSE(matches(rule, R"({"v":5})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","StringMatches":"*"})", R"({"v":""})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","StringMatches":"a*b*c"})", R"({"v":"aXbYbZc"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","StringMatches":"a*b*c"})", R"({"v":"acb"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","StringMatches":"ab*ba"})", R"({"v":"aba"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","StringMatches":"exact"})", R"({"v":"exact"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","StringMatches":"exact"})", R"({"v":"exactly"})"));
}

TEST(ChoiceRule, StringMatchesEscapes) {
  // JSON "\\*" is the two characters \* : a literal star.
  EXPECT_TRUE(matches(R"({"Variable":"$.v","StringMatches":"a\\*b"})", R"({"v":"a*b"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","StringMatches":"a\\*b"})", R"({"v":"axb"})"));
  // JSON "\\\\" is \\ : a literal backslash.
  EXPECT_TRUE(matches(R"({"Variable":"$.v","StringMatches":"c:\\\\*"})", R"({"v":"c:\\dir"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","StringMatches":"c:\\\\*"})", R"({"v":"c:/dir"})"));
}

TEST(ChoiceRule, StringMatchesOpenEscapeIsRuntimeError) {
  auto e = eval_error(R"({"Variable":"$.v","StringMatches":"abc\\"})", R"({"v":"abc"})");
  EXPECT_EQ(e.error, "States.Runtime");
  EXPECT_NE(e.cause.value_or("").find("open escape"), std::string::npos);
}

// ------------------------------------------------------------------ type tests

TEST(ChoiceRule, TypeTests) {
  // Values from the recorded AWS cases (test_is_operators).
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","IsNull":true})", R"({"Variable":null})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","IsNull":true})", R"({"Variable":""})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","IsNull":false})", R"({"Variable":[]})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","IsNumeric":true})", R"({"Variable":1.1})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","IsNumeric":true})", R"({"Variable":"2012-10-09T19:00:55Z"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","IsNumeric":false})", R"({"Variable":0})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","IsString":true})", R"({"Variable":" "})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","IsString":false})", R"({"Variable":""})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","IsString":true})", R"({"Variable":[]})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","IsBoolean":true})", R"({"v":false})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","IsBoolean":true})", R"({"v":"true"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","IsBoolean":false})", R"({"v":0})"));
}

TEST(ChoiceRule, IsTimestamp) {
  EXPECT_TRUE(matches(R"({"Variable":"$.v","IsTimestamp":true})", R"({"v":"2012-10-09T19:00:55Z"})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","IsTimestamp":true})", R"({"v":"2012-10-09T19:00:55+01:00"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","IsTimestamp":true})", R"({"v":"2012-10-09T19:00:55"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","IsTimestamp":true})", R"({"v":"2023-02-24"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.v","IsTimestamp":true})", R"({"v":1349809255})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.v","IsTimestamp":false})", R"({"v":"2016-13-05T21:29:29Z"})"));
}

TEST(ChoiceRule, IsPresentOnMissingVariableIsFalseNotAnError) {
  EXPECT_FALSE(matches(R"({"Variable":"$.missing","IsPresent":true})", R"({"v":1})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.missing","IsPresent":false})", R"({"v":1})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.Variable","IsPresent":true})", R"({"Variable":null})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.Variable","IsPresent":false})", R"({"Variable":{}})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.a.b.c","IsPresent":true})", R"({"a":"str"})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.arr[3]","IsPresent":true})", R"({"arr":[1]})"));
}

// ------------------------------------------------------------------ paths

TEST(ChoiceRule, VariableCanReadTheContextObject) {
  EXPECT_TRUE(matches(R"({"Variable":"$$.State.RetryCount","NumericEquals":2})", "{}", R"({"State":{"RetryCount":2}})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.n","NumericEqualsPath":"$$.Map.Item.Index"})", R"({"n":3})",
                      R"({"Map":{"Item":{"Index":3}}})"));
}

TEST(ChoiceRule, VariableWithIndefinitePathComparesTheArray) {
  EXPECT_TRUE(matches(R"({"Variable":"$.a[*]","IsPresent":true})", R"({})"));
  EXPECT_FALSE(matches(R"({"Variable":"$.a[*].x","IsString":true})", R"({"a":[{"x":"s"}]})"));
  EXPECT_TRUE(matches(R"({"Variable":"$.a[?(@.x > 1)].x","IsNull":false})", R"({"a":[{"x":2}]})"));
}

TEST(ChoiceRule, MissingVariableIsRuntimeErrorForComparisons) {
  auto e = eval_error(R"({"Variable":"$.processing_type","StringEquals":"x"})", R"({"other":1})");
  EXPECT_EQ(e.error, "States.Runtime");
  EXPECT_EQ(e.cause.value_or(""),
            "Invalid path '$.processing_type': The choice state's condition path references an invalid value.");
  EXPECT_EQ(eval_error(R"({"Variable":"$.x","IsNull":true})", "{}").error, "States.Runtime");
  EXPECT_EQ(eval_error(R"({"Variable":"$$.Nope","NumericEquals":1})", "{}").cause.value_or(""),
            "Invalid path '$$.Nope': The choice state's condition path references an invalid value.");
}

TEST(ChoiceRule, MissingComparandPathIsRuntimeError) {
  auto e = eval_error(R"({"Variable":"$.a","StringEqualsPath":"$.b"})", R"({"a":"x"})");
  EXPECT_EQ(e.error, "States.Runtime");
  EXPECT_EQ(e.cause.value_or(""), "Invalid path '$.b': The choice state's condition path references an invalid value.");
}

// ------------------------------------------------------------------ combinators

TEST(ChoiceRule, AndOrNot) {
  const char* both = R"({"And":[{"Variable":"$.a","NumericGreaterThan":1},{"Variable":"$.b","StringEquals":"x"}]})";
  EXPECT_TRUE(matches(both, R"({"a":2,"b":"x"})"));
  EXPECT_FALSE(matches(both, R"({"a":2,"b":"y"})"));
  const char* either = R"({"Or":[{"Variable":"$.a","NumericGreaterThan":1},{"Variable":"$.b","StringEquals":"x"}]})";
  EXPECT_TRUE(matches(either, R"({"a":0,"b":"x"})"));
  EXPECT_FALSE(matches(either, R"({"a":0,"b":"y"})"));
  EXPECT_TRUE(matches(R"({"Not":{"Variable":"$.a","IsPresent":true}})", "{}"));
  EXPECT_FALSE(matches(R"({"Not":{"Not":{"Variable":"$.a","IsPresent":true}}})", "{}"));
}

TEST(ChoiceRule, CombinatorsShortCircuitBeforeErrors) {
  EXPECT_TRUE(matches(R"({"Or":[{"Variable":"$.a","IsPresent":true},{"Variable":"$.missing","StringEquals":"x"}]})",
                      R"({"a":1})"));
  EXPECT_FALSE(matches(R"({"And":[{"Variable":"$.a","IsPresent":false},{"Variable":"$.missing","StringEquals":"x"}]})",
                       R"({"a":1})"));
  EXPECT_EQ(eval_error(R"({"And":[{"Variable":"$.a","IsPresent":true},{"Variable":"$.m","StringEquals":"x"}]})",
                       R"({"a":1})").error,
            "States.Runtime");
  EXPECT_EQ(eval_error(R"({"Not":{"Variable":"$.m","BooleanEquals":true}})", "{}").error, "States.Runtime");
}

TEST(ChoiceRule, TopLevelNextAssignAndCommentAreIgnored) {
  EXPECT_TRUE(matches(R"({"Variable":"$.a","IsPresent":true,"Next":"S","Comment":"c","Assign":{"x":1}})", R"({"a":1})"));
}

TEST(ChoiceRule, DefaultConstructedEvaluatesToRuntimeError) {
  ChoiceRule r;
  const Json in = Json::object();
  auto e = r.evaluate(path::EvalScope{in, in});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.err.error, "States.Runtime");
}

TEST(ChoiceRule, MoveKeepsCompiledRule) {
  ChoiceRule a = C(R"({"Variable":"$.a","NumericEquals":1})");
  ChoiceRule b(std::move(a));
  ChoiceRule c;
  c = std::move(b);
  const Json in = J(R"({"a":1})");
  auto r = c.evaluate(path::EvalScope{in, in});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r.value);
}

// ------------------------------------------------------------------ compile errors

TEST(ChoiceRule, RejectsUnknownOperator) {
  expect_rejected(R"({"Variable":"$.a","StringEqualz":"x"})", "unknown field 'StringEqualz'");
  expect_rejected(R"({"Variable":"$.a","StringMatchesPath":"$.b"})", "unknown field 'StringMatchesPath'");
  expect_rejected(R"({"Variable":"$.a","IsNullPath":"$.b"})", "unknown field 'IsNullPath'");
}

TEST(ChoiceRule, RejectsMissingOperatorOrVariable) {
  expect_rejected(R"({"Variable":"$.a"})", "no comparison operator");
  expect_rejected(R"({})", "no comparison operator and no And/Or/Not");
  expect_rejected(R"({"StringEquals":"x"})", "'StringEquals' needs a 'Variable'");
}

TEST(ChoiceRule, RejectsTwoOperators) {
  expect_rejected(R"({"Variable":"$.a","StringEquals":"x","IsPresent":true})",
                  "more than one operator ('StringEquals' and 'IsPresent')");
  expect_rejected(R"({"And":[{"Variable":"$.a","IsNull":true}],"Not":{"Variable":"$.a","IsNull":true}})",
                  "more than one operator");
}

TEST(ChoiceRule, RejectsWrongComparandTypes) {
  expect_rejected(R"({"Variable":"$.a","NumericEquals":"1"})", "'NumericEquals' must be a number but was a string");
  expect_rejected(R"({"Variable":"$.a","StringEquals":1})", "'StringEquals' must be a string but was a number");
  expect_rejected(R"({"Variable":"$.a","StringMatches":null})", "'StringMatches' must be a string but was null");
  expect_rejected(R"({"Variable":"$.a","BooleanEquals":"true"})", "'BooleanEquals' must be a boolean");
  expect_rejected(R"({"Variable":"$.a","IsPresent":1})", "'IsPresent' must be a boolean but was a number");
  expect_rejected(R"({"Variable":"$.a","TimestampEquals":5})", "must be a timestamp string");
  expect_rejected(R"({"Variable":"$.a","TimestampLessThan":"2016-13-05T21:29:29Z"})",
                  "'TimestampLessThan' must be an RFC 3339 timestamp but was '2016-13-05T21:29:29Z'");
}

TEST(ChoiceRule, RejectsBadPaths) {
  expect_rejected(R"({"Variable":5,"IsNull":true})", "'Variable' must be a string holding a JSONPath but was a number");
  expect_rejected(R"({"Variable":"a.b","IsNull":true})", "'Variable' is not a valid JSONPath");
  expect_rejected(R"({"Variable":"$.a[","IsNull":true})", "unterminated");
  expect_rejected(R"({"Variable":"$.a","StringEqualsPath":"nope"})", "'StringEqualsPath' is not a valid JSONPath");
  expect_rejected(R"({"Variable":"$.a","NumericEqualsPath":3})", "'NumericEqualsPath' must be a string");
  expect_rejected(R"({"Variable":"$myVar[","IsNull":true})", "'Variable' is not a valid variable reference");
  expect_rejected(R"({"Variable":"$ .a","IsNull":true})", "'Variable' is not a valid JSONPath");
}

TEST(ChoiceRule, ReadsWorkflowVariables) {
  auto rule = ChoiceRule::compile(*parse_json(R"({"Variable":"$guess.n","NumericEqualsPath":"$answer"})"), "/r");
  ASSERT_TRUE(rule.ok()) << rule.status().message();
  const Json input = Json::object(), ctx = Json::object();
  const Json vars = *parse_json(R"({"guess":{"n":7},"answer":7})");
  auto hit = rule->evaluate(path::EvalScope{input, ctx, &vars});
  ASSERT_TRUE(hit.ok());
  EXPECT_TRUE(*hit.value);
  const Json other = *parse_json(R"({"guess":{"n":8},"answer":7})");
  auto miss = rule->evaluate(path::EvalScope{input, ctx, &other});
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(*miss.value);
}

TEST(ChoiceRule, RejectsMalformedCombinators) {
  expect_rejected(R"({"And":[]})", "'And' must be a non-empty array of rules");
  expect_rejected(R"({"Or":{"Variable":"$.a","IsNull":true}})", "'Or' must be a non-empty array");
  expect_rejected(R"({"Not":[{"Variable":"$.a","IsNull":true}]})", "'Not' must be a single rule object");
  expect_rejected(R"({"Variable":"$.a","Not":{"Variable":"$.a","IsNull":true}})", "'Variable' is not allowed with 'Not'");
  expect_rejected(R"({"Variable":"$.a","Or":[{"Variable":"$.a","IsNull":true}]})", "'Variable' is not allowed with 'Or'");
  expect_rejected(R"({"And":[5]})", "a rule must be an object but was a number");
}

TEST(ChoiceRule, NestedErrorsNameTheirLocation) {
  expect_rejected(R"({"And":[{"Variable":"$.a","IsNull":true},{"Variable":"$.b","NumericEquals":"x"}]})",
                  "/States/Check/Choices/3/And/1:");
  expect_rejected(R"({"Not":{"Or":[{"Variable":"$.a","Bogus":1}]}})", "/States/Check/Choices/3/Not/Or/0:");
  expect_rejected(R"({"Or":[{"Variable":"$.a","IsNull":true,"Next":"X"}]})", "'Next' is not allowed inside a nested rule");
}

TEST(ChoiceRule, RejectsRulesNestedTooDeeply) {
  // Built directly: parse_json caps nesting at 64.
  Json v = Json::object({{"Variable", "$.a"}, {"IsNull", true}});
  for (int i = 0; i < 70; ++i) v = Json::object({{"Not", std::move(v)}});
  auto r = ChoiceRule::compile(v, "/States/Check/Choices/0");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace stepfiber::choice
