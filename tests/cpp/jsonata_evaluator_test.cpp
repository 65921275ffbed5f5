// Tests for the JSONata evaluator: sequences, tuple streams, closures,
// tail calls and the guards.
#include <gtest/gtest.h>

#include "jsonata_test_util.h"

namespace stepfiber::jsonata {
namespace {

using testing::eval;

const char* kDoc = R"({"a":[{"b":1,"c":[1,2]},{"b":2,"c":[3]}],"s":"x"})";

TEST(JsonataEvaluator, SingletonSequencesUnwrapAndKeepArrayKeepsThem) {
  EXPECT_EQ(eval("a[0].b", kDoc), "1");
  EXPECT_EQ(eval("a[0].b[]", kDoc), "[1]");
  EXPECT_EQ(eval("a.c", kDoc), "[1,2,3]");
  EXPECT_EQ(eval("nothing", kDoc), "undefined");
}

TEST(JsonataEvaluator, UndefinedInputIsNotNull) {
  EXPECT_EQ(eval("$exists($)"), "false");
  EXPECT_EQ(eval("$exists($)", "null"), "true");
}

TEST(JsonataEvaluator, FocusIndexAndParentBinds) {
  EXPECT_EQ(eval("a#$i.{'i': $i, 'b': b}", kDoc), R"([{"i":0,"b":1},{"i":1,"b":2}])");
  EXPECT_EQ(eval("a.c.{'c': $, 'b': %.b}", kDoc), R"([{"c":1,"b":1},{"c":2,"b":1},{"c":3,"b":2}])");
  EXPECT_EQ(eval("a@$x.$x.c@$y.{'b': $x.b, 'c': $y}", kDoc), R"([{"b":1,"c":1},{"b":1,"c":2},{"b":2,"c":3}])");
}

TEST(JsonataEvaluator, GroupByAndSort) {
  EXPECT_EQ(eval("a{$string(b): c}", kDoc), R"({"1":[1,2],"2":[3]})");
  EXPECT_EQ(eval("a^(>b).b", kDoc), "[2,1]");
}

TEST(JsonataEvaluator, ClosuresAndPartialApplication) {
  EXPECT_EQ(eval("($add := function($x){ function($y){ $x + $y } }; $add(2)(3))"), "5");
  EXPECT_EQ(eval("($f := $substring(?, 0, 2); $f('hello'))"), "\"he\"");
  EXPECT_EQ(eval("($inc := function($x){$x+1}; $dbl := function($x){$x*2}; ($inc ~> $dbl)(3))"), "8");
}

TEST(JsonataEvaluator, TailCallsDoNotGrowTheStack) {
  EXPECT_EQ(eval("($loop := function($n, $acc){ $n = 0 ? $acc : $loop($n - 1, $acc + 1) }; $loop(100000, 0))"),
            "100000");
}

TEST(JsonataEvaluator, DeepRecursionIsU1001NotACrash) {
  EXPECT_EQ(eval("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000))"), "error U1001");
  EvaluateOptions o;
  o.limits.depth = 50;
  EXPECT_EQ(eval("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100))", "", o), "error U1001");
}

TEST(JsonataEvaluator, TimeAndMemoryGuards) {
  EvaluateOptions o;
  o.limits.timelimit_ms = 50;
  EXPECT_EQ(eval("($f := function($n){ $f($n + 1) }; $f(0))", "", o), "error U1002");
  EvaluateOptions m;
  m.limits.memory_bytes = 1000000;
  EXPECT_EQ(eval("[1..1000000]", "", m), "error U1003");
  EXPECT_EQ(eval("[1..100000000]"), "error D2014");
}

TEST(JsonataEvaluator, ScalarBlockStepMapsNothing) {
  EXPECT_EQ(eval("([1,2]; 3).a"), "undefined");
  EXPECT_EQ(eval("([1,2]).$"), "[1,2]");
}

TEST(JsonataEvaluator, KeepArrayDoesNotTouchTheInput) {
  Error err;
  auto e = Expression::compile("a[]", &err);
  ASSERT_TRUE(e);
  Value in;
  std::string perr;
  ASSERT_TRUE(from_json_text(R"({"a":[1]})", &in, &perr));
  Value out;
  ASSERT_TRUE(e->evaluate(in, {}, {}, &out, &err));
  EXPECT_FALSE(in.obj().find("a")->arr().keep_singleton);
}

TEST(JsonataEvaluator, TransformNeverMutatesItsInput) {
  EXPECT_EQ(eval("($clone := function($x){$x}; $ ~> |a|{'z': 0}|; a[0].z)", kDoc), "undefined");
}

TEST(JsonataEvaluator, BindingsAreVariables) {
  Value states;
  std::string err;
  ASSERT_TRUE(from_json_text(R"({"input":{"x":41}})", &states, &err));
  EXPECT_EQ(eval("$states.input.x + 1", "", {}, {{"states", states}}), "42");
}

TEST(JsonataEvaluator, TypeErrorsCarryCodes) {
  EXPECT_EQ(eval("'a' + 1"), "error T2001");
  EXPECT_EQ(eval("1 < 'a'"), "error T2009");
  EXPECT_EQ(eval("$foo()"), "error T1006");
  EXPECT_EQ(eval("$eval('1')"), "error T1006");
  EXPECT_EQ(eval("{'a': 1, 'a': 2}"), "error D1009");
}

TEST(JsonataEvaluator, TransformCopiesAndUpdates) {
  EXPECT_EQ(eval("$ ~> |a|{'z': 0}, ['c']|", kDoc), R"({"a":[{"b":1,"z":0},{"b":2,"z":0}],"s":"x"})");
  EXPECT_EQ(eval("$.a[0].c", kDoc), "[1,2]");
}

TEST(JsonataEvaluator, CompiledExpressionIsReusable) {
  Error err;
  auto e = Expression::compile("x * 2", &err);
  ASSERT_TRUE(e);
  for (int i = 0; i < 100; ++i) {
    Value in = make_object();
    in.obj().set("x", Value::number(i));
    Value out;
    ASSERT_TRUE(e->evaluate(in, {}, {}, &out, &err));
    EXPECT_EQ(out.as_number(), i * 2);
  }
}

}  // namespace
}  // namespace stepfiber::jsonata
