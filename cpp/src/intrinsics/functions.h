// Internal to intrinsics/: the function table entry type, the functions of
// each AWS doc category (one .cpp each) and helpers they share.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors/state_error.h"
#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::intrinsics::detail {

/// Expected type of an argument; literal arguments are checked at compile
/// time, evaluated ones by the function at run time.
enum class ArgType {
  kAny,
  kString,
  kNumber,   ///< any JSON number (MathAdd / MathRandom round it like Java)
  kInteger,  ///< a number with an integral value
  kBoolean,
  kArray,
  kObject,
  kScalar,   ///< string, number, boolean or null (used where AWS documents it)
};

/// One call being evaluated. `args` are the evaluated argument values (the
/// function may move from them).
struct Invocation {
  std::string_view name;  ///< "States.Format"
  std::string_view text;  ///< the call's source text, for causes
  std::vector<Json>& args;
  /// Per argument: the text between the quotes, escapes kept, when the
  /// argument is a string literal (States.Format needs to tell `\{` from `{`).
  const std::vector<std::optional<std::string>>& raw_strings;
};

/// What a compile-time check sees of one argument.
struct ArgInfo {
  bool literal = false;        ///< a literal (string, number, true/false/null)
  const Json* value = nullptr;  ///< the literal value, when literal
  const std::string* raw = nullptr;  ///< raw string literal text, when a string literal
};

using Fn = asl::Eval<Json> (*)(Invocation& call);
/// Extra compile-time validation beyond arity and literal types; returns a
/// message (empty when fine).
using Check = std::string (*)(std::string_view name, const std::vector<ArgInfo>& args);

inline constexpr std::size_t kVariadic = std::numeric_limits<std::size_t>::max();

struct FunctionSpec {
  std::string_view name;  ///< full name, "States.Format"
  std::size_t min_args;
  std::size_t max_args;          ///< kVariadic for no upper bound
  std::array<ArgType, 3> params;  ///< types of the first three parameters
  ArgType rest;                   ///< type of every later parameter
  Fn fn;
  Check check;  ///< nullable
};

/// The function named `name` ("States.Format"), or nullptr.
const FunctionSpec* find_function(std::string_view name) noexcept;

/// Type expected for argument `index` of `spec`.
inline ArgType param_type(const FunctionSpec& spec, std::size_t index) {
  return index < spec.params.size() ? spec.params[index] : spec.rest;
}

bool matches(ArgType type, const Json& v);
/// "a string", "an integer", ... for messages.
const char* describe(ArgType type);

/// States.IntrinsicFailure naming the call.
asl::Eval<Json> failure(const Invocation& call, const std::string& detail);
/// Checks every argument against the spec's types; the failure to return, or nullopt.
std::optional<asl::Eval<Json>> check_types(const FunctionSpec& spec, const Invocation& call);

/// Java's Math.round(double): floor(x + 0.5) computed exactly. nullopt when
/// the result does not fit an int64.
std::optional<std::int64_t> java_round(double x);
/// An integral JSON number as int64 (2.0 counts), or nullopt.
std::optional<std::int64_t> integral_value(const Json& v);

/// Maximum input length of Base64Encode/Base64Decode/Hash (AWS DG).
inline constexpr std::size_t kMaxEncodingInput = 10000;
/// Maximum number of items ArrayRange may create (AWS DG).
inline constexpr std::int64_t kMaxRangeItems = 1000;

// ---- array_functions.cpp --------------------------------------------------
asl::Eval<Json> array(Invocation& call);
asl::Eval<Json> array_partition(Invocation& call);
asl::Eval<Json> array_contains(Invocation& call);
asl::Eval<Json> array_range(Invocation& call);
asl::Eval<Json> array_get_item(Invocation& call);
asl::Eval<Json> array_length(Invocation& call);
asl::Eval<Json> array_unique(Invocation& call);

// ---- string_functions.cpp -------------------------------------------------
asl::Eval<Json> format(Invocation& call);
asl::Eval<Json> string_split(Invocation& call);
asl::Eval<Json> string_to_json(Invocation& call);
asl::Eval<Json> json_to_string(Invocation& call);
std::string check_format(std::string_view name, const std::vector<ArgInfo>& args);
std::string check_path_argument(std::string_view name, const std::vector<ArgInfo>& args);

/// Pieces of a States.Format template between its `{}` placeholders (n
/// placeholders give n + 1 pieces). With `escaped`, the text still has the
/// literal's escapes: `\{` is a literal brace, never a placeholder.
std::vector<std::string> split_format_template(std::string_view text, bool escaped);
/// How States.Format prints a value: Java's String.valueOf of the Jackson
/// value (Double.toString for floats, `{k=v, ...}` for objects, `[a, b]`
/// for arrays, strings unquoted).
std::string java_string(const Json& v);
/// Java's Double.toString.
std::string java_double(double d);

// ---- math_functions.cpp ---------------------------------------------------
asl::Eval<Json> math_random(Invocation& call);
asl::Eval<Json> math_add(Invocation& call);

// ---- encoding_functions.cpp -----------------------------------------------
asl::Eval<Json> base64_encode(Invocation& call);
asl::Eval<Json> base64_decode(Invocation& call);
asl::Eval<Json> hash(Invocation& call);
asl::Eval<Json> uuid(Invocation& call);
asl::Eval<Json> json_merge(Invocation& call);

/// Lower-case hex digest of `data` with "MD5", "SHA-1", "SHA-256", "SHA-384"
/// or "SHA-512"; nullopt for any other algorithm name.
std::optional<std::string> hex_digest(std::string_view algorithm, std::string_view data);

}  // namespace stepfiber::intrinsics::detail
