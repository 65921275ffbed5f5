// The messages Jackson (the JSON parser behind AWS Step Functions) gives for
// the common syntax errors, so that a request AWS refuses with Jackson's
// words gets the same words here (e.g. StartExecution's
// "Invalid State Machine Execution Input: '<message>'", recorded).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stepfiber::json {

/// Jackson's message for the first syntax error of `text`, for the errors
/// whose wording is known: an unrecognized token where a value belongs, an
/// unexpected character where a value, a field name's quote, a colon or a
/// comma belongs. nullopt when `text` parses or its first error is of
/// another kind (the caller keeps its own message).
std::optional<std::string> jackson_syntax_error(std::string_view text);

}  // namespace stepfiber::json
