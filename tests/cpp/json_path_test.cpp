// Tests for JsonPath (Jayway-style selection) and ReferencePath (ResultPath assignment).
#include "path/json_path.h"

#include <string>

#include <gtest/gtest.h>

#include "stepfiber/json.h"
#include "test_json.h"

namespace stepfiber::path {
namespace {

JsonPath P(std::string_view text) {
  auto r = JsonPath::compile(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? r.value() : JsonPath();
}

std::optional<Json> sel(std::string_view path, std::string_view doc) { return P(path).select(J(doc)); }

void expect_rejected(std::string_view text, std::string_view fragment) {
  auto r = JsonPath::compile(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidDefinition);
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(std::string(text)), std::string::npos) << r.status().message();
}

const char* kStore = R"({
  "store": {
    "book": [
      {"category": "reference", "author": "Rees", "title": "Sayings", "price": 8.95},
      {"category": "fiction", "author": "Waugh", "title": "Sword", "price": 12.99},
      {"category": "fiction", "author": "Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8.99},
      {"category": "fiction", "author": "Tolkien", "title": "LOTR", "isbn": "0-395", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "expensive": 10
})";

// ------------------------------------------------------------- selection

TEST(JsonPath, RootSelectsWholeDocument) {
  EXPECT_EQ(sel("$", R"({"a":1})"), J(R"({"a":1})"));
  EXPECT_TRUE(P("$").is_definite());
}

TEST(JsonPath, DottedNamesAreDefinite) {
  auto p = P("$.a.b");
  EXPECT_TRUE(p.is_definite());
  EXPECT_EQ(p.select(J(R"({"a":{"b":[1,2]}})")), J("[1,2]"));
}

TEST(JsonPath, NullValueIsAMatch) {
  auto v = sel("$.a", R"({"a":null})");
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->is_null());
}

TEST(JsonPath, MissingDefinitePathIsNullopt) {
  EXPECT_FALSE(sel("$.a.b", R"({"a":{}})").has_value());
  EXPECT_FALSE(sel("$.a.b", R"({})").has_value());
  EXPECT_FALSE(sel("$.a.b", R"({"a":"str"})").has_value());
  EXPECT_FALSE(sel("$.a[0]", R"({"a":{"0":1}})").has_value());
}

TEST(JsonPath, DottedNamesAllowHyphensAndDollar) {
  EXPECT_EQ(sel("$.delivery-partner", R"({"delivery-partner":"x"})"), J(R"("x")"));
  EXPECT_EQ(sel("$.a$b", R"({"a$b":2})"), J("2"));
}

TEST(JsonPath, BracketNamesWithEitherQuote) {
  EXPECT_EQ(sel("$['x y']", R"({"x y":1})"), J("1"));
  EXPECT_EQ(sel(R"($["x.y"])", R"({"x.y":2})"), J("2"));
  EXPECT_EQ(sel("$['a']['b']", R"({"a":{"b":3}})"), J("3"));
  EXPECT_EQ(sel("$.['a']", R"({"a":4})"), J("4"));
  EXPECT_EQ(sel("$['']", R"({"":5})"), J("5"));
}

TEST(JsonPath, BracketNameKeepsBackslashesAsAwsDoes) {
  // Recorded AWS case test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH].
  auto input = J(R"({"Test\\\"\"Name\"": "Value\"\\"})");
  auto v = P(R"($['Test\""Name"'])").select(input);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, Json("Value\"\\"));
}

TEST(JsonPath, ArrayIndexIncludingNegative) {
  const char* doc = R"({"items":[{"item_key":0},{"item_key":1},{"item_key":2}]})";
  EXPECT_EQ(sel("$.items[0]", doc), J(R"({"item_key":0})"));
  EXPECT_EQ(sel("$.items[2].item_key", doc), J("2"));
  EXPECT_EQ(sel("$.items[-1].item_key", doc), J("2"));
  EXPECT_EQ(sel("$.items[ -3 ].item_key", doc), J("0"));
  EXPECT_FALSE(sel("$.items[3]", doc).has_value());
  EXPECT_FALSE(sel("$.items[-4]", doc).has_value());
  EXPECT_TRUE(P("$.items[-1]").is_definite());
  EXPECT_EQ(sel("$[1]", "[7,8]"), J("8"));
}

TEST(JsonPath, WildcardOverArrayAndObject) {
  EXPECT_EQ(sel("$.a[*]", R"({"a":[1,2,3]})"), J("[1,2,3]"));
  EXPECT_EQ(sel("$.a.*", R"({"a":{"x":1,"y":[2]}})"), J("[1,[2]]"));
  EXPECT_EQ(sel("$[*]", R"({"b":2,"a":1})"), J("[2,1]"));
  EXPECT_EQ(sel("$.a[*].id", R"({"a":[{"id":1},{"x":0},{"id":3}]})"), J("[1,3]"));
  EXPECT_FALSE(P("$.a[*]").is_definite());
  EXPECT_EQ(sel("$.a[*]", R"({"a":5})"), J("[]"));
}

TEST(JsonPath, IndefinitePathsOnMissingInputGiveEmptyArray) {
  // Recorded AWS cases test_json_path_array_wildcard_or_slice_with_no_input[*].
  for (const char* p : {"$.item.items[1:5].itemValue", "$.item.items[1:5]", "$.item.items[1:]", "$.item.items[*]",
                        "$.items[*].itemValue", "$.items[1:].itemValue", "$.items[:1].itemValue", "$.items[1:]",
                        "$.items[:1]", "$.items[*]", "$[*]"}) {
    auto v = sel(p, "{}");
    ASSERT_TRUE(v.has_value()) << p;
    EXPECT_EQ(*v, J("[]")) << p;
  }
}

TEST(JsonPath, SlicesFollowJaywayBounds) {
  const char* doc = R"({"v":[0,10,20,30,40,50]})";
  EXPECT_EQ(sel("$.v[1:3]", doc), J("[10,20]"));
  EXPECT_EQ(sel("$.v[3:]", doc), J("[30,40,50]"));
  EXPECT_EQ(sel("$.v[:2]", doc), J("[0,10]"));
  EXPECT_EQ(sel("$.v[-2:]", doc), J("[40,50]"));
  EXPECT_EQ(sel("$.v[:-4]", doc), J("[0,10]"));
  EXPECT_EQ(sel("$.v[4:100]", doc), J("[40,50]"));
  EXPECT_EQ(sel("$.v[3:1]", doc), J("[]"));
  EXPECT_EQ(sel("$.v[10:]", doc), J("[]"));
  EXPECT_FALSE(P("$.v[0:1]").is_definite());
}

TEST(JsonPath, IndexUnionIsIndefiniteInGivenOrder) {
  const char* doc = R"({"v":[0,10,20,30]})";
  auto p = P("$.v[2,0, -1]");
  EXPECT_FALSE(p.is_definite());
  EXPECT_EQ(p.select(J(doc)), J("[20,0,30]"));
  EXPECT_EQ(sel("$.v[0,9]", doc), J("[0]"));
}

TEST(JsonPath, LeafNameUnionMergesIntoObjectLikeJayway) {
  auto p = P("$['a','c']");
  EXPECT_TRUE(p.is_definite());
  EXPECT_EQ(p.select(J(R"({"a":1,"b":2,"c":3})")), J(R"({"a":1,"c":3})"));
  EXPECT_EQ(p.select(J(R"({"a":1})")), J(R"({"a":1})"));
}

TEST(JsonPath, InnerNameUnionIterates) {
  auto p = P("$['a','b'].x");
  EXPECT_FALSE(p.is_definite());
  EXPECT_EQ(p.select(J(R"({"b":{"x":2},"a":{"x":1},"c":{"x":3}})")), J("[1,2]"));
}

TEST(JsonPath, DeepScanFindsNamesInDocumentOrder) {
  auto p = P("$..author");
  EXPECT_FALSE(p.is_definite());
  EXPECT_EQ(p.select(J(kStore)), J(R"(["Rees","Waugh","Melville","Tolkien"])"));
  EXPECT_EQ(sel("$..price", kStore), J("[8.95,12.99,8.99,22.99,19.95]"));
  EXPECT_EQ(sel("$..a", R"({"a":{"a":1},"b":[{"a":2}]})"), J(R"([{"a":1},1,2])"));
}

TEST(JsonPath, DeepScanWildcardAndIndex) {
  EXPECT_EQ(sel("$..*", R"({"a":{"b":1},"c":[2]})"), J(R"([{"b":1},[2],1,2])"));
  EXPECT_EQ(sel("$..[0]", R"({"a":[[1,2],[3]]})"), J("[[1,2],1,3]"));
  EXPECT_EQ(sel("$.store..book[-1].title", kStore), J(R"(["LOTR"])"));
  EXPECT_EQ(sel("$..nothing", kStore), J("[]"));
}

TEST(JsonPath, DeepScanLeafNameUnionMergesPerObject) {
  EXPECT_EQ(sel("$..['a','b']", R"({"a":1,"x":{"b":2,"c":3},"y":[{"z":0}]})"),
            J(R"([{"a":1},{"b":2},{}])"));
}

TEST(JsonPath, DeepScanHandlesWideObjects) {
  Json doc = Json::object();
  for (int i = 0; i < 3000; ++i) doc.push_back({"k" + std::to_string(i), Json::object({{"id", i}})});
  auto v = P("$..id").select(doc);
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->size(), 3000u);
  EXPECT_EQ((*v)[2999], Json(2999));
}

