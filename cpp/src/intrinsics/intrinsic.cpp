// Intrinsic: the recursive-descent parser for `States.Foo(arg, ...)`, the call
// tree evaluator, and the explicit function table.
#include "intrinsics/intrinsic.h"

#include <cmath>
#include <exception>
#include <utility>
#include <vector>

#include "errors/error_names.h"
#include "intrinsics/functions.h"
#include "intrinsics/value_expr.h"

namespace stepfiber::intrinsics {

namespace detail {
namespace {

using T = ArgType;

// Name -> (arity range, parameter types, function). Kept in AWS doc order.
constexpr FunctionSpec kFunctions[] = {
    // Arrays
    {"States.Array", 0, kVariadic, {T::kAny, T::kAny, T::kAny}, T::kAny, array, nullptr},
    {"States.ArrayPartition", 2, 2, {T::kArray, T::kInteger, T::kAny}, T::kAny, array_partition, nullptr},
    {"States.ArrayContains", 2, 2, {T::kArray, T::kAny, T::kAny}, T::kAny, array_contains, nullptr},
    {"States.ArrayRange", 3, 3, {T::kInteger, T::kInteger, T::kInteger}, T::kAny, array_range, nullptr},
    {"States.ArrayGetItem", 2, 2, {T::kArray, T::kInteger, T::kAny}, T::kAny, array_get_item, nullptr},
    {"States.ArrayLength", 1, 1, {T::kArray, T::kAny, T::kAny}, T::kAny, array_length, nullptr},
    {"States.ArrayUnique", 1, 1, {T::kArray, T::kAny, T::kAny}, T::kAny, array_unique, nullptr},
    // Encoding and decoding
    {"States.Base64Encode", 1, 1, {T::kString, T::kAny, T::kAny}, T::kAny, base64_encode, nullptr},
    {"States.Base64Decode", 1, 1, {T::kString, T::kAny, T::kAny}, T::kAny, base64_decode, nullptr},
    // Hash calculation
    {"States.Hash", 2, 2, {T::kAny, T::kString, T::kAny}, T::kAny, hash, nullptr},
    // JSON data manipulation
    {"States.JsonMerge", 3, 3, {T::kObject, T::kObject, T::kBoolean}, T::kAny, json_merge, nullptr},
    {"States.StringToJson", 1, 1, {T::kString, T::kAny, T::kAny}, T::kAny, string_to_json, nullptr},
    {"States.JsonToString", 1, 1, {T::kAny, T::kAny, T::kAny}, T::kAny, json_to_string, check_path_argument},
    // Math operations
    {"States.MathRandom", 2, 3, {T::kNumber, T::kNumber, T::kInteger}, T::kAny, math_random, nullptr},
    {"States.MathAdd", 2, 2, {T::kNumber, T::kNumber, T::kAny}, T::kAny, math_add, nullptr},
    // String operation
    {"States.StringSplit", 2, 2, {T::kString, T::kString, T::kAny}, T::kAny, string_split, nullptr},
    // Unique ID generation
    {"States.UUID", 0, 0, {T::kAny, T::kAny, T::kAny}, T::kAny, uuid, nullptr},
    // Generic
    {"States.Format", 1, kVariadic, {T::kString, T::kAny, T::kAny}, T::kAny, format, check_format},
};

}  // namespace

const FunctionSpec* find_function(std::string_view name) noexcept {
  for (const auto& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool matches(ArgType type, const Json& v) {
  switch (type) {
    case ArgType::kAny: return true;
    case ArgType::kString: return v.is_string();
    case ArgType::kNumber: return v.is_number();
    case ArgType::kInteger: return integral_value(v).has_value();
    case ArgType::kBoolean: return v.is_boolean();
    case ArgType::kArray: return v.is_array();
    case ArgType::kObject: return v.is_object();
    case ArgType::kScalar: return !v.is_structured();
  }
  return false;
}

const char* describe(ArgType type) {
  switch (type) {
    case ArgType::kAny: return "any value";
    case ArgType::kString: return "a string";
    case ArgType::kNumber: return "a number";
    case ArgType::kInteger: return "an integer";
    case ArgType::kBoolean: return "a boolean";
    case ArgType::kArray: return "an array";
    case ArgType::kObject: return "a JSON object";
    case ArgType::kScalar: return "a string, number, boolean or null";
  }
  return "a value";
}


asl::Eval<Json> failure(const Invocation& call, const std::string& detail) {
  return asl::Eval<Json>::failure(asl::make_error(std::string(asl::errors::kIntrinsicFailure),
                                                  "Invalid arguments in " + std::string(call.name) + " ('" +
                                                      std::string(call.text) + "'): " + detail));
}

std::optional<asl::Eval<Json>> check_types(const FunctionSpec& spec, const Invocation& call) {
  for (std::size_t i = 0; i < call.args.size(); ++i) {
    const ArgType t = param_type(spec, i);
    if (!matches(t, call.args[i])) {
      std::string shown = dump_json(call.args[i]);
      if (shown.size() > 256) shown = shown.substr(0, 256) + "...";
      return failure(call, "argument " + std::to_string(i + 1) + " must be " + describe(t) + ", but was " +
                               asl_type_name(call.args[i]) + " " + shown);
    }
  }
  return std::nullopt;
}

std::optional<std::int64_t> java_round(double x) {
  if (!std::isfinite(x)) return std::nullopt;
  const double f = std::floor(x);
  const double r = (x - f) >= 0.5 ? f + 1.0 : f;  // x - floor(x) is exact
  if (r < -9223372036854775808.0 || r >= 9223372036854775808.0) return std::nullopt;
  return static_cast<std::int64_t>(r);
}

std::optional<std::int64_t> integral_value(const Json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || std::floor(d) != d) return std::nullopt;
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace detail

// ---- call tree ----------------------------------------------------------------

namespace {

struct Arg {
  enum class Kind { kLiteral, kExpr, kCall };
  Kind kind = Kind::kLiteral;
  Json literal;                                   // kLiteral
  path::ValueExpr expr;                           // kExpr: path, context path, variable
  std::shared_ptr<const Intrinsic::Call> call;    // kCall
};

}  // namespace

struct Intrinsic::Call {
  const detail::FunctionSpec* spec = nullptr;
  std::string text;
  std::vector<Arg> args;
  std::vector<std::optional<std::string>> raw_strings;
};

namespace {

Status invalid(std::string message) { return Status(ErrorCode::kInvalidDefinition, std::move(message)); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view field) : s_(text), field_(field) {}

  bool uses_context = false;
  bool uses_variables = false;

  Status parse(Intrinsic::Call& out) {
    STEPFIBER_TRY(parse_call(1, out));
    skip_space();
    if (pos_ != s_.size()) {
      return invalid("unexpected text '" + std::string(s_.substr(pos_)) + "' after the call to " +
                     std::string(out.spec->name) + " in '" + std::string(s_) + "'");
    }
    return Status();
  }

 private:
  std::string_view s_;
  std::string_view field_;
  std::size_t pos_ = 0;

  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  std::string where() const { return " in '" + std::string(s_) + "'"; }

  // Recursion depth is bounded by kMaxNesting (checked before descending).
  Status parse_call(std::size_t depth, Intrinsic::Call& out) {
    const std::size_t start = pos_;
    if (s_.substr(pos_).rfind("States.", 0) != 0) return invalid("expected an intrinsic function" + where());
    pos_ += 7;
    while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
    const std::string name(s_.substr(start, pos_ - start));
    out.spec = detail::find_function(name);
    if (out.spec == nullptr) return invalid("unknown intrinsic function '" + name + "'" + where());
    skip_space();
    if (pos_ >= s_.size() || s_[pos_] != '(') return invalid("expected '(' after " + name + where());
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == ')') {
      ++pos_;
    } else {
      for (;;) {
        Arg arg;
        std::optional<std::string> raw;
        STEPFIBER_TRY(parse_arg(depth, name, out.args.size() + 1, arg, raw));
        out.args.push_back(std::move(arg));
        out.raw_strings.push_back(std::move(raw));
        skip_space();
        if (pos_ >= s_.size()) return invalid("missing ')' to close the call to " + name + where());
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_] == ')') {
          ++pos_;
          break;
        }
        return invalid("expected ',' or ')' after argument " + std::to_string(out.args.size()) + " of " + name +
                       where());
      }
    }
    out.text = std::string(s_.substr(start, pos_ - start));
    return check_call(out);
  }

