// AWS JSON 1.0 wire details shared by the handlers and the Service:
// timestamps as epoch seconds, error bodies, optional members.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::api {

/// Engine milliseconds -> the wire's epoch-seconds number (1578505766.01).
Json timestamp(std::int64_t ms);

/// `{"__type": "<namespace>#<Code>", "message": ...}` for an error Status.
std::string error_body(const Status& status);
/// The HTTP status for an error (400 for every modelled error).
int error_http_status(const Status& status);

/// A request member as a string, or nullopt when absent or null.
std::optional<std::string> opt_string(const Json& request, std::string_view member);
/// A request member as a string ("" when absent: only for required members).
std::string str(const Json& request, std::string_view member);
std::optional<std::int64_t> opt_int(const Json& request, std::string_view member);
std::optional<bool> opt_bool(const Json& request, std::string_view member);

}  // namespace stepfiber::api
