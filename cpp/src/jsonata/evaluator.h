// The JSONata evaluator (internal): environments, function values, apply
// with tail-call trampolining, and the per-evaluation guards.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jsonata/ast.h"
#include "jsonata/errors.h"
#include "jsonata/regex.h"
#include "jsonata/signature.h"
#include "jsonata/value.h"

namespace stepfiber::jsonata {

struct Frame;
/// An environment: a chain of frames.
using Env = std::shared_ptr<Frame>;

/// One scope's variable bindings.
struct Frame {
  Env parent;
  std::vector<std::pair<std::string, Value>> vars;
  /// Binds (or rebinds) a name in this frame.
  void bind(std::string_view name, Value v) {
    for (auto& [k, val] : vars) {
      if (k == name) {
        val = std::move(v);
        return;
      }
    }
    vars.emplace_back(std::string(name), std::move(v));
  }
};

/// A compiled expression shared by its function values.
struct Program {
  std::unique_ptr<Ast> ast;
  std::string source;
};

class Evaluator;

/// Native implementation of a built-in.
using NativeImpl = Value (*)(Evaluator& ev, std::vector<Value>& args, const Value& input, const Env& env);

/// A built-in function's definition.
struct Builtin {
  const char* name;
  const char* signature;
  int arity;  ///< JS declared parameter count (getFunctionArity)
  NativeImpl impl;
  bool sfn_only;  ///< Step Functions' own functions
};

/// Function value kinds.
enum class FnType : std::uint8_t { kLambda, kNative, kPartialNative, kRegex, kRegexNext, kTransform, kChain };

/// Base of every callable value.
struct Callable : FunctionData {
  explicit Callable(FnType t) : type(t) {}
  FnType type;
};

/// A lambda closure (also partial applications of lambdas and tail-call thunks).
struct LambdaFn : Callable {
  LambdaFn() : Callable(FnType::kLambda) {}
  const Node* body = nullptr;
  std::vector<std::string> params;
  std::shared_ptr<const Signature> signature;
  Value input;
  Env env;
  bool thunk = false;
  std::shared_ptr<const Program> program;  // keeps the AST alive
};

/// A built-in.
struct NativeFn : Callable {
  NativeFn() : Callable(FnType::kNative) {}
  const Builtin* def = nullptr;
  std::shared_ptr<const Signature> signature;
};

/// A partially applied built-in: holes are filled on call.
struct PartialNativeFn : Callable {
  PartialNativeFn() : Callable(FnType::kPartialNative) {}
  Value target;
  std::vector<Value> args;
  std::vector<bool> holes;
};

/// A regex literal as a matcher function (str) -> {match,start,end,groups,next}.
struct RegexFn : Callable {
  RegexFn() : Callable(FnType::kRegex) {}
  std::shared_ptr<const Regex> regex;
  int position = 0;
};

/// The `next` function of a regex match.
struct RegexNextFn : Callable {
  RegexNextFn() : Callable(FnType::kRegexNext) {}
  std::shared_ptr<const Regex> regex;
  std::shared_ptr<const std::u16string> subject;
  std::size_t last_index = 0;
  int position = 0;
};

/// A transform expression `| pattern | update, delete |`.
struct TransformFn : Callable {
  TransformFn() : Callable(FnType::kTransform) {}
  const Node* node = nullptr;
  Env env;
  std::shared_ptr<const Program> program;
};

/// Function chaining `f ~> g` where both are functions.
struct ChainFn : Callable {
  ChainFn() : Callable(FnType::kChain) {}
  Value f, g;
};

/// Guards for one evaluation (0 = unlimited).
struct Guards {
  int max_depth = 0;                 ///< nested evaluate() frames (the suite harness's depth)
  std::int64_t time_limit_ms = 0;    ///< wall time
  std::size_t max_memory_bytes = 0;  ///< approximate bytes allocated by the expression
  std::size_t max_stack_bytes = 0;   ///< C++ stack the evaluator may use
};

/// Options for one evaluation.
struct EvalSettings {
  Guards guards;
  bool sfn_functions = false;
  /// $now/$millis in ms since the epoch; the clock is read on first use
  /// (once per evaluation) when unset.
  std::optional<std::int64_t> now_ms;
};

/// Evaluates one compiled program once (not thread-safe; one per call).
class Evaluator {
 public:
  Evaluator(std::shared_ptr<const Program> program, EvalSettings settings);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  /// Evaluates the program's root against `input` with extra bindings.
  Value run(const Value& input, const std::vector<std::pair<std::string, Value>>& bindings);