TEST(JsonPath, DeepScanWalksDeepDocumentsIteratively) {
  std::string doc;
  for (int i = 0; i < 60; ++i) doc += R"({"k":)";
  doc += "1";
  for (int i = 0; i < 60; ++i) doc += "}";
  auto v = sel("$..k", doc);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->size(), 60u);
  EXPECT_EQ(v->back(), J("1"));
}

TEST(JsonPath, FilterComparesNumbers) {
  EXPECT_EQ(sel("$.store.book[?(@.price < 10)].title", kStore), J(R"(["Sayings","Moby Dick"])"));
  EXPECT_EQ(sel("$.store.book[?(@.price >= 12.99)].author", kStore), J(R"(["Waugh","Tolkien"])"));
  EXPECT_EQ(sel("$.store.book[?(@.price<=8.95)].author", kStore), J(R"(["Rees"])"));
  EXPECT_EQ(sel("$.store.book[?(@.price > 20)].author", kStore), J(R"(["Tolkien"])"));
  EXPECT_EQ(sel("$.v[?(@.x == 1)]", R"({"v":[{"x":1},{"x":1.0},{"x":"1"},{"x":2}]})"), J(R"([{"x":1},{"x":1.0}])"));
}

TEST(JsonPath, FilterComparesStringsBooleansAndNull) {
  EXPECT_EQ(sel("$.store.book[?(@.category == 'reference')].author", kStore), J(R"(["Rees"])"));
  EXPECT_EQ(sel(R"($.store.book[?(@.author != "Waugh")].price)", kStore), J("[8.95,8.99,22.99]"));
  EXPECT_EQ(sel("$.v[?(@.s < 'b')].s", R"({"v":[{"s":"a"},{"s":"b"},{"s":"B"}]})"), J(R"(["a","B"])"));
  EXPECT_EQ(sel("$.v[?(@.f == true)].i", R"({"v":[{"f":true,"i":1},{"f":false,"i":2},{"f":"true","i":3}]})"),
            J("[1]"));
  EXPECT_EQ(sel("$.v[?(@.n == null)].i", R"({"v":[{"n":null,"i":1},{"n":0,"i":2},{"i":3}]})"), J("[1]"));
}

