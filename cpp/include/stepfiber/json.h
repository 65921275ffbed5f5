// The engine's JSON value type and its one parser entry point.
//
// Json is nlohmann::ordered_json: AWS (Jackson) keeps object key order, and
// that order is visible in outputs (history, States.JsonToString, ...).
// All text -> Json parsing goes through parse_json(), which uses simdjson.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "stepfiber/status.h"

namespace stepfiber {

using Json = nlohmann::ordered_json;

/// Deepest JSON nesting accepted anywhere (input, task output, handler
/// result). JSON work runs on the engine thread's main stack, not on the
/// 16 KiB fiber stacks, but some operations still recurse on depth, so
/// deeper documents are rejected with a clear error instead.
inline constexpr std::size_t kMaxJsonDepth = 512;

/// Parses JSON text with simdjson. On failure the Status message describes
/// the problem (and names the nesting limit when that is the cause); its
/// code is `error_code`.
Result<Json> parse_json(std::string_view text,
                        ErrorCode error_code = ErrorCode::kValidationException);

/// Compact serialisation as AWS prints payloads (no spaces, UTF-8 kept).
std::string dump_json(const Json& value);
/// Appends `s` as a JSON string literal, escaped exactly as dump_json escapes
/// strings (so text built with it matches dump_json of the same document).
void append_json_string(std::string& out, const std::string& s);

/// The ASL/Jackson type name used in AWS messages: NULL, OBJECT, ARRAY,
/// BOOLEAN, INTEGER, NUMBER or STRING.
const char* asl_type_name(const Json& value) noexcept;

/// Nesting depth of a value (a scalar is 0, [] is 1). Iterative.
std::size_t json_depth(const Json& value);

}  // namespace stepfiber