  Value evaluate(const Node* expr, const Value& input, const Env& env);
  /// Calls a function value (trampolines tail calls).
  Value apply(const Value& proc, std::vector<Value> args, const Value& input, const Env& env);
  /// A new child frame.
  Env new_frame(const Env& parent);
  /// Variable lookup through the frames, then the built-ins.
  Value lookup(const Env& env, std::string_view name) const;
  /// Accounts memory the expression allocates; throws when over budget.
  void charge(std::size_t bytes);

  /// getFunctionArity of a function value.
  static int arity(const Value& fn);

  const EvalSettings& settings() const { return settings_; }
  std::uint64_t next_random_bits();  ///< for $random/$shuffle
  /// The evaluation's "now" (fixed for the whole evaluation).
  std::int64_t now_ms();

 private:
  friend struct EvalFrameGuard;
  Value apply_inner(const Value& proc, std::vector<Value>& args, const Value& input, const Env& env);
  Value apply_procedure(const LambdaFn& fn, std::vector<Value>& args);
  Value evaluate_path(const Node* expr, const Value& input, const Env& env);
  bool evaluate_plain_path(const Node* expr, const Value& input, const Env& env, Value* out);
  Value evaluate_step(const Node* expr, const Value& input, const Env& env, bool last_step);
  Value evaluate_stages(const std::vector<Stage>& stages, Value input, const Env& env);
  Value evaluate_tuple_step(const Node* expr, const Value& input, Value tuple_bindings, const Env& env);
  Value evaluate_filter(const Node* predicate, const Value& input, const Env& env);
  Value evaluate_binary(const Node* expr, const Value& input, const Env& env);
  Value evaluate_unary(const Node* expr, const Value& input, const Env& env);
  Value evaluate_group(const Group& group, const Value& input, const Env& env);
  Value evaluate_sort(const Node* expr, const Value& input, const Env& env);
  Value evaluate_function(const Node* expr, const Value& input, const Env& env, const Value* apply_to);
  Value evaluate_partial(const Node* expr, const Value& input, const Env& env);
  Value evaluate_apply(const Node* expr, const Value& input, const Env& env);
  Value evaluate_transform_call(const TransformFn& fn, const Value& obj);
  Env frame_from_tuple(const Env& env, const Value& tuple);
  void check_guards();

  std::shared_ptr<const Program> program_;
  EvalSettings settings_;
  int depth_ = 0;
  std::uint32_t ticks_ = 0;
  std::size_t memory_ = 0;
  const char* stack_base_ = nullptr;
  std::chrono::steady_clock::time_point start_;
  std::vector<std::weak_ptr<Frame>> frames_;  // broken at the end (closure cycles)
  std::size_t frames_compact_at_ = 1024;
  std::uint64_t rng_state_ = 0;
  bool rng_seeded_ = false;
  std::optional<std::int64_t> now_ms_;
};

/// Looks up a built-in by name (nullptr when none, or when it is a Step
/// Functions function and those are off).
const Value* find_builtin(std::string_view name, bool sfn_functions);

/// jsonata-js fn.boolean (undefined stays undefined).
Value to_boolean(const Value& v);
/// True when to_boolean is true.
bool truthy(const Value& v);
/// fn.string (undefined stays undefined); throws D3001 for non-finite numbers.
Value to_string_value(const Value& v, bool pretty = false);
/// fn.append.
Value append_values(const Value& a, const Value& b);
/// Throws D1001 for non-finite numbers; true for numbers (utils.isNumeric).
bool is_numeric(const Value& v);
/// A fresh sequence holding `v` (even undefined), createSequence(v).
Value sequence_of(const Value& v);

}  // namespace stepfiber::jsonata
