// Tests for jsonata::Value: key order, JS number printing, JSON round trips.
#include <gtest/gtest.h>

#include <cmath>

#include "jsonata/unicode.h"
#include "jsonata/value.h"

namespace stepfiber::jsonata {
namespace {

Value parse(const char* text) {
  Value v;
  std::string err;
  EXPECT_TRUE(from_json_text(text, &v, &err)) << err;
  return v;
}

TEST(JsonataValue, IntegerLikeKeysComeFirstInNumericOrder) {
  Value v = parse(R"({"b":1,"10":2,"a":3,"2":4,"01":5})");
  EXPECT_EQ(stringify(v), R"({"2":4,"10":2,"b":1,"a":3,"01":5})");
}

TEST(JsonataValue, NumbersPrintAsJavaScript) {
  EXPECT_EQ(number_to_js(1e21), "1e+21");
  EXPECT_EQ(number_to_js(1e20), "100000000000000000000");
  EXPECT_EQ(number_to_js(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(number_to_js(1e-7), "1e-7");
  EXPECT_EQ(number_to_js(-0.0), "0");
  EXPECT_EQ(number_to_js_precision15(0.1 + 0.2), "0.3");
  EXPECT_EQ(number_to_js_precision15(9223372036854775807.0), "9223372036854780000");
}

TEST(JsonataValue, UndefinedIsDistinctFromNull) {
  Value u;
  EXPECT_TRUE(u.is_undefined());
  EXPECT_FALSE(deep_equal(u, Value::null()));
  Value o = make_object();
  o.obj().set("a", Value());
  o.obj().set("b", Value::null());
  EXPECT_EQ(stringify(o), R"({"b":null})");
}

TEST(JsonataValue, DeepEqualIgnoresKeyOrder) {
  EXPECT_TRUE(deep_equal(parse(R"({"a":1,"b":[1,2]})"), parse(R"({"b":[1,2],"a":1})")));
  EXPECT_FALSE(deep_equal(parse("[1,2]"), parse("[2,1]")));
}

TEST(JsonataValue, ConvertsToAndFromProjectJson) {
  Json j = Json::parse(R"({"x":[1,2.5,"s",true,null]})");
  Value v = from_json(j);
  EXPECT_EQ(to_json(v), j);
}

TEST(JsonataValue, LoneSurrogatesSurviveAsEscapes) {
  Value v = parse(R"("\ud800x")");
  EXPECT_EQ(stringify(v), R"("\ud800x")");
  EXPECT_EQ(utf16_length(v.as_string()), 2u);
}

TEST(JsonataValue, RejectsTrailingContentAndDeepNesting) {
  Value v;
  std::string err;
  EXPECT_FALSE(from_json_text("{} x", &v, &err));
  EXPECT_FALSE(from_json_text(std::string(5000, '['), &v, &err));
}

TEST(JsonataUnicode, ComparesInUtf16Order) {
  // U+FF5E sorts after U+1F600 in code points but before it in UTF-16 units.
  EXPECT_GT(compare_utf16("\xEF\xBD\x9E", "\xF0\x9F\x98\x80"), 0);
  EXPECT_LT(compare_utf16("a", "b"), 0);
}

}  // namespace
}  // namespace stepfiber::jsonata
