// Intrinsic functions (JSONPath mode): `States.Format('x {}', $.y)` and
// friends, parsed once into a small call tree and evaluated many times.
//
// Arguments: 'string' literals (escapes \' \{ \} \\ only), numbers (int and
// float, optionally negative), true / false / null, paths `$...`, context
// paths `$$...`, variable references `$name...` and nested calls (at most
// kMaxNesting calls deep). Function table: intrinsics/functions.h.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "errors/state_error.h"
#include "path/eval_scope.h"
#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::intrinsics {

/// Deepest chain of nested calls, counting the outermost one (AWS DG: "You
/// can nest up to 10 intrinsic functions within a field").
inline constexpr std::size_t kMaxNesting = 10;

class Intrinsic {
 public:
  /// Parses `text` (must start with `States.`). `field` names the field
  /// ("name.$", "ErrorPath", ...) for the run-time causes of path arguments.
  /// Error: kInvalidDefinition naming the function and the problem (unknown
  /// function, wrong arity, wrong literal argument type, bad literal, too deep).
  static Result<Intrinsic> compile(std::string_view text, std::string_view field = {});

  /// Evaluates the call tree. Never throws: function failures give
  /// States.IntrinsicFailure, path arguments that select nothing give
  /// States.Runtime (as for any JSONPath in the field).
  asl::Eval<Json> evaluate(const path::EvalScope& scope) const;

  const std::string& text() const noexcept { return text_; }
  /// True when some argument reads `$$`.
  bool uses_context() const noexcept { return uses_context_; }
  /// True when some argument reads a workflow variable.
  bool uses_variables() const noexcept { return uses_variables_; }

  struct Call;  // defined in intrinsic.cpp
  Intrinsic();
  ~Intrinsic();
  Intrinsic(const Intrinsic&);
  Intrinsic& operator=(const Intrinsic&);
  Intrinsic(Intrinsic&&) noexcept;
  Intrinsic& operator=(Intrinsic&&) noexcept;

 private:
  std::shared_ptr<const Call> root_;
  std::string text_;
  bool uses_context_ = false;
  bool uses_variables_ = false;
};

}  // namespace stepfiber::intrinsics
