// Tests for RFC 3339 timestamp parsing and millisecond formatting.
#include "choice/timestamp.h"

#include <gtest/gtest.h>

namespace stepfiber::choice {
namespace {

std::int64_t secs(std::string_view text) {
  auto t = parse_timestamp(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? t->seconds : -1;
}

TEST(Timestamp, ParsesUtcSeconds) {
  EXPECT_EQ(secs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(secs("2016-03-14T01:59:00Z"), 1457920740);
  EXPECT_EQ(secs("2012-10-09T19:00:55Z"), 1349809255);
  EXPECT_EQ(parse_timestamp("2016-03-14T01:59:00Z")->nanos, 0);
}

TEST(Timestamp, ParsesDatesBeforeTheEpoch) {
  EXPECT_EQ(secs("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(secs("0001-01-01T00:00:00Z"), -62135596800);
  EXPECT_EQ(secs("9999-12-31T23:59:59Z"), 253402300799);
}

TEST(Timestamp, FractionsOfAnyLength) {
  // Recorded AWS cases: ".00Z" accepted, 9-digit nanos accepted.
  EXPECT_EQ(parse_timestamp("2026-11-21T10:35:05.00Z")->nanos, 0);
  EXPECT_EQ(parse_timestamp("2016-03-05T21:29:29.243167252Z")->nanos, 243167252);
  EXPECT_EQ(parse_timestamp("2016-03-14T01:59:00.1Z")->nanos, 100000000);
  EXPECT_EQ(parse_timestamp("2016-03-14T01:59:00.123Z")->nanos, 123000000);
  auto long_fraction = parse_timestamp("2016-03-14T01:59:00.1234567891234Z");
  ASSERT_TRUE(long_fraction.has_value());
  EXPECT_EQ(long_fraction->nanos, 123456789);
}

TEST(Timestamp, NumericOffsetsShiftToUtc) {
  EXPECT_EQ(secs("2016-03-14T01:59:00+01:00"), 1457920740 - 3600);
  EXPECT_EQ(secs("2016-03-14T01:59:00-05:30"), 1457920740 + 5 * 3600 + 30 * 60);
  EXPECT_EQ(secs("2016-03-14T01:59:00+00:00"), 1457920740);
  EXPECT_EQ(*parse_timestamp("2012-10-09T20:00:55+01:00"), *parse_timestamp("2012-10-09T19:00:55Z"));
}

TEST(Timestamp, OrdersBySecondsThenNanos) {
  auto a = *parse_timestamp("2012-10-09T19:00:55Z");
  auto b = *parse_timestamp("2012-10-09T19:00:55.001Z");
  auto c = *parse_timestamp("2012-10-09T19:00:56Z");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(a, *parse_timestamp("2012-10-09T19:00:55.000Z"));
}

TEST(Timestamp, AcceptsLeapDayOnlyInLeapYears) {
  EXPECT_TRUE(parse_timestamp("2024-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(parse_timestamp("2000-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(parse_timestamp("2023-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(parse_timestamp("1900-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(parse_timestamp("2024-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(parse_timestamp("2024-04-31T00:00:00Z").has_value());
  EXPECT_TRUE(parse_timestamp("2024-12-31T00:00:00Z").has_value());
}

TEST(Timestamp, RejectsFormsAwsRejects) {
  // Recorded AWS cases (test_wait_timestamp_invalid / _path / test_wait_timestamppath).
  for (const char* bad : {"2016-13-05T21:29:29Z", "05-12-2016T21:29:29Z", "2016-12-05T25:29:29Z",
                          "2016-12-05 21:29:29Z", "2016-12-05T21:29:29", "2026-11-21T10:35:05.000000",
                          "{% '2016-03-14T01:59:00Z' %}"}) {
    EXPECT_FALSE(parse_timestamp(bad).has_value()) << bad;
  }
}

TEST(Timestamp, RejectsLowercaseAndMalformedParts) {
  for (const char* bad :
       {"2016-03-14t01:59:00Z", "2016-03-14T01:59:00z", "", "2016-03-14", "2016-03-14T01:59Z", "2016-3-14T01:59:00Z",
        "2016-03-14T01:59:60Z", "2016-03-14T01:60:00Z", "2016-00-14T01:59:00Z", "2016-03-00T01:59:00Z",
        "2016-03-14T01:59:00.Z", "2016-03-14T01:59:00+0100", "2016-03-14T01:59:00+24:00", "2016-03-14T01:59:00+01:60",
        "2016-03-14T01:59:00Z ", " 2016-03-14T01:59:00Z", "2016-03-14T01:59:00ZZ", "2016-03-14T01:59:00+01",
        "2023-02-24 12:15:56.832957", "+2016-03-14T01:59:00Z", "2016-03-14T01:59:00.12a3Z"}) {
    EXPECT_FALSE(parse_timestamp(bad).has_value()) << bad;
  }
}

TEST(Timestamp, FormatsMillisInUtc) {
  EXPECT_EQ(format_timestamp_millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_timestamp_millis(1457920740123), "2016-03-14T01:59:00.123Z");
  EXPECT_EQ(format_timestamp_millis(1709164800000), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(format_timestamp_millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_timestamp_millis(-86400000), "1969-12-31T00:00:00.000Z");
}

TEST(Timestamp, FormatRoundTripsThroughParse) {
  for (std::int64_t ms : {0LL, 1LL, 999LL, 1349809255007LL, 951782400000LL, 253402300799999LL, -62135596800000LL}) {
    auto t = parse_timestamp(format_timestamp_millis(ms));
    ASSERT_TRUE(t.has_value()) << ms;
    EXPECT_EQ(t->seconds * 1000 + t->nanos / 1000000, ms);
  }
}

}  // namespace
}  // namespace stepfiber::choice
