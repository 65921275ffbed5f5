// Service-side request checks, driven by the model (api/model.h).
//
// Two stages, as AWS's JSON 1.0 front end answers them:
//  1. types: a member whose JSON type does not fit its shape is a
//     SerializationException (the request cannot be read at all);
//  2. constraints: missing required members, lengths, ranges, patterns and
//     enums, all collected into one ValidationException worded as AWS
//     words it: "2 validation errors detected: Value 'x' at 'name' failed
//     to satisfy constraint: Member must ...; Value null at ...".
// Members the shape does not name are ignored, as AWS ignores them, and a
// JSON null counts as absent.
#pragma once

#include "api/model.h"
#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::api {

/// Checks `request` (a JSON object) against `input`; OK or the error.
Status validate_request(const Shape& input, const Json& request);

}  // namespace stepfiber::api
