// The engine's JSON value type and its one parser entry point.
//
// Json is nlohmann::ordered_json: AWS (Jackson) keeps object key order, and
// that order is visible in outputs (history, States.JsonToString, ...).
// All text -> Json parsing goes through parse_json(), which uses simdjson.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "stepfiber/status.h"

namespace stepfiber {

using Json = nlohmann::ordered_json;

/// Deepest JSON nesting accepted anywhere JSON enters (definitions,
/// execution input, task output, handler results, request bodies): 1,000
/// open objects/arrays, the default of Jackson's
/// StreamReadConstraints.maxNestingDepth (2.15+), the parser AWS uses.
/// JSON work runs on the engine thread's main stack, not on the 16 KiB
/// fiber stacks; what recurses on data depth does so within this bound.
inline constexpr std::size_t kMaxJsonDepth = 1000;

/// The message for a document nested deeper than kMaxJsonDepth, worded as
/// Jackson words it: "Document nesting depth (1001) exceeds the maximum
/// allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)".
/// Inline: the JSONata library (which links no parser) words it too.
inline constexpr std::string_view kNestingDepthMessageStart = "Document nesting depth (";
inline std::string nesting_depth_message(std::size_t depth = kMaxJsonDepth + 1) {
  return std::string(kNestingDepthMessageStart) + std::to_string(depth) + ") exceeds the maximum allowed (" +
         std::to_string(kMaxJsonDepth) + ", from `StreamReadConstraints.getMaxNestingDepth()`)";
}

/// Whether a parse_json() failure is the nesting limit (its message is
/// nesting_depth_message()).
inline bool is_nesting_depth_error(const Status& status) {
  return !status.ok() && status.message().starts_with(kNestingDepthMessageStart);
}

/// Parses JSON text with simdjson. On failure the Status message describes
/// the problem (nesting_depth_message() when that is the cause); its code
/// is `error_code`.
Result<Json> parse_json(std::string_view text,
                        ErrorCode error_code = ErrorCode::kValidationException);

/// Compact serialisation as AWS prints payloads (no spaces, UTF-8 kept).
std::string dump_json(const Json& value);
/// Appends `s` as a JSON string literal, escaped exactly as dump_json escapes
/// strings (so text built with it matches dump_json of the same document).
void append_json_string(std::string& out, const std::string& s);

/// Appends the ASCII byte `c` (< 0x80) as it stands inside a JSON string
/// literal: a short escape (\" \\ \b \f \n \r \t), \u00xx for another control
/// character, else the byte. dump_json and JavaScript's JSON.stringify agree
/// on all of ASCII.
inline void append_json_escaped_ascii(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (c < 0x20) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      } else {
        out += static_cast<char>(c);
      }
  }
}

/// Builds a compact JSON object as text, member by member, with the bytes
/// dump_json would print for the same ordered object. Keys are plain ASCII
/// names (they are not escaped). Used for history details, which are kept
/// as text, so that no document is built only to be printed.
class JsonObjectText {
 public:
  JsonObjectText() = default;
  /// Reserves room for `capacity` bytes of text up front.
  explicit JsonObjectText(std::size_t capacity) { text_.reserve(capacity); }
  /// `"key":"value"`, the value escaped as a JSON string.
  JsonObjectText& string(std::string_view key, const std::string& value);
  /// `"key":<json_text>`, the value already serialised (dump_json's form).
  JsonObjectText& json(std::string_view key, std::string_view json_text);
  /// `"key":<value>`.
  JsonObjectText& number(std::string_view key, std::int64_t value);
  /// The finished object's text.
  std::string finish() &&;

 private:
  void key(std::string_view key);
  std::string text_ = "{";
};

/// The ASL/Jackson type name used in AWS messages: NULL, OBJECT, ARRAY,
/// BOOLEAN, INTEGER, NUMBER or STRING.
const char* asl_type_name(const Json& value) noexcept;

/// Nesting depth of a value (a scalar is 0, [] is 1). Iterative.
std::size_t json_depth(const Json& value);

}  // namespace stepfiber
