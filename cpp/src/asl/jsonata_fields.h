// The JSONata fields of one state (QueryLanguage JSONata, sfn-semantics 2.10):
// each `{% expr %}` compiled once at create, and their evaluation with
// `$states` and the workflow variables.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "errors/state_error.h"
#include "jsonata/jsonata.h"
#include "stepfiber/json.h"

namespace stepfiber::asl {

struct Diagnostic;
enum class StateType;

struct JsonataMember;

/// A field value: JSON whose strings may be `{% expr %}` at any depth.
struct JsonataValue {
  enum class Kind { kLiteral, kExpr, kObject, kArray } kind = Kind::kLiteral;
  Json literal;                                     ///< kLiteral
  std::shared_ptr<const jsonata::Expression> expr;  ///< kExpr
  std::string text;                                 ///< kExpr: the expression between the delimiters, trimmed
  std::vector<JsonataMember> members;  ///< kObject
  std::vector<JsonataValue> items;     ///< kArray
  /// Where this value sits inside its field ("" for the field itself, then
  /// "/key" or "/index" per level), for error messages: the field name is
  /// added when one is reported, so evaluation builds no strings.
  std::string sub;
};

struct JsonataMember {
  std::string key;
  JsonataValue value;
};

struct JsonataCatcher {
  std::optional<JsonataValue> output;
  std::optional<JsonataValue> assign;
};

struct JsonataChoice {
  JsonataValue condition;
  std::optional<JsonataValue> output;
  std::optional<JsonataValue> assign;
};

/// Everything a JSONata state evaluates; absent fields keep their defaults.
struct JsonataState {
  std::optional<JsonataValue> arguments;  ///< Task, Parallel
  std::optional<JsonataValue> output;
  std::optional<JsonataValue> assign;
  std::optional<JsonataValue> timeout_seconds;    ///< Task, when an expression
  std::optional<JsonataValue> heartbeat_seconds;  ///< Task, when an expression
  std::optional<JsonataValue> seconds;            ///< Wait, when an expression
  std::optional<JsonataValue> timestamp;          ///< Wait, when an expression
  std::optional<JsonataValue> items;              ///< Map
  std::optional<JsonataValue> item_selector;      ///< Map
  std::optional<JsonataValue> max_concurrency;    ///< Map, when an expression
  std::optional<JsonataValue> tolerated_failure_count;
  std::optional<JsonataValue> tolerated_failure_percentage;
  std::optional<JsonataValue> error;  ///< Fail, when an expression
  std::optional<JsonataValue> cause;  ///< Fail, when an expression
  std::vector<JsonataCatcher> catchers;  ///< one per Catch entry
  std::vector<JsonataChoice> choices;    ///< one per Choices rule
  /// Some expression may read `$states.context` (else it is not built).
  bool reads_context = true;
};

/// `"{% ... %}"` (exact delimiters).
bool is_jsonata_string(const Json& v);

/// Compiles the JSONata fields of `body` (a JSONata state at `loc`); syntax
/// errors land in `diags`. `rest` receives the body without the fields the
/// JSONPath compiler must not see (expressions, Output, Arguments, Assign,
/// Items, ItemSelector, Condition, catcher Output/Assign).
std::shared_ptr<const JsonataState> compile_jsonata_state(const Json& body, const std::string& loc,
                                                          std::vector<Diagnostic>& diags, Json& rest);

/// `$states` and the variables for one evaluation.
struct JsonataScope {
  jsonata::Value states;      ///< {input, result?, errorOutput?, context}
  jsonata::Bindings bindings; ///< the workflow variables, then `states`
};

/// Builds a scope. `result`/`error_output` may be null (not visible).
JsonataScope make_jsonata_scope(const Json& input, const Json* result, const Json* error_output,
                                const Json& context, const Json& variables);

/// Evaluates a field. On failure the StateError carries
/// States.QueryEvaluationError and the detail sentence (without the
/// "An error occurred while executing the state ..." prefix).
Eval<Json> evaluate_jsonata(const JsonataValue& v, const std::string& field, const JsonataScope& scope);

/// Whether the value reads `$states.context` (so the caller builds it).
bool jsonata_reads_context(const JsonataValue& v);

/// A JSON type name as AWS's causes spell it ('array', 'number', ...).
std::string jsonata_type_name(const Json& v);

}  // namespace stepfiber::asl