  Status check_call(const Intrinsic::Call& call) {
    const auto& spec = *call.spec;
    const std::size_t n = call.args.size();
    if (n < spec.min_args || n > spec.max_args) {
      std::string expected;
      if (spec.max_args == detail::kVariadic) {
        expected = "at least " + std::to_string(spec.min_args);
      } else if (spec.min_args == spec.max_args) {
        expected = std::to_string(spec.min_args);
      } else {
        expected = std::to_string(spec.min_args) + " to " + std::to_string(spec.max_args);
      }
      return invalid(std::string(spec.name) + " takes " + expected + " argument" +
                     (expected == "1" ? "" : "s") + ", but " + std::to_string(n) + (n == 1 ? " was" : " were") + " given in '" + call.text +
                     "'");
    }
    std::vector<detail::ArgInfo> info(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Arg& a = call.args[i];
      if (a.kind != Arg::Kind::kLiteral) continue;
      info[i].literal = true;
      info[i].value = &a.literal;
      info[i].raw = call.raw_strings[i] ? &*call.raw_strings[i] : nullptr;
      const auto t = detail::param_type(spec, i);
      if (!detail::matches(t, a.literal)) {
        return invalid(std::string(spec.name) + ": argument " + std::to_string(i + 1) + " must be " +
                       detail::describe(t) + ", but the literal " + dump_json(a.literal) + " is " +
                       asl_type_name(a.literal) + " in '" + call.text + "'");
      }
    }
    if (spec.check != nullptr) {
      std::string problem = spec.check(spec.name, info);
      if (!problem.empty()) return invalid(problem + " in '" + call.text + "'");
    }
    return Status();
  }