TEST(JsonPath, FilterTypeMismatchIsFalseAndNotEqualsIsItsNegation) {
  const char* doc = R"({"v":[{"x":"10"},{"x":5},{"y":1}]})";
  EXPECT_EQ(sel("$.v[?(@.x < 10)]", doc), J(R"([{"x":5}])"));
  EXPECT_EQ(sel("$.v[?(@.x != 5)]", doc), J(R"([{"x":"10"},{"y":1}])"));
}

TEST(JsonPath, FilterExistenceAndLogic) {
  EXPECT_EQ(sel("$.store.book[?(@.isbn)].title", kStore), J(R"(["Moby Dick","LOTR"])"));
  EXPECT_EQ(sel("$.store.book[?(!@.isbn)].title", kStore), J(R"(["Sayings","Sword"])"));
  EXPECT_EQ(sel("$.store.book[?(@.price < 10 && @.isbn)].title", kStore), J(R"(["Moby Dick"])"));
  EXPECT_EQ(sel("$.store.book[?(@.price > 20 || @.category == 'reference')].title", kStore),
            J(R"(["Sayings","LOTR"])"));
  EXPECT_EQ(sel("$.store.book[?((@.price > 20 || @.price < 9) && @.isbn)].title", kStore),
            J(R"(["Moby Dick","LOTR"])"));
}

