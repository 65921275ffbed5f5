// Tests for JSONata built-ins: strings (code points vs UTF-16), numbers,
// regexes, $sort, pictures and Step Functions' functions.
#include <gtest/gtest.h>

#include "jsonata_test_util.h"

namespace stepfiber::jsonata {
namespace {

using testing::eval;

TEST(JsonataFunctions, LengthCountsCodePointsRegexCountsUtf16) {
  EXPECT_EQ(eval("$length('\xF0\x9F\x98\x80" "a')"), "2");
  EXPECT_EQ(eval("$substring('\xF0\x9F\x98\x80" "ab', 1)"), "\"ab\"");
  EXPECT_EQ(eval("$match('\xF0\x9F\x98\x80" "a', /a/).index"), "2");
}

TEST(JsonataFunctions, StringOfNumbersUses15Digits) {
  EXPECT_EQ(eval("$string(0.1 + 0.2)"), "\"0.3\"");
  EXPECT_EQ(eval("$string(1e21)"), "\"1e+21\"");
  EXPECT_EQ(eval("0.1 + 0.2"), "0.30000000000000004");
  EXPECT_EQ(eval("$string(1/0)"), "error D3001");
}

TEST(JsonataFunctions, RegexFunctions) {
  EXPECT_EQ(eval("$replace('abcabc', /b(c)/, '[$1]')"), "\"a[c]a[c]\"");
  EXPECT_EQ(eval("$split('a1b22c', /[0-9]+/)"), R"(["a","b","c"])");
  EXPECT_EQ(eval("$contains('Hello', /^h/i)"), "true");
  EXPECT_EQ(eval("$match('aaa', /x*/)"), "error D1004");
  EXPECT_EQ(eval("$replace('a b', /\\s/, '_')"), "\"a_b\"");
}

TEST(JsonataFunctions, SortIsStableMergeSort) {
  EXPECT_EQ(eval("$sort([3,1,2])"), "[1,2,3]");
  EXPECT_EQ(eval("$sort([{'a':1,'i':0},{'a':0,'i':1},{'a':1,'i':2}], function($l,$r){$l.a > $r.a}).i"), "[1,0,2]");
  EXPECT_EQ(eval("$sort([1,'a'])"), "error D3070");
}

TEST(JsonataFunctions, RoundIsHalfToEven) {
  EXPECT_EQ(eval("$round(2.5)"), "2");
  EXPECT_EQ(eval("$round(3.5)"), "4");
  EXPECT_EQ(eval("$round(1.005, 2)"), "1");
}

TEST(JsonataFunctions, Pictures) {
  EXPECT_EQ(eval("$formatNumber(1234.5678, '#,##0.00')"), "\"1,234.57\"");
  EXPECT_EQ(eval("$formatInteger(2024, 'I')"), "\"MMXXIV\"");
  EXPECT_EQ(eval("$parseInteger('twelve', 'w')"), "12");
  EXPECT_EQ(eval("$fromMillis(0)"), "\"1970-01-01T00:00:00.000Z\"");
  EXPECT_EQ(eval("$fromMillis(1521801216617, '[D1o] [MNn] [Y]', '+0100')"), "\"23rd March 2018\"");
  EXPECT_EQ(eval("$toMillis('2018-03-23T10:33:36.617Z')"), "1521801216617");
  EXPECT_EQ(eval("$toMillis('23/03/2018', '[D]/[M]/[Y]')"), "1521763200000");
}

// A timezone parseInt cannot read, or a time past JavaScript's +-8.64e15 ms, is an Invalid
// Date: its fields are NaN (found by fuzz_jsonata: a NaN cast to an integer).
TEST(JsonataFunctions, InvalidDatesPrintNaN) {
  EXPECT_EQ(eval("$fromMillis(0, '[Y0001]-[M01] [D1o] [MNn]', '[D]/x')"), "\"0NaN-NaN NaNth undefined\"");
  EXPECT_EQ(eval("$fromMillis(1e300, '[Y]')"), "\"NaN\"");
  EXPECT_EQ(eval("$fromMillis(8.64e15, '[Y]')"), "\"275760\"");
  EXPECT_EQ(eval("$fromMillis(0, '[Yw] [FNn] [W]', 'x')"), "\"NaN undefined NaN\"");
}

TEST(JsonataFunctions, StepFunctionsFunctionsNeedTheOption) {
  EXPECT_EQ(eval("$uuid()"), "error T1006");
  EvaluateOptions o;
  o.sfn_functions = true;
  EXPECT_EQ(eval("$random(42)", "", o), "0.7275636800328681");
  EXPECT_EQ(eval("$partition([1,2,3,4,5], 2)", "", o), "[[1,2],[3,4],[5]]");
  EXPECT_EQ(eval("$range(0, 10, 5)", "", o), "[0,5,10]");
  EXPECT_EQ(eval("$range(1, 1)", "", o), "1");
  EXPECT_EQ(eval("$hash('abc', 'SHA-256')", "", o),
            "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"");
  EXPECT_EQ(eval("$hash('abc', 'MD5')", "", o), "\"900150983cd24fb0d6963f7d28e17f72\"");
  EXPECT_EQ(eval("$hash('abc', 'SHA-1')", "", o), "\"a9993e364706816aba3e25717850c26c9cd0d89d\"");
  EXPECT_EQ(eval("$hash('abc', 'SHA-384')", "", o),
            "\"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7\"");
  EXPECT_EQ(eval("$hash('abc', 'SHA-512')", "", o),
            "\"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
            "454d4423643ce80e2a9ac94fa54ca49f\"");
  EXPECT_EQ(eval("$hash('abc', 'CRC32')", "", o), "error D3137");
  EXPECT_EQ(eval("$parse('{\"a\":1}').a", "", o), "1");
  EXPECT_EQ(eval("$parse('{\"a\":1,\"a\":2}')", "", o), "error D3137");
  EXPECT_EQ(eval("$parse('{} x')", "", o), "error D3137");
  EXPECT_EQ(eval("$length($uuid())", "", o), "36");
}

}  // namespace
}  // namespace stepfiber::jsonata
