// Tests for the JSONata parser: syntax errors, 2.0.6-only syntax, nesting guard.
#include <gtest/gtest.h>

#include <string>

#include "jsonata/jsonata.h"

namespace stepfiber::jsonata {
namespace {

std::string compile_error(const std::string& expr) {
  Error err;
  auto e = Expression::compile(expr, &err);
  return e ? "ok" : err.code;
}

TEST(JsonataParser, AcceptsPathsPredicatesAndLambdas) {
  EXPECT_EQ(compile_error("Account.Order[0].Product{`Product Name`: Price}"), "ok");
  EXPECT_EQ(compile_error("function($x, $y)<nn:n>{ $x + $y }"), "ok");
  EXPECT_EQ(compile_error("library.books@$b#$i[$i < 2].title"), "ok");
  EXPECT_EQ(compile_error("library.books#$i[$i < 2]@$b.title"), "S0215");
  EXPECT_EQ(compile_error("/* comment */ $sort(a, λ($l, $r){ $l > $r })"), "ok");
}

TEST(JsonataParser, ReportsJsonataErrorCodes) {
  EXPECT_EQ(compile_error("1 +"), "S0207");
  EXPECT_EQ(compile_error("(1"), "S0203");
  EXPECT_EQ(compile_error("\"abc"), "S0101");
  EXPECT_EQ(compile_error("a.1"), "S0213");
  EXPECT_EQ(compile_error("$x := 1 ~ 2"), "S0204");
  EXPECT_EQ(compile_error("/* open"), "S0106");
  EXPECT_EQ(compile_error("function(a){1}"), "S0208");
  EXPECT_EQ(compile_error("%.a"), "S0217");
}

TEST(JsonataParser, RejectsOperatorsAddedAfter206) {
  EXPECT_NE(compile_error("a ?? b"), "ok");
  EXPECT_NE(compile_error("a ?: b"), "ok");
}

TEST(JsonataParser, ErrorCarriesPositionTokenAndMessage) {
  Error err;
  ASSERT_FALSE(Expression::compile("1 + )", &err));
  EXPECT_EQ(err.code, "S0211");
  EXPECT_EQ(err.position.value_or(-1), 5);
  EXPECT_EQ(err.message(), "The symbol \")\" cannot be used as a unary operator");
}

TEST(JsonataParser, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '(');
  EXPECT_EQ(compile_error(deep), "U1001");
  std::string arrays(100000, '[');
  EXPECT_EQ(compile_error(arrays), "U1001");
  std::string chain = "a";
  for (int i = 0; i < 50000; ++i) chain += ".a";
  EXPECT_NE(compile_error(chain), "");
}

}  // namespace
}  // namespace stepfiber::jsonata