TEST(JsonPath, FilterCanReadTheRootAndTheItemItself) {
  EXPECT_EQ(sel("$.store.book[?(@.price > $.expensive)].author", kStore), J(R"(["Waugh","Tolkien"])"));
  EXPECT_EQ(sel("$.v[?(@ > 1)]", R"({"v":[1,2,3,"x"]})"), J("[2,3]"));
  EXPECT_EQ(sel("$.v[?(@['a b'] == 1)]", R"({"v":[{"a b":1},{"a b":2}]})"), J(R"([{"a b":1}])"));
}

TEST(JsonPath, FilterOnObjectTestsTheObjectItself) {
  EXPECT_EQ(sel("$.o[?(@.k == 1)]", R"({"o":{"k":1}})"), J(R"([{"k":1}])"));
  EXPECT_EQ(sel("$.o[?(@.k == 2)]", R"({"o":{"k":1}})"), J("[]"));
  EXPECT_EQ(sel("$..[?(@.k)]", R"({"a":[{"k":1},{"j":2}],"b":{"k":3}})"), J(R"([{"k":1},{"k":3}])"));
}

TEST(JsonPath, NormalizedUsesJaywayBracketForm) {
  EXPECT_EQ(P("$").normalized(), "$");
  EXPECT_EQ(P("$.a.b[0]").normalized(), "$['a']['b'][0]");
  EXPECT_EQ(P("$.NoSuchInputPath").normalized(), "$['NoSuchInputPath']");
  EXPECT_EQ(P(R"($["x"][*])").normalized(), R"($["x"][*])");
  EXPECT_EQ(P("$..a[1:3][:2][-1:]").normalized(), "$..['a'][1:3][:2][-1:]");
  EXPECT_EQ(P("$['a','b']").normalized(), "$['a','b']");
  EXPECT_EQ(P("$.a[0,1].*").normalized(), "$['a'][0,1][*]");
  EXPECT_EQ(P("$.a[?(@.x)]").normalized(), "$['a'][?]");
  EXPECT_EQ(P("$.a[-1]").text(), "$.a[-1]");
}

