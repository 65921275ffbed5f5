// The steps of a JSONata state's data flow (sfn-semantics 2.10) that do not
// depend on who runs the state: an execution's Frame (frame_jsonata.cpp) or
// TestState (test_state.cpp). Each runner supplies how `$states` is built,
// how a field is evaluated and how an evaluation error is shaped (a Frame
// records EvaluationFailed and prefixes the state; TestState does neither).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "asl/jsonata_fields.h"
#include "asl/program.h"
#include "errors/state_error.h"
#include "stepfiber/json.h"

namespace stepfiber::engine {

struct JsonataSteps {
  /// `$states` for `input`; `result`, `error_output`, `map_item` may be null.
  std::function<asl::JsonataScope(const Json& input, const Json* result, const Json* error_output,
                                  const Json* map_item)>
      scope;
  /// Evaluates field `field`; a failure comes back shaped by the runner.
  std::function<asl::Eval<Json>(const asl::JsonataValue&, const std::string& field, const asl::JsonataScope&)> eval;
  /// A States.QueryEvaluationError for `field`, shaped by the runner.
  std::function<asl::StateError(const std::string& field, const std::string& detail)> error;

  /// Assign (into `assigned`), then Output (into `out`, which holds the
  /// default when there is no Output).
  std::optional<asl::StateError> outputs(const asl::JsonataValue* output, const asl::JsonataValue* assign,
                                         const asl::JsonataScope& scope, Json& out,
                                         std::optional<Json>& assigned) const;
  /// The index of the first rule whose Condition holds; `c.choices.size()`
  /// when none does.
  asl::Eval<std::size_t> choose(const asl::ChoiceSpec& c, const asl::JsonataState& j,
                                const asl::JsonataScope& scope) const;
  /// A Fail state's Error and Cause (literals, or expressions that must give strings).
  std::optional<asl::StateError> fail_fields(const asl::FailSpec& f, const asl::JsonataState& j,
                                             const asl::JsonataScope& scope, std::optional<std::string>& error,
                                             std::optional<std::string>& cause) const;
  /// A Wait state's Seconds / Timestamp expressions, checked; `seconds` and
  /// `timestamp` hold the literals on entry.
  std::optional<asl::StateError> wait_fields(const asl::JsonataState& j, const Json& input,
                                             std::optional<std::int64_t>& seconds,
                                             std::optional<std::string>& timestamp) const;
  /// Arguments (into `params`, left as it is without Arguments), and a
  /// Task's TimeoutSeconds / HeartbeatSeconds expressions.
  std::optional<asl::StateError> arguments(const asl::JsonataState& j, const Json& input, Json& params,
                                           std::optional<std::int64_t>& timeout,
                                           std::optional<std::int64_t>& heartbeat) const;
  /// A Map's items (Items, else the input, which must be an array), each
  /// through ItemSelector.
  std::optional<asl::StateError> map_items(const asl::JsonataState& j, const Json& input,
                                           std::vector<Json>& out) const;
  /// A Map's MaxConcurrency / ToleratedFailureCount / ToleratedFailurePercentage expressions.
  std::optional<asl::StateError> map_limits(const asl::JsonataState& j, const Json& input, std::optional<double>& mc,
                                            std::optional<double>& tc, std::optional<double>& tp) const;
};

}  // namespace stepfiber::engine
