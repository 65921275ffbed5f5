// Public entry point of the JSONata engine: compile an expression once,
// evaluate it many times (thread-safe, no exceptions escape).
//
// Typical use by the ASL engine (JSONata query language):
//   Error err;
//   auto expr = Expression::compile("$states.input.x + 1", &err);
//   EvaluateOptions opts;  opts.sfn_functions = true;  opts.limits = sfn_limits();
//   Value out;
//   if (!expr->evaluate(Value(), {{"states", states}}, opts, &out, &err)) ...
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jsonata/errors.h"
#include "jsonata/value.h"

namespace stepfiber::jsonata {

struct Program;

/// Evaluation guards. Zero means "no limit" except max_stack_bytes.
struct Limits {
  /// Nested evaluate() frames (as the official suite's harness counts them);
  /// past it: U1001.
  int depth = 0;
  /// Wall-clock milliseconds; past it: U1002 (the suite's harness reports
  /// its timeout as U1001, which Expression::evaluate does when
  /// `timeout_as_u1001` is set).
  std::int64_t timelimit_ms = 0;
  /// Approximate bytes the expression may allocate (ranges, arrays, strings);
  /// past it: U1003 "Expression evaluation memory limit exceeded".
  std::size_t memory_bytes = 0;
  /// C++ stack the evaluator may use before U1001 (well below 8 MiB).
  std::size_t stack_bytes = 2 * 1024 * 1024;
  /// Report the timeout with code U1001 (the official suite's harness).
  bool timeout_as_u1001 = false;
};

/// Step Functions' limits: 100 nested calls deep is not measured in evaluate
/// frames, so this keeps the stack guard and a memory budget of ~7 MB.
Limits sfn_limits();

/// Options for one evaluation.
struct EvaluateOptions {
  Limits limits;
  /// Enables Step Functions' own functions ($partition, $range, $hash,
  /// $random(seed), $uuid, strict $parse).
  bool sfn_functions = false;
  /// Value of $now()/$millis() in ms since the epoch; current time when unset.
  std::optional<std::int64_t> now_ms;
};

/// Variable bindings (names without `$`).
using Bindings = std::vector<std::pair<std::string, Value>>;

/// Options for compiling.
struct CompileOptions {
  int max_nesting = 400;  ///< parser recursion limit
};

/// A compiled JSONata expression. Immutable and safe to share across threads.
class Expression {
 public:
  /// Compiles `source`. Returns nullptr and fills *error on a syntax error.
  static std::shared_ptr<const Expression> compile(std::string_view source, Error* error,
                                                   const CompileOptions& options = {});

  /// Evaluates against `input` (undefined = no input). Returns true with
  /// *result set (possibly undefined), or false with *error set.
  bool evaluate(const Value& input, const Bindings& bindings, const EvaluateOptions& options, Value* result,
                Error* error) const;

  /// The expression text.
  const std::string& source() const;

  ~Expression();
  Expression(const Expression&) = delete;
  Expression& operator=(const Expression&) = delete;

 private:
  Expression() = default;
  std::shared_ptr<const Program> program_;
};

/// Serialises a result for callers that want JSON text: JSON.stringify with
/// full precision; undefined gives "" (empty) and non-finite numbers print as
/// Infinity/NaN tokens.
std::string result_to_json_text(const Value& v);

}  // namespace stepfiber::jsonata