TEST(JsonPath, ExplainNoMatchUsesJaywayMessages) {
  // Recorded AWS: INVALID_JSONPATH_IN_INPUTPATH -> "No results for path: $['NoSuchInputPath']",
  // test_catch_states_runtime -> "Missing property in path $['no']".
  EXPECT_EQ(P("$.NoSuchInputPath").explain_no_match(J(R"({"int-literal":0})")),
            "No results for path: $['NoSuchInputPath']");
  EXPECT_EQ(P("$.no.such.result.path").explain_no_match(J("{}")), "Missing property in path $['no']");
  EXPECT_EQ(P("$.a.b").explain_no_match(J(R"({"a":{}})")), "No results for path: $['a']['b']");
  EXPECT_EQ(P("$.a[5]").explain_no_match(J(R"({"a":[1]})")), "No results for path: $['a'][5]");
  EXPECT_EQ(P("$.a[0]").explain_no_match(J(R"({"a":null})")), "The path $['a'] is null");
  EXPECT_NE(P("$.a.b").explain_no_match(J(R"({"a":"s"})")).find("Expected to find an object with property ['b']"),
            std::string::npos);
  EXPECT_EQ(P("$.a").explain_no_match(J(R"({"a":1})")), "");
  EXPECT_EQ(P("$.a[*]").explain_no_match(J("{}")), "");
}

// ------------------------------------------------------------- compile errors

TEST(JsonPath, RejectsEmptyAndNonDollarStart) {
  expect_rejected("", "empty");
  expect_rejected("a.b", "must start with '$'");
  expect_rejected("@.a", "must start with '$'");
}

TEST(JsonPath, RejectsCharacterAfterRoot) {
  expect_rejected("$a", "unexpected character 'a'");
  expect_rejected("$myVar", "expected '.' or '['");
}

TEST(JsonPath, RejectsTrailingDots) {
  expect_rejected("$.", "must not end with '.'");
  expect_rejected("$.a..", "must not end with '..'");
  expect_rejected("$...a", "unexpected '.'");
}

TEST(JsonPath, RejectsUnterminatedBracket) {
  expect_rejected("$.a[0", "unterminated '['");
  expect_rejected("$[", "unterminated '['");
  expect_rejected("$['a'", "unterminated '['");
  expect_rejected("$['a]", "unterminated quoted property name");
}

TEST(JsonPath, RejectsBadBracketContents) {
  expect_rejected("$[]", "empty brackets");
  expect_rejected("$[abc]", "invalid array index 'abc'");
  expect_rejected("$[1,]", "invalid array index ''");
  expect_rejected("$[+1]", "invalid array index '+1'");
  expect_rejected("$[99999999999999999999]", "invalid array index");
  expect_rejected("$['a' 'b']", "expected ',' or ']'");
  expect_rejected("$['a',]", "expected a quoted property name");
}

TEST(JsonPath, RejectsBadSlices) {
  expect_rejected("$[1:2:3]", "slice steps");
  expect_rejected("$[:]", "needs a start or an end");
  expect_rejected("$[a:]", "invalid slice start 'a'");
  expect_rejected("$[1:b]", "invalid slice end 'b'");
}

TEST(JsonPath, RejectsWhitespaceAndFunctionsInDottedNames) {
  expect_rejected("$.a b", "whitespace");
  expect_rejected("$.a.length()", "functions");
  expect_rejected("$.a]", "unexpected ']'");
}

TEST(JsonPath, RejectsBadFilters) {
  expect_rejected("$[?@.a]", "expected '('");
  expect_rejected("$[?(@.a == 1]", "unterminated filter");
  expect_rejected("$[?(@.a == 1)", "expected ']'");
  expect_rejected("$[?(@.a =~ /x/)]", "unsupported operator");
  expect_rejected("$[?(@.a == )]", "missing operand");
  expect_rejected("$[?(@.a == 'x)]", "unterminated");
  expect_rejected("$[?(1)]", "a literal alone");
  expect_rejected("$[?(@.a == 1 && (@.b == 2)]", "unterminated filter");
  expect_rejected("$[?(@.a == 1.2.3)]", "invalid number");
  expect_rejected("$[?(@.a b)]", "unsupported operator");
  expect_rejected("$[?(@..)]", "must not end with '..'");
}

