// RFC 3339 timestamps as Step Functions accepts them (Choice Timestamp*
// operators, IsTimestamp, Wait Timestamp/TimestampPath).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stepfiber::choice {

/// A point in time: seconds since the Unix epoch (UTC) plus nanoseconds.
struct Timestamp {
  std::int64_t seconds = 0;
  std::int32_t nanos = 0;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

/// Parses `2016-03-14T01:59:00Z`, `2016-03-14T01:59:00.123Z`,
/// `2016-03-14T01:59:00+01:00`. Uppercase `T` and `Z` only; the date must be
/// real (month 1-12, day valid for the month). nullopt when not a timestamp.
std::optional<Timestamp> parse_timestamp(std::string_view text);

/// ISO-8601 UTC with millisecond precision, e.g. `2024-01-02T03:04:05.678Z`.
std::string format_timestamp_millis(std::int64_t epoch_millis);

}  // namespace stepfiber::choice
