#include "stepfiber/json.h"

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "json/jackson_errors.h"

namespace stepfiber {
namespace {

TEST(JsonParse, KeepsObjectKeyOrder) {
  auto r = parse_json(R"({"z":1,"a":2,"m":{"y":true,"b":null}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(dump_json(*r), R"({"z":1,"a":2,"m":{"y":true,"b":null}})");
}

TEST(JsonParse, ParsesScalarsAtTopLevel) {
  EXPECT_EQ(parse_json("\"hi\"")->get<std::string>(), "hi");
  EXPECT_EQ(parse_json("42")->get<std::int64_t>(), 42);
  EXPECT_DOUBLE_EQ(parse_json("1.5")->get<double>(), 1.5);
  EXPECT_TRUE(parse_json("null")->is_null());
  EXPECT_EQ(parse_json("18446744073709551615")->get<std::uint64_t>(), 18446744073709551615ull);
}

TEST(JsonParse, RejectsInvalidTextWithGivenCode) {
  auto r = parse_json("{\"a\":", ErrorCode::kInvalidOutput);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidOutput);
  EXPECT_NE(r.status().message().find("Invalid JSON"), std::string::npos);
}

TEST(JsonParse, RejectsTrailingGarbage) { EXPECT_FALSE(parse_json("{} x").ok()); }

TEST(JsonParse, RejectsNestingBeyondLimit) {
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  auto r = parse_json(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(std::to_string(kMaxJsonDepth)), std::string::npos);
  std::string ok(kMaxJsonDepth, '[');
  ok += std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(parse_json(ok).ok());
}

TEST(JsonParse, DepthCountsContainersOnly) {
  EXPECT_EQ(json_depth(Json(1)), 0u);
  EXPECT_EQ(json_depth(Json::array()), 1u);
  EXPECT_EQ(json_depth(*parse_json(R"({"a":[{"b":1}]})")), 3u);
}

TEST(JsonParse, DuplicateKeysLastWins) {
  auto r = parse_json(R"({"a":1,"a":2})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["a"], 2);
  EXPECT_EQ(r->size(), 1u);
}


TEST(JsonParse, DuplicateKeysFoldToFirstPositionWithLastValue) {
  auto r = parse_json(R"({"a":1,"b":2,"a":3})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(dump_json(*r), R"({"a":3,"b":2})");
}

// Correctness on a wide object; speed is measured by benchmarks, not here
// (the old quadratic insertion made this case take minutes).
TEST(JsonParse, WideObjectsKeepEveryKeyInOrder) {
  std::string text = "{";
  for (int i = 0; i < 200000; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  text += "}";
  auto r = parse_json(text);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 200000u);
  EXPECT_EQ(r->begin().key(), "k0");
  EXPECT_EQ((--r->end()).key(), "k199999");
}

TEST(JsonParse, AppendJsonStringEscapesAsDumpJsonDoes) {
  const std::string cases[] = {"", "plain", "quote \" back \\ slash", "ctl \x01\x1f\n\t\r\b\f end",
                               "unicode \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "bad utf8 \xff\xfe",
                               R"({"a":[1,"x\"y"]})"};
  for (const std::string& c : cases) {
    std::string built = "[";
    append_json_string(built, c);
    built += "]";
    EXPECT_EQ(built, dump_json(Json::array({c}))) << c;
  }
  // Every ASCII byte (the fast path), and each one followed by a byte >= 0x80
  // (the fallback, from the middle of a string).
  std::string ascii;
  for (int b = 0; b < 0x80; ++b) ascii += static_cast<char>(b);
  for (const std::string& c : {ascii, ascii + "\xc3\xa9", ascii + "\x80"}) {
    std::string built = "x";
    append_json_string(built, c);
    EXPECT_EQ(built, "x" + dump_json(Json(c))) << c;
  }
}

}  // namespace

// Jackson's wording for syntax errors (json/jackson_errors.h).
TEST(JacksonErrors, RecordedAndKnownMessages) {
  using stepfiber::json::jackson_syntax_error;
  // Recorded by AWS (StartExecution's InvalidExecutionInput).
  EXPECT_EQ(jackson_syntax_error("not some json"),
            "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or "
            "'false')");
  EXPECT_EQ(jackson_syntax_error("{'not': 'json'"),
            "Unexpected character (''' (code 39)): was expecting double-quote to start field name");
  // Jackson's other wordings for the same scanner states.
  EXPECT_EQ(jackson_syntax_error(R"({"a" 1})"),
            "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value");
  EXPECT_EQ(jackson_syntax_error(R"({"a":1 "b":2})"),
            "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries");
  EXPECT_EQ(jackson_syntax_error("[1 2]"),
            "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries");
  EXPECT_EQ(jackson_syntax_error(R"({"a":})"), "Unexpected character ('}' (code 125)): expected a value");
  EXPECT_EQ(jackson_syntax_error(R"([[{"a":[tru]}]])"),
            "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or "
            "'false')");
  // Valid documents, and errors of other kinds, give nothing.
  for (const char* ok : {R"({"a":[1,{"b":null}],"c":"x\"y"})", "[]", "{}", " 12 ", R"("s")", "true"}) {
    EXPECT_EQ(jackson_syntax_error(ok), std::nullopt) << ok;
  }
  EXPECT_EQ(jackson_syntax_error(R"({"a":1)"), std::nullopt);  // end of input
  EXPECT_EQ(jackson_syntax_error(""), std::nullopt);
}

}  // namespace stepfiber