  Status parse_arg(std::size_t depth, const std::string& fn, std::size_t index, Arg& out,
                   std::optional<std::string>& raw) {
    skip_space();
    const std::string which = "argument " + std::to_string(index) + " of " + fn;
    if (pos_ >= s_.size()) return invalid("missing " + which + where());
    const char c = s_[pos_];
    if (c == '\'') return parse_string(which, out, raw);
    if (c == '$') return parse_path(which, out);
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(which, out);
    if (s_.substr(pos_).rfind("States.", 0) == 0) {
      if (depth + 1 > kMaxNesting) {
        return invalid("intrinsic functions are nested more than " + std::to_string(kMaxNesting) + " levels deep" +
                       where());
      }
      auto call = std::make_shared<Intrinsic::Call>();
      STEPFIBER_TRY(parse_call(depth + 1, *call));
      out.kind = Arg::Kind::kCall;
      out.call = std::move(call);
      return Status();
    }
    std::size_t end = pos_;
    while (end < s_.size() && is_name_char(s_[end])) ++end;
    const std::string_view word = s_.substr(pos_, end - pos_);
    if (word == "true" || word == "false" || word == "null") {
      out.kind = Arg::Kind::kLiteral;
      out.literal = word == "null" ? Json(nullptr) : Json(word == "true");
      pos_ = end;
      return Status();
    }
    const std::string shown = word.empty() ? std::string(1, c) : std::string(word);
    return invalid("unexpected '" + shown + "' as " + which + where());
  }

