// Frame: the data flow of JSONata states (sfn-semantics 2.10). The walk,
// waits, Retry and history are the JSONPath ones; here `$states` is built and
// the state's compiled expressions are evaluated (through the steps shared
// with TestState, jsonata_steps.cpp), on the main stack.
#include <utility>

#include "choice/timestamp.h"
#include "engine/frame.h"
#include "engine/jsonata_steps.h"
#include "errors/error_names.h"

namespace stepfiber::engine {
namespace {

using asl::JsonataValue;
using asl::StateError;
using asl::StateType;
namespace errors = asl::errors;

const JsonataValue* opt(const std::optional<JsonataValue>& v) { return v ? &*v : nullptr; }

}  // namespace

JsonataSteps Frame::jsonata_steps(const asl::State& st, const std::string* token) {
  JsonataSteps s;
  s.scope = [this, &st, token](const Json& input, const Json* result, const Json* error_output, const Json* item) {
    return jsonata_scope(st, input, result, error_output, token, item);
  };
  s.eval = [this](const JsonataValue& v, const std::string& field, const asl::JsonataScope& scope) {
    return jsonata_eval(v, field, scope);
  };
  s.error = [this](const std::string& field, const std::string& detail) { return jsonata_error(field, detail); };
  return s;
}

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
  std::optional<Json> assigned;
  Json out = std::move(fallback);
  if (auto e = jsonata_steps(st).outputs(output, assign, scope, out, assigned)) return StepResult::fail(*e);
  return exit_state(st, std::move(out), assigned ? &*assigned : nullptr, next);
}

StepResult Frame::run_jsonata_sync_state(const asl::State& st, Json raw) {
  const asl::JsonataState& j = *st.jsonata;
  switch (st.type) {
    case StateType::kPass: {
      auto scope = jsonata_scope(st, raw);
      return jsonata_exit(st, opt(j.output), opt(j.assign), scope, raw, asl::kNoState);
    }
    case StateType::kSucceed: {
      auto scope = jsonata_scope(st, raw);
      std::optional<Json> unused;
      Json out = raw;
      if (auto e = jsonata_steps(st).outputs(opt(j.output), nullptr, scope, out, unused)) return StepResult::fail(*e);
      StepResult r = exit_state(st, std::move(out), nullptr, asl::kNoState);
      if (r.kind == StepResult::Kind::kNext) return StepResult::end(std::move(r.output));  // Succeed has no Next
      return r;
    }
    case StateType::kChoice: {
      const auto& c = std::get<asl::ChoiceSpec>(st.spec);
      auto scope = jsonata_scope(st, raw);
      auto chosen = jsonata_steps(st).choose(c, j, scope);
      if (!chosen.ok()) return StepResult::fail(chosen.err);
      const bool matched = *chosen.value < c.choices.size();
      const std::uint32_t next = matched ? c.choices[*chosen.value].next : c.default_next;
      if (next == asl::kNoState) {
        return StepResult::fail(StateError{std::string(errors::kNoChoiceMatched), "No Matches!"});
      }
      // The chosen rule's Assign replaces the state's (which applies on
      // Default); its Output too, the state's Output otherwise [verify].
      const auto* rule = matched ? &j.choices[*chosen.value] : nullptr;
      const JsonataValue* assign = rule ? opt(rule->assign) : opt(j.assign);
      const JsonataValue* output = rule && rule->output ? opt(rule->output) : opt(j.output);
      return jsonata_exit(st, output, assign, scope, raw, next);
    }
    case StateType::kFail: {
      const auto& f = std::get<asl::FailSpec>(st.spec);
      auto scope = jsonata_scope(st, raw);
      std::optional<std::string> error, cause;
      if (auto e = jsonata_steps(st).fail_fields(f, j, scope, error, cause)) return StepResult::fail(*e);
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
  std::optional<std::int64_t> seconds = w.seconds;
  std::optional<std::string> timestamp = w.timestamp;
  if (auto e = jsonata_steps(st).wait_fields(*st.jsonata, raw, seconds, timestamp)) return R::failure(*e);
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
  return jsonata_steps(st, token).arguments(*st.jsonata, input, params, at.timeout, at.heartbeat);
}

std::optional<StateError> Frame::jsonata_parallel_input(const asl::State& st, Json& input) {
  std::optional<std::int64_t> timeout, heartbeat;  // a Parallel has neither
  Json params = input;
  if (auto e = jsonata_steps(st).arguments(*st.jsonata, input, params, timeout, heartbeat)) return e;
  input = std::move(params);
  return std::nullopt;
}

std::optional<StateError> Frame::jsonata_map_inputs(const asl::State& st, const Json& input, std::vector<Json>& out) {
  return jsonata_steps(st).map_items(*st.jsonata, input, out);
}

std::optional<StateError> Frame::jsonata_map_limits(const asl::State& st, const Json& input, std::optional<double>& mc,
                                                    std::optional<double>& tc, std::optional<double>& tp) {
  return jsonata_steps(st).map_limits(*st.jsonata, input, mc, tc, tp);
}

}  // namespace stepfiber::engine