TEST(JsonPath, RejectsFiltersNestedTooDeeply) {
  std::string text = "$";
  for (int i = 0; i < 20; ++i) text += "[?(@";
  for (int i = 0; i < 20; ++i) text += ")]";
  expect_rejected(text, "nested too deeply");
}

TEST(JsonPath, RejectsParenthesesNestedTooDeeply) {
  std::string text = "$[?(";
  for (int i = 0; i < 40; ++i) text += "(";
  text += "@.a";
  for (int i = 0; i < 40; ++i) text += ")";
  text += ")]";
  expect_rejected(text, "too deeply nested");
}

TEST(JsonPath, CopiesAndMovesKeepBehaviour) {
  JsonPath a = P("$.v[?(@ > 1)]");
  JsonPath b = a;
  JsonPath c = std::move(a);
  JsonPath d;
  d = b;
  EXPECT_EQ(b.select(J(R"({"v":[1,2]})")), J("[2]"));
  EXPECT_EQ(c.select(J(R"({"v":[1,3]})")), J("[3]"));
  EXPECT_EQ(d.normalized(), "$['v'][?]");
}

// ------------------------------------------------------------- ReferencePath

ReferencePath R(std::string_view text) {
  auto r = ReferencePath::compile(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? r.value() : ReferencePath();
}

void expect_ref_rejected(std::string_view text, std::string_view fragment) {
  auto r = ReferencePath::compile(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidDefinition);
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
}

// 200 objects of 8 scalars, nested 3 levels: ~2,000 nodes.
Json wide_document() {
  Json doc = Json::array();
  for (int i = 0; i < 200; ++i) {
    Json o = Json::object();
    for (int k = 0; k < 8; ++k) o["k" + std::to_string(k)] = Json{{"v", Json::array({i, k})}};
    doc.push_back(std::move(o));
  }
  return doc;
}

TEST(JsonPath, ExponentialScanStopsWithTheDocumentedError) {
  // A chain 60 levels deep: k chained `..*` select every k-long descending
  // chain, C(60, 6) = 50 million for k = 6.
  Json doc = Json::array({1});
  for (int i = 0; i < 60; ++i) doc = Json::array({std::move(doc), i});
  const JsonPath p = P("$..*..*..*..*..*..*");
  try {
    (void)p.select(doc);
    FAIL() << "expected SelectLimitExceeded";
  } catch (const SelectLimitExceeded& e) {
    EXPECT_NE(std::string(e.what()).find("$..*..*..*..*..*..*"), std::string::npos) << e.what();
  }
}

TEST(JsonPath, ScanPerFilterItemCountsAgainstTheSameLimit) {
  const Json doc = wide_document();
  // Every item re-scans the whole document from `$`.
  EXPECT_THROW((void)P("$..*[?($..*..*..*[?($..*..v)])]").select(doc), SelectLimitExceeded);
}

TEST(JsonPath, FullScanOfALargePayloadIsWithinTheLimit) {
  // ~256 KiB of small objects, the AWS payload limit.
  Json doc = Json::array();
  for (int i = 0; i < 12000; ++i) doc.push_back(Json{{"id", i}, {"tags", Json::array({"a", "b"})}});
  ASSERT_GE(doc.dump().size(), 256u * 1024u);
  auto all = P("$..*").select(doc);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 12000u * 5u);  // each item, its id, its tags, two tags
  auto ids = P("$..id").select(doc);
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->size(), 12000u);
}

TEST(ReferencePath, RootReplacesWholeTarget) {
  auto p = R("$");
  EXPECT_TRUE(p.is_root());
  Json t = J(R"({"a":1})");
  ASSERT_TRUE(p.assign(t, J("[1]")));
  EXPECT_EQ(t, J("[1]"));
  Json s = J(R"("str")");
  ASSERT_TRUE(p.assign(s, J("2")));
  EXPECT_EQ(s, J("2"));
}

