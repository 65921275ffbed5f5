// nextToken/maxResults pagination, shared by every List* operation.
//
// A token is URL-safe base64 of {"op", "scope", "after"}: the operation,
// the scope it was issued for (e.g. the execution ARN) and a cursor. Cursors
// are keys, not offsets, so a page boundary survives items being added
// between calls. A token that does not decode, or was issued for another
// operation or scope, is InvalidToken ("Invalid Token: 'Invalid token'").
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::api {

/// One page of a list.
struct PageRange {
  std::size_t begin = 0, end = 0;     ///< [begin, end) of the full list
  std::optional<std::string> next;   ///< nextToken, when items remain
};

/// The page of `count` items that `request` asks for (`maxResults`: 0 or
/// absent = 100; `nextToken`). `key(i)` is item i's cursor; `start_after`
/// finds the first index after a cursor (nullopt: the cursor is gone or
/// of the wrong type -> InvalidToken).
Result<PageRange> paginate(const Json& request, std::string_view operation, const std::string& scope, std::size_t count,
                           const std::function<Json(std::size_t)>& key,
                           const std::function<std::optional<std::size_t>(const Json&)>& start_after);

}  // namespace stepfiber::api
