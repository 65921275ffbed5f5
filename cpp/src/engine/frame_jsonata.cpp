// Frame: the data flow of JSONata states (sfn-semantics 2.10). The walk,
// waits, Retry and history are the JSONPath ones; here `$states` is built and
// the state's compiled expressions are evaluated, on the main stack.
#include <cmath>
#include <utility>

#include "choice/timestamp.h"
#include "engine/frame.h"
#include "errors/error_names.h"

namespace stepfiber::engine {
namespace {

using asl::JsonataValue;
using asl::StateError;
using asl::StateType;
namespace errors = asl::errors;

bool is_expr(const JsonataValue& v) { return v.kind == JsonataValue::Kind::kExpr; }

/// "The JSONata expression 'x' specified for the field 'F' returned an
/// unexpected result type. Expected 'T', but was 'U' for value: V".
std::string unexpected_type(const JsonataValue& v, const std::string& field, const char* expected, const Json& got) {
  return "The JSONata expression '" + v.text + "' specified for the field '" + field +
         "' returned an unexpected result type. Expected '" + expected + "', but was '" +
         asl::jsonata_type_name(got) + "' for value: " + dump_json(got);
}

}  // namespace

asl::JsonataScope Frame::jsonata_scope(const asl::State& st, const Json& input, const Json* result,
                                       const Json* error_output, const std::string* token, const Json* map_item) {
  const Json ctx = st.jsonata->reads_context ? context_object(st, token, map_item) : Json::object();
  return asl::make_jsonata_scope(input, result, error_output, ctx, variables_);
}

StateError Frame::jsonata_error(const std::string& field, const std::string& detail) {
  StateError e{std::string(errors::kQueryEvaluationError), state_cause(detail)};
  Json d = {{"error", e.error}, {"cause", *e.cause}, {"location", field}, {"state", current_state_->name}};
  record("EvaluationFailed", &d);
  return e;
}

asl::Eval<Json> Frame::jsonata_eval(const JsonataValue& v, const std::string& field,
                                    const asl::JsonataScope& scope) {
  auto r = asl::evaluate_jsonata(v, field, scope);
  if (r.ok()) return r;
  return asl::Eval<Json>::failure(jsonata_error(field, r.err.cause.value_or("")));
}

StepResult Frame::jsonata_exit(const asl::State& st, const JsonataValue* output, const JsonataValue* assign,
                               const asl::JsonataScope& scope, Json fallback, std::uint32_t next) {
  Json assigned;
  if (assign) {
    auto r = jsonata_eval(*assign, "Assign", scope);
    if (!r.ok()) return StepResult::fail(r.err);
    assigned = std::move(*r.value);
  }
  Json out = std::move(fallback);
  if (output) {
    auto r = jsonata_eval(*output, "Output", scope);
    if (!r.ok()) return StepResult::fail(r.err);
    out = std::move(*r.value);
  }
  return exit_state(st, std::move(out), assign ? &assigned : nullptr, next);
}

static const JsonataValue* opt(const std::optional<JsonataValue>& v) { return v ? &*v : nullptr; }

StepResult Frame::run_jsonata_sync_state(const asl::State& st, Json raw) {
  const asl::JsonataState& j = *st.jsonata;
  switch (st.type) {
    case StateType::kPass: {
      auto scope = jsonata_scope(st, raw);
      return jsonata_exit(st, opt(j.output), opt(j.assign), scope, raw, asl::kNoState);
    }
    case StateType::kSucceed: {
      auto scope = jsonata_scope(st, raw);
      Json out = raw;
      if (j.output) {
        auto r = jsonata_eval(*j.output, "Output", scope);
        if (!r.ok()) return StepResult::fail(r.err);
        out = std::move(*r.value);
      }
      StepResult r = exit_state(st, std::move(out), nullptr, asl::kNoState);
      if (r.kind == StepResult::Kind::kNext) return StepResult::end(std::move(r.output));  // Succeed has no Next
      return r;
    }
    case StateType::kChoice: {
      const auto& c = std::get<asl::ChoiceSpec>(st.spec);
      auto scope = jsonata_scope(st, raw);
      std::size_t chosen = c.choices.size();
      for (std::size_t i = 0; i < c.choices.size() && i < j.choices.size(); ++i) {
        const JsonataValue& cond = j.choices[i].condition;
        auto r = jsonata_eval(cond, "Condition", scope);
        if (!r.ok()) return StepResult::fail(r.err);
        if (!r.value->is_boolean()) {
          const std::string detail =
              is_expr(cond) ? unexpected_type(cond, "Condition", "boolean", *r.value)
                            : "The field 'Condition' must be a boolean, but was '" + dump_json(*r.value) + "'";
          return StepResult::fail(jsonata_error("Condition", detail));
        }
        if (r.value->get<bool>()) {
          chosen = i;
          break;
        }
      }
      const bool matched = chosen < c.choices.size();
      const std::uint32_t next = matched ? c.choices[chosen].next : c.default_next;
      if (next == asl::kNoState) {
        return StepResult::fail(StateError{std::string(errors::kNoChoiceMatched), "No Matches!"});
      }
      // The chosen rule's Assign replaces the state's (which applies on
      // Default); its Output too, the state's Output otherwise [verify].
      const JsonataValue* assign = matched ? opt(j.choices[chosen].assign) : opt(j.assign);
      const JsonataValue* output = matched && j.choices[chosen].output ? opt(j.choices[chosen].output) : opt(j.output);
      return jsonata_exit(st, output, assign, scope, raw, next);
    }
    case StateType::kFail: {
      const auto& f = std::get<asl::FailSpec>(st.spec);
      auto scope = jsonata_scope(st, raw);
      auto resolve = [&](const std::optional<std::string>& literal, const std::optional<JsonataValue>& e,
                         const char* field, std::optional<std::string>& out) -> std::optional<StateError> {
        out = literal;
        if (!e) return std::nullopt;
        auto r = jsonata_eval(*e, field, scope);
        if (!r.ok()) return r.err;
        if (!r.value->is_string()) return jsonata_error(field, unexpected_type(*e, field, "string", *r.value));
        out = r.value->get<std::string>();
        return std::nullopt;
      };
      std::optional<std::string> error, cause;
      if (auto e = resolve(f.error, j.error, "Error", error)) return StepResult::fail(*e);
      if (auto e = resolve(f.cause, j.cause, "Cause", cause)) return StepResult::fail(*e);
      return StepResult::fail(StateError{error.value_or(""), cause});
    }
    default: break;
  }
  return StepResult::fail(runtime_error("internal: state type dispatched to the wrong runner"));
}

StepResult Frame::jsonata_finish(const asl::State& st, const Json& input, Json result) {
  const asl::JsonataState& j = *st.jsonata;
  auto scope = jsonata_scope(st, input, &result);
  return jsonata_exit(st, opt(j.output), opt(j.assign), scope, result, asl::kNoState);
}

StepResult Frame::jsonata_catch(const asl::State& st, std::size_t catcher, const Json& input,
                                const Json& error_output, std::uint32_t next) {
  const asl::JsonataState& j = *st.jsonata;
  const asl::JsonataCatcher* c = catcher < j.catchers.size() ? &j.catchers[catcher] : nullptr;
  auto scope = jsonata_scope(st, input, nullptr, &error_output);
  return jsonata_exit(st, c ? opt(c->output) : nullptr, c ? opt(c->assign) : nullptr, scope, error_output, next);
}

asl::Eval<runtime::Millis> Frame::jsonata_wait_deadline(const asl::State& st, const asl::WaitSpec& w,
                                                        const Json& raw) {
  using R = asl::Eval<runtime::Millis>;
  const asl::JsonataState& j = *st.jsonata;
  std::optional<std::int64_t> seconds = w.seconds;
  std::optional<std::string> timestamp = w.timestamp;
  if (j.seconds || j.timestamp) {
    auto scope = jsonata_scope(st, raw);
    if (j.seconds) {
      auto r = jsonata_eval(*j.seconds, "Seconds", scope);
      if (!r.ok()) return R::failure(r.err);
      const Json& v = *r.value;
      const bool whole = v.is_number() && std::isfinite(v.get<double>()) && std::floor(v.get<double>()) == v.get<double>();
      if (!whole || v.get<double>() < 0 || v.get<double>() > 99999999) {
        return R::failure(jsonata_error("Seconds", unexpected_type(*j.seconds, "Seconds", "integer", v)));
      }
      seconds = static_cast<std::int64_t>(v.get<double>());
    }
    if (j.timestamp) {
      auto r = jsonata_eval(*j.timestamp, "Timestamp", scope);
      if (!r.ok()) return R::failure(r.err);
      const Json& v = *r.value;
      if (!v.is_string()) {
        return R::failure(jsonata_error("Timestamp", unexpected_type(*j.timestamp, "Timestamp", "string", v)));
      }
      timestamp = v.get<std::string>();
      if (!choice::parse_timestamp(*timestamp)) {
        return R::failure(jsonata_error(
            "Timestamp",
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + *timestamp));
      }
    }
  }
  if (seconds) return R::success(entered_time_ + *seconds * 1000);
  if (timestamp) {
    auto ts = choice::parse_timestamp(*timestamp);
    if (!ts) {
      return R::failure(runtime_error(
          "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + *timestamp));
    }
    return R::success(ts->seconds * 1000 + ts->nanos / 1000000);
  }
  return R::success(core_.now());
}

std::optional<StateError> Frame::jsonata_task_arguments(const asl::State& st, const Json& input,
                                                        const std::string* token, Json& params, Attempt& at) {
  const asl::JsonataState& j = *st.jsonata;
  if (!j.arguments && !j.timeout_seconds && !j.heartbeat_seconds) return std::nullopt;
  auto scope = jsonata_scope(st, input, nullptr, nullptr, token);
  if (j.arguments) {
    auto r = jsonata_eval(*j.arguments, "Arguments", scope);
    if (!r.ok()) return r.err;
    params = std::move(*r.value);
  }
  auto seconds = [&](const std::optional<JsonataValue>& e, const char* field,
                     std::optional<std::int64_t>& out) -> std::optional<StateError> {
    if (!e) return std::nullopt;
    auto r = jsonata_eval(*e, field, scope);
    if (!r.ok()) return r.err;
    const Json& v = *r.value;
    const bool whole = v.is_number() && std::isfinite(v.get<double>()) && std::floor(v.get<double>()) == v.get<double>();
    if (!whole || v.get<double>() < 1 || v.get<double>() > 99999999) {
      return jsonata_error(field, unexpected_type(*e, field, "integer", v));
    }
    out = static_cast<std::int64_t>(v.get<double>());
    return std::nullopt;
  };
  if (auto e = seconds(j.timeout_seconds, "TimeoutSeconds", at.timeout)) return e;
  if (auto e = seconds(j.heartbeat_seconds, "HeartbeatSeconds", at.heartbeat)) return e;
  return std::nullopt;
}

std::optional<StateError> Frame::jsonata_parallel_input(const asl::State& st, Json& input) {
  const asl::JsonataState& j = *st.jsonata;
  if (!j.arguments) return std::nullopt;
  auto scope = jsonata_scope(st, input);
  auto r = jsonata_eval(*j.arguments, "Arguments", scope);
  if (!r.ok()) return r.err;
  input = std::move(*r.value);
  return std::nullopt;
}

std::optional<StateError> Frame::jsonata_map_inputs(const asl::State& st, const Json& input, std::vector<Json>& out) {
  const asl::JsonataState& j = *st.jsonata;
  Json items;
  if (j.items) {
    auto scope = jsonata_scope(st, input);
    auto r = jsonata_eval(*j.items, "Items", scope);
    if (!r.ok()) return r.err;
    items = std::move(*r.value);
    if (!items.is_array()) {
      if (is_expr(*j.items)) return jsonata_error("Items", unexpected_type(*j.items, "Items", "array", items));
      return jsonata_error("Items", "Map state input must be an array but was: " + dump_json(items));
    }
  } else {
    items = input;
    if (!items.is_array()) return jsonata_error("Items", "Map state input must be an array but was: " + dump_json(items));
  }
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!j.item_selector) {
      out.push_back(std::move(items[i]));
      continue;
    }
    Json item = {{"Index", i}, {"Value", items[i]}};
    auto scope = jsonata_scope(st, input, nullptr, nullptr, nullptr, &item);
    auto r = jsonata_eval(*j.item_selector, "ItemSelector", scope);
    if (!r.ok()) return r.err;
    out.push_back(std::move(*r.value));
  }
  return std::nullopt;
}

std::optional<StateError> Frame::jsonata_map_limits(const asl::State& st, const Json& input, std::optional<double>& mc,
                                                    std::optional<double>& tc, std::optional<double>& tp) {
  const asl::JsonataState& j = *st.jsonata;
  if (!j.max_concurrency && !j.tolerated_failure_count && !j.tolerated_failure_percentage) return std::nullopt;
  auto scope = jsonata_scope(st, input);
  auto number = [&](const std::optional<JsonataValue>& e, const char* field, bool fractional,
                    std::optional<double>& out) -> std::optional<StateError> {
    if (!e) return std::nullopt;
    auto r = jsonata_eval(*e, field, scope);
    if (!r.ok()) return r.err;
    const Json& v = *r.value;
    const bool ok = v.is_number() && std::isfinite(v.get<double>()) &&
                    (fractional || std::floor(v.get<double>()) == v.get<double>());
    if (!ok) return jsonata_error(field, unexpected_type(*e, field, fractional ? "number" : "integer", v));
    out = v.get<double>();
    return std::nullopt;
  };
  if (auto e = number(j.max_concurrency, "MaxConcurrency", false, mc)) return e;
  if (auto e = number(j.tolerated_failure_count, "ToleratedFailureCount", false, tc)) return e;
  if (auto e = number(j.tolerated_failure_percentage, "ToleratedFailurePercentage", true, tp)) return e;
  return std::nullopt;
}

}  // namespace stepfiber::engine