  Status parse_string(const std::string& which, Arg& out, std::optional<std::string>& raw) {
    const std::size_t open = pos_++;
    std::string value;
    for (;;) {
      if (pos_ >= s_.size()) {
        return invalid("unterminated string literal in " + which + " (opened at offset " + std::to_string(open) +
                       ")" + where());
      }
      const char c = s_[pos_];
      if (c == '\'') break;
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) return invalid("unterminated escape sequence in " + which + where());
        const char e = s_[pos_ + 1];
        if (e != '\'' && e != '{' && e != '}' && e != '\\') {
          return invalid("invalid escape sequence '\\" + std::string(1, e) + "' in " + which +
                         " (only \\', \\{, \\} and \\\\ are allowed)" + where());
        }
        value.push_back(e);
        pos_ += 2;
        continue;
      }
      value.push_back(c);
      ++pos_;
    }
    raw = std::string(s_.substr(open + 1, pos_ - open - 1));
    ++pos_;  // closing quote
    out.kind = Arg::Kind::kLiteral;
    out.literal = Json(std::move(value));
    return Status();
  }

  Status parse_number(const std::string& which, Arg& out) {
    std::size_t end = pos_;
    while (end < s_.size() && !is_space(s_[end]) && s_[end] != ',' && s_[end] != ')') ++end;
    const std::string token(s_.substr(pos_, end - pos_));
    auto parsed = parse_json(token, ErrorCode::kInvalidDefinition);
    if (!parsed.ok() || !parsed->is_number()) {
      return invalid("invalid number '" + token + "' as " + which + where());
    }
    out.kind = Arg::Kind::kLiteral;
    out.literal = std::move(parsed).value();
    pos_ = end;
    return Status();
  }

  // A path ends at a ',' / ')' / space outside brackets and quotes.
  Status parse_path(const std::string& which, Arg& out) {
    std::size_t end = pos_;
    int depth = 0;
    char quote = 0;
    for (; end < s_.size(); ++end) {
      const char c = s_[end];
      if (quote != 0) {
        if (c == '\\' && end + 1 < s_.size()) {
          ++end;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '[' || c == '(') {
        ++depth;
      } else if (c == ']' || c == ')') {
        if (depth == 0) break;
        --depth;
      } else if (depth == 0 && (c == ',' || is_space(c))) {
        break;
      }
    }
    const std::string token(s_.substr(pos_, end - pos_));
    auto expr = path::ValueExpr::compile(token, field_);
    if (!expr.ok()) return invalid("invalid path '" + token + "' as " + which + ": " + expr.status().message());
    uses_context = uses_context || expr->uses_context();
    uses_variables = uses_variables || expr->uses_variables();
    out.kind = Arg::Kind::kExpr;
    out.expr = std::move(expr).value();
    pos_ = end;
    return Status();
  }
};

// Recursion depth is bounded by kMaxNesting (the definition).
asl::Eval<Json> evaluate_call(const Intrinsic::Call& call, const path::EvalScope& scope) {
  std::vector<Json> values;
  values.reserve(call.args.size());
  for (const Arg& a : call.args) {
    switch (a.kind) {
      case Arg::Kind::kLiteral: values.push_back(a.literal); break;
      case Arg::Kind::kExpr: {
        auto r = a.expr.evaluate(scope);
        if (!r.ok()) return r;
        values.push_back(std::move(*r.value));
        break;
      }
      case Arg::Kind::kCall: {
        auto r = evaluate_call(*a.call, scope);
        if (!r.ok()) return r;
        values.push_back(std::move(*r.value));
        break;
      }
    }
  }
  detail::Invocation inv{call.spec->name, call.text, values, call.raw_strings};
  if (auto bad = detail::check_types(*call.spec, inv)) return std::move(*bad);
  return call.spec->fn(inv);
}

}  // namespace

Intrinsic::Intrinsic() = default;
Intrinsic::~Intrinsic() = default;
Intrinsic::Intrinsic(const Intrinsic&) = default;
Intrinsic& Intrinsic::operator=(const Intrinsic&) = default;
Intrinsic::Intrinsic(Intrinsic&&) noexcept = default;
Intrinsic& Intrinsic::operator=(Intrinsic&&) noexcept = default;

Result<Intrinsic> Intrinsic::compile(std::string_view text, std::string_view field) {
  try {
    Parser p(text, field);
    auto root = std::make_shared<Call>();
    STEPFIBER_TRY(p.parse(*root));
    Intrinsic out;
    out.root_ = std::move(root);
    out.text_ = std::string(text);
    out.uses_context_ = p.uses_context;
    out.uses_variables_ = p.uses_variables;
    return out;
  } catch (const std::exception& e) {
    return invalid("could not compile the intrinsic function call '" + std::string(text) + "': " + e.what());
  }
}

asl::Eval<Json> Intrinsic::evaluate(const path::EvalScope& scope) const {
  if (!root_) {
    return asl::Eval<Json>::failure(
        asl::make_error(std::string(asl::errors::kIntrinsicFailure), "the intrinsic function was not compiled"));
  }
  try {
    return evaluate_call(*root_, scope);
  } catch (const std::exception& e) {
    return asl::Eval<Json>::failure(asl::make_error(std::string(asl::errors::kIntrinsicFailure),
                                                    "Evaluating '" + text_ + "' failed: " + e.what()));
  }
}

}  // namespace stepfiber::intrinsics