TEST(ReferencePath, AssignsIntoExistingAndKeepsKeyOrder) {
  Json t = J(R"({"b":1,"a":{"x":1}})");
  ASSERT_TRUE(R("$.a.x").assign(t, J(R"("new")")));
  EXPECT_EQ(t.dump(), R"({"b":1,"a":{"x":"new"}})");
  ASSERT_TRUE(R("$.c").assign(t, J("3")));
  EXPECT_EQ(t.dump(), R"({"b":1,"a":{"x":"new"},"c":3})");
}

TEST(ReferencePath, CreatesMissingIntermediateObjects) {
  Json t = J(R"({"k":0})");
  ASSERT_TRUE(R("$.a.b['c d']").assign(t, J("true")));
  EXPECT_EQ(t, J(R"({"k":0,"a":{"b":{"c d":true}}})"));
  EXPECT_FALSE(R("$.a").is_root());
}

TEST(ReferencePath, AssignsArrayElementsInRange) {
  Json t = J(R"({"v":[1,{"x":2}]})");
  ASSERT_TRUE(R("$.v[0]").assign(t, J("9")));
  ASSERT_TRUE(R("$.v[1].x").assign(t, J("8")));
  ASSERT_TRUE(R("$.v[1].y.z").assign(t, J("7")));
  EXPECT_EQ(t, J(R"({"v":[9,{"x":8,"y":{"z":7}}]})"));
}

TEST(ReferencePath, FailsWithoutTouchingTargetWhenItCannotApply) {
  Json s = J(R"("text")");
  EXPECT_FALSE(R("$.x").assign(s, J("1")));
  EXPECT_EQ(s, J(R"("text")"));

  Json t = J(R"({"a":1,"v":[0]})");
  const Json before = t;
  EXPECT_FALSE(R("$.a.b").assign(t, J("1")));      // scalar in the way
  EXPECT_FALSE(R("$.v[1]").assign(t, J("1")));     // index out of range
  EXPECT_FALSE(R("$.v.x").assign(t, J("1")));      // name on an array
  EXPECT_FALSE(R("$.a[0]").assign(t, J("1")));     // index on a scalar
  EXPECT_FALSE(R("$.n.m[0]").assign(t, J("1")));   // would need a new array
  EXPECT_EQ(t, before);
}

TEST(ReferencePath, GetReadsOneNode) {
  Json t = J(R"({"a":{"b":[10,20]},"n":null})");
  EXPECT_EQ(R("$.a.b[1]").get(t), J("20"));
  EXPECT_EQ(R("$").get(t), t);
  EXPECT_EQ(R("$.n").get(t), J("null"));
  EXPECT_FALSE(R("$.a.c").get(t).has_value());
  EXPECT_FALSE(R("$.a.b[2]").get(t).has_value());
  EXPECT_FALSE(R("$.a.b.c").get(t).has_value());
  EXPECT_FALSE(R("$.a[0]").get(t).has_value());
  EXPECT_EQ(R("$.a").text(), "$.a");
}

TEST(ReferencePath, RejectsIndefiniteAndSpecialForms) {
  expect_ref_rejected("$..a", "deep scan");
  expect_ref_rejected("$.a[*]", "wildcards");
  expect_ref_rejected("$.*", "wildcards");
  expect_ref_rejected("$.a[1:2]", "slices");
  expect_ref_rejected("$.a[0,1]", "union of indexes");
  expect_ref_rejected("$['a','b']", "union of names");
  expect_ref_rejected("$.a[?(@.x)]", "filters");
  expect_ref_rejected("$.a[-1]", "negative");
  expect_ref_rejected("$.a@b", "@ , : ? *");
  expect_ref_rejected("$.a:b", "@ , : ? *");
  expect_ref_rejected("a", "must start with '$'");
  expect_ref_rejected("$.a[", "unterminated");
}

}  // namespace
}  // namespace stepfiber::path
