// A JSONPath Wait state's SecondsPath and TimestampPath values: what AWS
// accepts and the States.Runtime cause it gives otherwise. Shared by an
// execution's Frame (frame.cpp) and TestState (test_state.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "choice/timestamp.h"
#include "stepfiber/json.h"

namespace stepfiber::engine {

/// SecondsPath's value `v` (null when the path matched nothing) as whole
/// seconds, or AWS's cause (recorded): not found or not an integer, "does
/// not reference an input value"; a fraction, "cannot be parsed as a long
/// value"; below zero, "references a negative value".
std::variant<std::int64_t, std::string> wait_seconds_from_path(const std::string& path, const Json* v);

/// TimestampPath's value `v` (null when the path matched nothing) as a
/// timestamp, or AWS's cause (recorded).
std::variant<choice::Timestamp, std::string> wait_timestamp_from_path(const std::string& path, const Json* v);

}  // namespace stepfiber::engine
