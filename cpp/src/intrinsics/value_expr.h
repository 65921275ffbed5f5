// ValueExpr: one dynamic value of a JSONPath-mode state, compiled once.
//
// The same text forms are accepted wherever ASL takes "a path or an
// intrinsic": the values of `.$` keys in payload templates, Fail
// ErrorPath/CausePath, and the path arguments of intrinsic functions.
//   `$` / `$.a.b` / `$['x']`   JSONPath on the state input
//   `$$` / `$$.Execution.Id`   JSONPath on the Context object
//   `$name` / `$name.f[0]`     workflow variable (sfn-semantics 2.10)
//   `States.Format(...)`       intrinsic function call (intrinsics/intrinsic.h)
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "errors/state_error.h"
#include "path/eval_scope.h"
#include "path/json_path.h"
#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::intrinsics {
class Intrinsic;
}  // namespace stepfiber::intrinsics

namespace stepfiber::path {

class ValueExpr {
 public:
  enum class Kind { kPath, kContextPath, kVariable, kIntrinsic };

  /// Which paths are accepted.
  enum class PathRule {
    kJsonPath,       ///< any JSONPath (payload templates, intrinsic arguments)
    kReferencePath,  ///< only Reference Paths: names and indexes (Fail ErrorPath/CausePath)
  };

  /// Compiles `text`. `field` names the field for run-time error causes
  /// ("name.$", "ErrorPath", ...). Error: kInvalidDefinition with a message
  /// naming the problem (the caller adds the AWS-style location prefix).
  static Result<ValueExpr> compile(std::string_view text, std::string_view field,
                                   PathRule rule = PathRule::kJsonPath);

  /// Evaluates against `scope`. Never throws. Failures (States.Runtime for a
  /// path or variable that selects nothing, States.IntrinsicFailure for a
  /// failing intrinsic) carry AWS's cause text without the "An error occurred
  /// while executing the state ..." prefix.
  asl::Eval<Json> evaluate(const EvalScope& scope) const;

  Kind kind() const noexcept { return kind_; }
  /// True when evaluation reads `$$` (directly or inside an intrinsic).
  bool uses_context() const noexcept { return uses_context_; }
  /// The Context object parts evaluation reads (ContextPart bits; 0 = none).
  std::uint8_t context_parts() const noexcept { return context_parts_; }
  /// True when evaluation reads workflow variables.
  bool uses_variables() const noexcept { return uses_variables_; }
  const std::string& text() const noexcept { return text_; }
  const std::string& field() const noexcept { return field_; }
  /// kVariable: the variable name (without `$`).
  const std::string& variable() const noexcept { return variable_; }

  ValueExpr();
  ~ValueExpr();
  ValueExpr(const ValueExpr&);
  ValueExpr& operator=(const ValueExpr&);
  ValueExpr(ValueExpr&&) noexcept;
  ValueExpr& operator=(ValueExpr&&) noexcept;

 private:
  Kind kind_ = Kind::kPath;
  std::string text_;
  std::string field_;
  std::string variable_;  // kVariable
  JsonPath path_;         // kPath, kContextPath, kVariable (`$` + the part after the name)
  std::shared_ptr<const intrinsics::Intrinsic> intrinsic_;  // kIntrinsic
  bool uses_context_ = false;
  std::uint8_t context_parts_ = 0;
  bool uses_variables_ = false;
};

/// Convenience for callers such as the Fail state:
/// `compile_value_expr(body["ErrorPath"], "ErrorPath", PathRule::kReferencePath)`.
Result<ValueExpr> compile_value_expr(std::string_view text, std::string_view field,
                                     ValueExpr::PathRule rule = ValueExpr::PathRule::kJsonPath);

/// True when `text` has the shape of a variable reference: `$` then an
/// identifier start (letter, `_`, or a non-ASCII character).
bool is_variable_reference(std::string_view text) noexcept;

/// True when `text` has the shape of an intrinsic function call (`States.`).
bool is_intrinsic_call(std::string_view text) noexcept;

}  // namespace stepfiber::path
