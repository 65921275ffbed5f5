// TestState (see test_state.h). Checks first, in the order AWS answers
// them (the messages are the ones AWS records), then one pass through the
// state's data flow with every step recorded.
#include "engine/test_state.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "asl/compiler.h"
#include "asl/program.h"
#include "choice/timestamp.h"
#include "errors/error_names.h"
#include "engine/integration_shapes.h"
#include "engine/jsonata_steps.h"
#include "engine/wait_paths.h"
#include "errors/state_error.h"
#include "runtime/secure_random.h"

namespace stepfiber::engine {
namespace {

using asl::StateError;
using asl::StateType;
namespace errors = asl::errors;

/// The name AWS gives a lone state (its diagnostics point at /States/StateName).
constexpr const char* kLoneStateName = "StateName";

Status invalid(std::string message) { return Status(ErrorCode::kValidationException, std::move(message)); }

/// `message` for a JSON member that does not parse, with the parser's
/// reason when it is the nesting limit (the message must say "depth").
Status invalid_json(std::string message, const Status& parse) {
  if (is_nesting_depth_error(parse)) message += ": " + parse.message();
  return invalid(std::move(message));
}

const char* kMapOrParallelNeedMock =
    "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, "
    "Succeed, Fail, Choice]";

std::string random_hex(std::size_t bytes) {
  thread_local runtime::SecureRandom rng;
  std::vector<std::uint8_t> b(bytes);
  rng.fill(b.data(), b.size());
  std::string out;
  char buf[3];
  for (std::uint8_t x : b) {
    std::snprintf(buf, sizeof buf, "%02x", x);
    out += buf;
  }
  return out;
}

std::string random_uuid() {
  std::string h = random_hex(16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

/// Every transition target a state names (Next, Default, Choices[].Next, Catch[].Next).
void transition_targets(const Json& state, std::set<std::string>& out) {
  auto take = [&](const Json& o, const char* key) {
    if (o.is_object() && o.contains(key) && o.at(key).is_string()) out.insert(o.at(key).get<std::string>());
  };
  take(state, "Next");
  take(state, "Default");
  for (const char* list : {"Choices", "Catch"}) {
    if (!state.contains(list) || !state.at(list).is_array()) continue;
    for (const Json& c : state.at(list)) take(c, "Next");
  }
}

/// The raw JSON of state `name` anywhere in `scope` (a machine, branch or
/// processor), or nullptr.
const Json* find_raw_state(const Json& scope, const std::string& name) {
  if (!scope.is_object() || !scope.contains("States") || !scope.at("States").is_object()) return nullptr;
  const Json& states = scope.at("States");
  if (auto it = states.find(name); it != states.end()) return &*it;
  for (const auto& [k, st] : states.items()) {
    if (!st.is_object()) continue;
    if (st.contains("Branches") && st.at("Branches").is_array()) {
      for (const Json& b : st.at("Branches")) {
        if (const Json* f = find_raw_state(b, name)) return f;
      }
    }
    for (const char* proc : {"ItemProcessor", "Iterator"}) {
      if (st.contains(proc)) {
        if (const Json* f = find_raw_state(st.at(proc), name)) return f;
      }
    }
  }
  return nullptr;
}

/// The compiled state `name` anywhere under `scope`, with the scope that holds it.
const asl::State* find_state(const asl::Scope& scope, const std::string& name, const asl::Scope** holder) {
  for (const asl::State& st : scope.states) {
    if (st.name == name) {
      *holder = &scope;
      return &st;
    }
  }
  for (const asl::State& st : scope.states) {
    const std::vector<asl::Scope>* children = nullptr;
    if (auto* p = std::get_if<asl::ParallelSpec>(&st.spec)) children = &p->branches;
    if (auto* m = std::get_if<asl::MapSpec>(&st.spec)) children = &m->processor;
    if (!children) continue;
    for (const asl::Scope& c : *children) {
      if (const asl::State* f = find_state(c, name, holder)) return f;
    }
  }
  return nullptr;
}

std::string type_of(const Json& raw_state) {
  if (raw_state.is_object() && raw_state.contains("Type") && raw_state.at("Type").is_string()) {
    return raw_state.at("Type").get<std::string>();
  }
  return "";
}

/// Context-object fields a mocked Context may carry, and the JSON type of each
/// value: AWS names the field ("Execution.Id must be a string", recorded); the
/// other types follow the Context object's documented shape [verify]. A null
/// value passes; `Execution.Input` takes any value.
std::optional<Status> check_context(const Json& ctx) {
  enum class Kind { kAny, kString, kInteger };
  static const std::map<std::string, std::map<std::string, Kind>> inner{
      {"Execution",
       {{"Id", Kind::kString}, {"Input", Kind::kAny}, {"Name", Kind::kString}, {"RoleArn", Kind::kString},
        {"StartTime", Kind::kString}, {"RedriveCount", Kind::kInteger}, {"RedriveTime", Kind::kString}}},
      {"State", {{"EnteredTime", Kind::kString}, {"Name", Kind::kString}, {"RetryCount", Kind::kInteger}}},
      {"StateMachine", {{"Id", Kind::kString}, {"Name", Kind::kString}}},
      {"Task", {{"Token", Kind::kString}}}};
  const std::string prefix = "Invalid Context object provided: ";
  if (!ctx.is_object()) return invalid(prefix + "the Context object must be a JSON object");
  for (const auto& [k, v] : ctx.items()) {
    if (k == "Map") return invalid(prefix + "'Map' field is not supported when mocking a Context object");
    const auto section = inner.find(k);
    if (section == inner.end()) return invalid(prefix + "Field '" + k + "' is not allowed");
    if (v.is_null()) continue;
    if (!v.is_object()) return invalid(prefix + k + " must be an object");
    for (const auto& [f, fv] : v.items()) {
      const auto field = section->second.find(f);
      if (field == section->second.end()) return invalid(prefix + "Field '" + f + "' is not allowed");
      if (fv.is_null() || field->second == Kind::kAny) continue;
      if (field->second == Kind::kString && !fv.is_string()) return invalid(prefix + k + "." + f + " must be a string");
      if (field->second == Kind::kInteger && !fv.is_number_integer()) {
        return invalid(prefix + k + "." + f + " must be an integer");
      }
    }
  }
  return std::nullopt;
}

/// A mocked Context's Task part needs a .sync or .waitForTaskToken Task.
std::optional<Status> check_context_task(const Json& ctx, const asl::State& st) {
  const std::string prefix = "Invalid Context object provided: ";
  if (ctx.contains("Task")) {
    const auto* t = std::get_if<asl::TaskSpec>(&st.spec);
    if (!t || !(t->sync || t->wait_for_task_token)) {
      return invalid(prefix +
                     "Context object contains 'Task' when state is not a Task state with a '.sync' or "
                     "'.waitForTaskToken' service integration pattern");
    }
  }
  return std::nullopt;
}

/// The Reference Path of a `$$` path as AWS's Map message prints it ("$$.a" -> "$.a").
std::string context_relative(const std::string& text) {
  if (text.rfind("$$", 0) == 0) return text.substr(1);
  return text;
}

/// One TestState run.
class Run {
 public:
  Run(const asl::State& st, const std::vector<std::string>& names, Json ctx, Json variables, bool inspect,
      std::int64_t retry_count, std::optional<std::int64_t> map_failures)
      : st_(st),
        names_(names),
        ctx_(std::move(ctx)),
        variables_(std::move(variables)),
        inspect_(inspect),
        retry_count_(retry_count),
        map_failures_(map_failures) {}

  Json run(Json raw, const std::optional<Json>& mock_result, const std::optional<Json>& mock_error) {
    note("input", raw);
    if (st_.jsonata) {
      run_jsonata(std::move(raw), mock_result, mock_error);
    } else {
      run_jsonpath(std::move(raw), mock_result, mock_error);
    }
    if (inspect_) {
      if ((had_variables_ || assigned_) && !variables_.empty()) inspection_["variables"] = dump_json(variables_);
      if (!error_details_.empty()) inspection_["errorDetails"] = error_details_;
      if (!inspection_.empty()) out_["inspectionData"] = inspection_;
    }
    return out_;
  }

  void set_had_variables(bool v) { had_variables_ = v; }
  /// A Map with an ItemReader: its items come from `items` (none: not shown).
  void set_item_reader(std::optional<Json> items) {
    item_reader_ = true;
    reader_items_ = std::move(items);
  }

 private:
  void run_jsonpath(Json raw, const std::optional<Json>& mock_result, const std::optional<Json>& mock_error) {
    switch (st_.type) {
      case StateType::kPass: pass(std::move(raw)); break;
      case StateType::kChoice: choice(std::move(raw)); break;
      case StateType::kWait: wait(std::move(raw)); break;
      case StateType::kSucceed: succeed(std::move(raw)); break;
      case StateType::kFail: fail_state(raw); break;
      case StateType::kTask: task(std::move(raw), mock_result, mock_error); break;
      case StateType::kParallel: parallel(std::move(raw), mock_result, mock_error); break;
      case StateType::kMap: map(std::move(raw), mock_result, mock_error); break;
    }
  }

  // ---- recording ---------------------------------------------------------
  void note(const char* key, const Json& v) {
    if (inspect_) inspection_[key] = dump_json(v);
  }
  void succeed_with(const Json& output, std::uint32_t next) {
    out_["status"] = "SUCCEEDED";
    out_["output"] = dump_json(output);
    set_next(next);
  }
  void set_next(std::uint32_t next) {
    if (next == asl::kNoState && !st_.end) next = st_.next;
    if (next != asl::kNoState && next < names_.size()) out_["nextState"] = names_[next];
  }
  void failed(const StateError& e) {
    out_["status"] = "FAILED";
    if (!e.error.empty()) out_["error"] = e.error;
    if (e.cause) out_["cause"] = *e.cause;
  }

  // ---- evaluation ----------------------------------------------------------
  path::EvalScope scope(const Json& input) const { return path::EvalScope{input, ctx_, &variables_}; }

  asl::Eval<Json> select(const asl::SelectPath& p, const Json& data) {
    using K = asl::SelectPath::Kind;
    if (p.kind == K::kDefault) return asl::Eval<Json>::success(data);
    if (p.kind == K::kNull) return asl::Eval<Json>::success(Json::object());
    if (p.variable) return p.variable->evaluate(scope(data));
    std::optional<Json> v;
    try {
      v = p.path.select(p.context ? ctx_ : data);
    } catch (const path::SelectLimitExceeded& e) {
      return asl::Eval<Json>::failure(StateError{std::string(errors::kRuntime), std::string(e.what())});
    }
    if (!v) {
      return asl::Eval<Json>::failure(
          StateError{std::string(errors::kRuntime),
                     "Invalid path '" + p.path.text() + "' : " + p.path.explain_no_match(p.context ? ctx_ : data)});
    }
    return asl::Eval<Json>::success(std::move(*v));
  }

  asl::Eval<Json> result_path(const asl::ResultPathSpec& rp, Json raw, Json result) {
    using K = asl::ResultPathSpec::Kind;
    if (rp.kind == K::kDefault) return asl::Eval<Json>::success(std::move(result));
    if (rp.kind == K::kNull) return asl::Eval<Json>::success(std::move(raw));
    if (!rp.path.assign(raw, std::move(result))) {
      return asl::Eval<Json>::failure(
          StateError{std::string(errors::kResultPathMatchFailure),
                     "Unable to apply ResultPath '" + rp.path.text() + "' to input '" + dump_json(raw) + "'"});
    }
    return asl::Eval<Json>::success(std::move(raw));
  }

  std::optional<StateError> assign(const std::optional<path::PayloadTemplate>& a, const Json& dollar) {
    if (!a) return std::nullopt;
    auto r = a->evaluate(scope(dollar));
    if (!r.ok()) return r.err;
    merge_variables(*r.value);
    return std::nullopt;
  }

  void merge_variables(const Json& assigned) {
    assigned_ = true;
    if (!assigned.is_object()) return;
    for (const auto& [k, v] : assigned.items()) variables_[k] = v;
  }

  /// Result -> ResultSelector -> Assign -> ResultPath -> OutputPath.
  std::optional<StateError> finish(const std::optional<path::PayloadTemplate>& selector, Json raw, Json result,
                                   bool show_result) {
    if (show_result) note("result", result);
    if (selector) {
      auto r = selector->evaluate(scope(result));
      if (!r.ok()) return r.err;
      result = std::move(*r.value);
    }
    note("afterResultSelector", result);
    if (auto e = assign(st_.assign, result)) return e;
    auto merged = result_path(st_.result_path, std::move(raw), std::move(result));
    if (!merged.ok()) return merged.err;
    note("afterResultPath", *merged.value);
    auto out = select(st_.output_path, *merged.value);
    if (!out.ok()) return out.err;
    succeed_with(*out.value, asl::kNoState);
    return std::nullopt;
  }

  /// Retry (with the configured retry count), then Catch, then failure.
  void handle_error(const asl::ErrorHandling& eh, const Json& raw, const std::string& error,
                    const std::optional<std::string>& cause) {
    out_["error"] = error;
    if (cause) out_["cause"] = *cause;
    if (error != errors::kRuntime) {
      for (std::size_t i = 0; i < eh.retry.size(); ++i) {
        const asl::Retrier& r = eh.retry[i];
        if (!error_matches(r.error_equals, error)) continue;
        if (retry_count_ < r.max_attempts) {
          double delay = r.interval_seconds * std::pow(r.backoff_rate, static_cast<double>(retry_count_));
          if (r.max_delay_seconds) delay = std::min(delay, *r.max_delay_seconds);
          out_["status"] = "RETRIABLE";
          error_details_["retryIndex"] = static_cast<std::int64_t>(i);
          error_details_["retryBackoffIntervalSeconds"] = static_cast<std::int64_t>(std::llround(delay));
          return;
        }
        error_details_["retryIndex"] = static_cast<std::int64_t>(i);  // exhausted: shown, no back-off
        break;  // the first matching retrier decides
      }
      for (std::size_t i = 0; i < eh.catch_.size(); ++i) {
        const asl::Catcher& c = eh.catch_[i];
        if (!error_matches(c.error_equals, error)) continue;
        Json error_output = {{"Error", error}, {"Cause", cause ? Json(*cause) : Json(nullptr)}};
        Json caught;
        if (st_.jsonata) {
          const auto& catchers = st_.jsonata->catchers;
          const asl::JsonataCatcher* jc = i < catchers.size() ? &catchers[i] : nullptr;
          caught = error_output;
          std::optional<Json> assigned;
          if (auto e = steps().outputs(jc ? opt(jc->output) : nullptr, jc ? opt(jc->assign) : nullptr,
                                       jsonata_scope(raw, nullptr, &error_output), caught, assigned)) {
            return failed(*e);
          }
          if (assigned) merge_variables(*assigned);
        } else {
          if (auto e = assign(c.assign, error_output)) return failed(*e);
          auto merged = result_path(c.result_path, raw, std::move(error_output));
          if (!merged.ok()) return failed(merged.err);
          caught = std::move(*merged.value);
        }
        out_["status"] = "CAUGHT_ERROR";
        out_["output"] = dump_json(caught);
        error_details_["catchIndex"] = static_cast<std::int64_t>(i);
        set_next(c.next);
        return;
      }
    }
    out_["status"] = "FAILED";
  }

  static bool error_matches(const std::vector<std::string>& equals, const std::string& error) {
    for (const std::string& e : equals) {
      if (e == error) return true;
      if (e == errors::kAll && error != errors::kRuntime) return true;
      if (e == errors::kTaskFailed && error.rfind("States.", 0) != 0) return true;
    }
    return false;
  }

  // ---- states -----------------------------------------------------------
  void pass(Json raw) {
    const auto& p = std::get<asl::PassSpec>(st_.spec);
    Json result;
    if (p.result) {
      result = *p.result;
    } else {
      auto eff = select(st_.input_path, raw);
      if (!eff.ok()) return failed(eff.err);
      note("afterInputPath", *eff.value);
      if (p.parameters) {
        auto r = p.parameters->evaluate(scope(*eff.value));
        if (!r.ok()) return failed(r.err);
        result = std::move(*r.value);
      } else {
        result = std::move(*eff.value);
      }
      note("afterParameters", result);
    }
    if (auto e = finish(std::nullopt, std::move(raw), std::move(result), p.result.has_value())) failed(*e);
  }

  void choice(Json raw) {
    const auto& c = std::get<asl::ChoiceSpec>(st_.spec);
    auto eff = select(st_.input_path, raw);
    if (!eff.ok()) return failed(eff.err);
    note("afterInputPath", *eff.value);
    const asl::ChoiceBranch* chosen = nullptr;
    for (const auto& b : c.choices) {
      auto m = b.rule.evaluate(scope(*eff.value));
      if (!m.ok()) return failed(m.err);
      if (*m.value) {
        chosen = &b;
        break;
      }
    }
    const std::uint32_t next = chosen ? chosen->next : c.default_next;
    if (next == asl::kNoState) {
      return failed(StateError{std::string(errors::kNoChoiceMatched), "No Matches!"});
    }
    if (auto e = assign(chosen ? chosen->assign : st_.assign, *eff.value)) return failed(*e);
    auto out = select(st_.output_path, *eff.value);
    if (!out.ok()) return failed(out.err);
    succeed_with(*out.value, next);
  }

  void wait(Json raw) {
    const auto& w = std::get<asl::WaitSpec>(st_.spec);
    auto eff = select(st_.input_path, raw);
    if (!eff.ok()) return failed(eff.err);
    note("afterInputPath", *eff.value);
    const Json& in = *eff.value;
    auto runtime = [&](std::string cause) { failed(StateError{std::string(errors::kRuntime), std::move(cause)}); };
    if (w.seconds_path) {
      auto v = w.seconds_path->evaluate(scope(in));
      auto seconds = wait_seconds_from_path(w.seconds_path->text(), v.ok() ? &*v.value : nullptr);
      if (auto* cause = std::get_if<std::string>(&seconds)) return runtime(std::move(*cause));
    } else if (w.timestamp_path) {
      auto v = w.timestamp_path->evaluate(scope(in));
      auto ts = wait_timestamp_from_path(w.timestamp_path->text(), v.ok() ? &*v.value : nullptr);
      if (auto* cause = std::get_if<std::string>(&ts)) return runtime(std::move(*cause));
    }
    // TestState does not wait: it reports what the state would pass on.
    if (auto e = assign(st_.assign, in)) return failed(*e);
    auto out = select(st_.output_path, in);
    if (!out.ok()) return failed(out.err);
    succeed_with(*out.value, asl::kNoState);
  }

  void succeed(Json raw) {
    auto eff = select(st_.input_path, raw);
    if (!eff.ok()) return failed(eff.err);
    note("afterInputPath", *eff.value);
    auto out = select(st_.output_path, *eff.value);
    if (!out.ok()) return failed(out.err);
    out_["status"] = "SUCCEEDED";
    out_["output"] = dump_json(*out.value);
  }

  void fail_state(const Json& raw) {
    const auto& f = std::get<asl::FailSpec>(st_.spec);
    auto eff = select(st_.input_path, raw);
    if (!eff.ok()) return failed(eff.err);
    note("afterInputPath", *eff.value);
    auto resolve = [&](const std::optional<std::string>& literal, const std::optional<path::ValueExpr>& e,
                       const char* field, std::optional<std::string>& out) -> std::optional<StateError> {
      if (literal) {
        out = *literal;
        return std::nullopt;
      }
      if (!e) return std::nullopt;
      auto v = e->evaluate(scope(raw));
      if (!v.ok()) return v.err;
      if (!v.value->is_string()) {
        return StateError{std::string(errors::kRuntime), "The JSONPath '" + e->text() + "' specified for the field '" +
                                                             field + "' must resolve to a string, but was '" +
                                                             dump_json(*v.value) + "'"};
      }
      out = v.value->get<std::string>();
      return std::nullopt;
    };
    std::optional<std::string> error, cause;
    if (auto e = resolve(f.error, f.error_path, "ErrorPath", error)) return failed(*e);
    if (auto e = resolve(f.cause, f.cause_path, "CausePath", cause)) return failed(*e);
    failed(StateError{error.value_or(""), cause});
  }

  void task(Json raw, const std::optional<Json>& mock_result, const std::optional<Json>& mock_error) {
    const auto& t = std::get<asl::TaskSpec>(st_.spec);
    auto eff = select(st_.input_path, raw);
    if (!eff.ok()) return failed(eff.err);
    note("afterInputPath", *eff.value);
    Json params = *eff.value;
    if (t.parameters) {
      auto r = t.parameters->evaluate(scope(*eff.value));
      if (!r.ok()) return failed(r.err);
      params = std::move(*r.value);
    }
    note("afterParameters", params);
    if (mock_error) return mocked_error(t.errors, raw, *mock_error);
    if (auto e = finish(t.result_selector, raw, mock_result.value_or(Json::object()), true)) {
      handle_error(t.errors, raw, e->error, e->cause);
    }
  }

  void mocked_error(const asl::ErrorHandling& eh, const Json& raw, const Json& mock_error) {
    std::string error = mock_error.contains("error") ? mock_error.at("error").get<std::string>() : std::string();
    std::optional<std::string> cause;
    if (mock_error.contains("cause")) cause = mock_error.at("cause").get<std::string>();
    handle_error(eh, raw, error, cause);
  }

  void parallel(Json raw, const std::optional<Json>& mock_result, const std::optional<Json>& mock_error) {
    const auto& p = std::get<asl::ParallelSpec>(st_.spec);
    auto eff = select(st_.input_path, raw);
    if (!eff.ok()) return failed(eff.err);
    if (p.parameters) {
      auto r = p.parameters->evaluate(scope(*eff.value));
      if (!r.ok()) return failed(r.err);
    }
    if (mock_error) return mocked_error(p.errors, raw, *mock_error);
    if (auto e = finish(p.result_selector, raw, mock_result.value_or(Json::array()), false)) {
      handle_error(p.errors, raw, e->error, e->cause);
    }
  }

  std::optional<double> number(const asl::IntOrPath& n, const Json& in) {
    if (n.value) return n.value;
    if (n.path) {
      auto v = n.path->evaluate(scope(in));
      if (v.ok() && v.value->is_number()) return v.value->get<double>();
    }
    return std::nullopt;
  }

  void map(Json raw, const std::optional<Json>& mock_result, const std::optional<Json>& mock_error) {
    const auto& m = std::get<asl::MapSpec>(st_.spec);
    auto eff = select(st_.input_path, raw);
    if (!eff.ok()) return failed(eff.err);
    note("afterInputPath", *eff.value);
    Json items = *eff.value;
    if (item_reader_) {
      items = reader_items_.value_or(Json::array());
    } else if (m.items_path) {
      auto v = m.items_path->evaluate(scope(*eff.value));
      if (!v.ok()) return failed(v.err);
      items = std::move(*v.value);
    }
    if (!items.is_array()) {
      const std::string shown = m.items_path ? context_relative(m.items_path->text()) : std::string("$");
      return failed(StateError{std::string(errors::kRuntime), "Reference path \"" + shown + "\" must point to array."});
    }
    if (!item_reader_ || reader_items_) note(item_reader_ ? "afterItemsPointer" : "afterItemsPath", items);
    if (m.item_selector) {
      Json selected = Json::array();
      for (std::size_t i = 0; i < items.size(); ++i) {
        Json ctx = ctx_;
        ctx["Map"] = {{"Item", {{"Index", i}, {"Value", items[i]}}}};
        std::swap(ctx, ctx_);
        auto r = m.item_selector->evaluate(scope(*eff.value));
        std::swap(ctx, ctx_);
        if (!r.ok()) return failed(r.err);
        selected.push_back(std::move(*r.value));
      }
      note("afterItemSelector", selected);
    }
    const auto mc = number(m.max_concurrency, *eff.value);
    if (inspect_) inspection_["maxConcurrency"] = static_cast<std::int64_t>(mc.value_or(0));
    const auto tc = number(m.tolerated_failure_count, *eff.value);
    const auto tp = number(m.tolerated_failure_percentage, *eff.value);
    if (inspect_ && tc) inspection_["toleratedFailureCount"] = static_cast<std::int64_t>(*tc);
    if (inspect_ && tp) inspection_["toleratedFailurePercentage"] = *tp;
    if (mock_error) return mocked_error(m.errors, raw, *mock_error);
    if (threshold_exceeded(mock_result, tc, tp)) return exceeded_threshold(m.errors, raw);
    if (auto e = finish(m.result_selector, raw, mock_result.value_or(Json::array()), false)) {
      handle_error(m.errors, raw, e->error, e->cause);
    }
  }

  /// stateConfiguration.mapIterationFailureCount against the Map's tolerance:
  /// either threshold exceeded fails the Map. A Map with neither threshold
  /// succeeds with its mocked result: AWS recorded that with 2 failures of 3.
  bool threshold_exceeded(const std::optional<Json>& mock_result, std::optional<double> tc,
                          std::optional<double> tp) const {
    if (!map_failures_ || *map_failures_ <= 0) return false;
    const double n = static_cast<double>(mock_result && mock_result->is_array() ? mock_result->size() : 0);
    const double f = static_cast<double>(*map_failures_);
    return (tc && f > *tc) || (tp && n > 0 && f * 100.0 / n > *tp);
  }
  void exceeded_threshold(const asl::ErrorHandling& eh, const Json& raw) {
    handle_error(eh, raw, std::string(errors::kExceedToleratedFailureThreshold),
                 std::string("The specified tolerated failure threshold was exceeded"));
  }

  // ---- JSONata states (the steps an execution runs, jsonata_steps.h) -------
  static const asl::JsonataValue* opt(const std::optional<asl::JsonataValue>& v) { return v ? &*v : nullptr; }

  /// `$states` over the mocked Context (with a Map item when given).
  asl::JsonataScope jsonata_scope(const Json& input, const Json* result = nullptr, const Json* error_output = nullptr,
                                  const Json* item = nullptr) const {
    if (!item) return asl::make_jsonata_scope(input, result, error_output, ctx_, variables_);
    Json ctx = ctx_;
    ctx["Map"] = {{"Item", *item}};
    return asl::make_jsonata_scope(input, result, error_output, ctx, variables_);
  }

  /// TestState's runner of the shared steps: an evaluation error is
  /// States.QueryEvaluationError with the bare detail (no history to record).
  JsonataSteps steps() {
    JsonataSteps s;
    s.scope = [this](const Json& input, const Json* result, const Json* error_output, const Json* item) {
      return jsonata_scope(input, result, error_output, item);
    };
    s.eval = [](const asl::JsonataValue& v, const std::string& field, const asl::JsonataScope& scope) {
      return asl::evaluate_jsonata(v, field, scope);
    };
    s.error = [](const std::string&, const std::string& detail) {
      return StateError{std::string(errors::kQueryEvaluationError), detail};
    };
    return s;
  }

  /// Assign, then Output (default `fallback`), then success towards `next`.
  std::optional<StateError> jsonata_exit(const asl::JsonataValue* output, const asl::JsonataValue* assign,
                                         const asl::JsonataScope& scope, Json fallback, std::uint32_t next) {
    std::optional<Json> assigned;
    if (auto e = steps().outputs(output, assign, scope, fallback, assigned)) return e;
    if (assigned) merge_variables(*assigned);
    succeed_with(fallback, next);
    return std::nullopt;
  }

  void run_jsonata(Json raw, const std::optional<Json>& mock_result, const std::optional<Json>& mock_error) {
    const asl::JsonataState& j = *st_.jsonata;
    switch (st_.type) {
      case StateType::kPass:
        if (auto e = jsonata_exit(opt(j.output), opt(j.assign), jsonata_scope(raw), raw, asl::kNoState)) failed(*e);
        return;
      case StateType::kWait: {
        const auto& w = std::get<asl::WaitSpec>(st_.spec);
        std::optional<std::int64_t> seconds = w.seconds;
        std::optional<std::string> timestamp = w.timestamp;
        if (auto e = steps().wait_fields(j, raw, seconds, timestamp)) return failed(*e);
        // TestState does not wait: it reports what the state would pass on.
        if (auto e = jsonata_exit(opt(j.output), opt(j.assign), jsonata_scope(raw), raw, asl::kNoState)) failed(*e);
        return;
      }
      case StateType::kSucceed:
        if (auto e = jsonata_exit(opt(j.output), nullptr, jsonata_scope(raw), raw, asl::kNoState)) failed(*e);
        return;
      case StateType::kFail: {
        std::optional<std::string> error, cause;
        if (auto e = steps().fail_fields(std::get<asl::FailSpec>(st_.spec), j, jsonata_scope(raw), error, cause)) {
          return failed(*e);
        }
        return failed(StateError{error.value_or(""), cause});
      }
      case StateType::kChoice: return jsonata_choice(raw);
      case StateType::kTask: return jsonata_task(raw, mock_result, mock_error);
      case StateType::kParallel: return jsonata_parallel(raw, mock_result, mock_error);
      case StateType::kMap: return jsonata_map(raw, mock_result, mock_error);
    }
  }

  void jsonata_choice(const Json& raw) {
    const auto& c = std::get<asl::ChoiceSpec>(st_.spec);
    const asl::JsonataState& j = *st_.jsonata;
    auto scope = jsonata_scope(raw);
    auto chosen = steps().choose(c, j, scope);
    if (!chosen.ok()) return failed(chosen.err);
    const asl::JsonataChoice* rule = *chosen.value < c.choices.size() ? &j.choices[*chosen.value] : nullptr;
    const std::uint32_t next = rule ? c.choices[*chosen.value].next : c.default_next;
    if (next == asl::kNoState) return failed(StateError{std::string(errors::kNoChoiceMatched), "No Matches!"});
    // As an execution runs it: the rule's Assign replaces the state's, its Output too.
    const asl::JsonataValue* assign = rule ? opt(rule->assign) : opt(j.assign);
    const asl::JsonataValue* output = rule && rule->output ? opt(rule->output) : opt(j.output);
    if (auto e = jsonata_exit(output, assign, scope, raw, next)) failed(*e);
  }

  /// Output and Assign over the mocked result. As in an execution, an
  /// evaluation error fails the state without Retry or Catch.
  void jsonata_result(const Json& raw, Json result) {
    const asl::JsonataState& j = *st_.jsonata;
    auto scope = jsonata_scope(raw, &result);
    if (auto e = jsonata_exit(opt(j.output), opt(j.assign), scope, result, asl::kNoState)) failed(*e);
  }

  void jsonata_task(const Json& raw, const std::optional<Json>& mock_result, const std::optional<Json>& mock_error) {
    const auto& t = std::get<asl::TaskSpec>(st_.spec);
    Json params = raw;
    std::optional<std::int64_t> timeout = t.timeout_seconds, heartbeat = t.heartbeat_seconds;
    if (auto e = steps().arguments(*st_.jsonata, raw, params, timeout, heartbeat)) return failed(*e);
    note("afterArguments", params);
    if (mock_error) return mocked_error(t.errors, raw, *mock_error);
    Json result = mock_result.value_or(Json::object());
    note("result", result);
    jsonata_result(raw, std::move(result));
  }

  void jsonata_parallel(const Json& raw, const std::optional<Json>& mock_result,
                        const std::optional<Json>& mock_error) {
    const auto& p = std::get<asl::ParallelSpec>(st_.spec);
    Json branch_input = raw;
    std::optional<std::int64_t> timeout, heartbeat;  // a Parallel has neither
    if (auto e = steps().arguments(*st_.jsonata, raw, branch_input, timeout, heartbeat)) return failed(*e);
    if (mock_error) return mocked_error(p.errors, raw, *mock_error);
    jsonata_result(raw, mock_result.value_or(Json::array()));
  }

  void jsonata_map(const Json& raw, const std::optional<Json>& mock_result, const std::optional<Json>& mock_error) {
    const auto& m = std::get<asl::MapSpec>(st_.spec);
    const asl::JsonataState& j = *st_.jsonata;
    std::vector<Json> items;  // checked (Items, ItemSelector); the mock stands for the iterations
    if (!item_reader_) {
      if (auto e = steps().map_items(j, raw, items)) return failed(*e);
    }
    std::optional<double> mc = m.max_concurrency.value, tc = m.tolerated_failure_count.value,
                          tp = m.tolerated_failure_percentage.value;
    if (auto e = steps().map_limits(j, raw, mc, tc, tp)) return failed(*e);
    if (inspect_) inspection_["maxConcurrency"] = static_cast<std::int64_t>(mc.value_or(0));
    if (inspect_ && tc) inspection_["toleratedFailureCount"] = static_cast<std::int64_t>(*tc);
    if (inspect_ && tp) inspection_["toleratedFailurePercentage"] = *tp;
    if (mock_error) return mocked_error(m.errors, raw, *mock_error);
    if (threshold_exceeded(mock_result, tc, tp)) return exceeded_threshold(m.errors, raw);
    jsonata_result(raw, mock_result.value_or(Json::array()));
  }

  const asl::State& st_;
  const std::vector<std::string>& names_;
  Json ctx_;
  Json variables_;
  bool inspect_;
  std::int64_t retry_count_;
  std::optional<std::int64_t> map_failures_;
  bool had_variables_ = false;
  bool assigned_ = false;  ///< some Assign ran
  bool item_reader_ = false;
  std::optional<Json> reader_items_;
  Json out_ = Json::object();
  Json inspection_ = Json::object();
  Json error_details_ = Json::object();
};

bool reveal_secrets(const Json& r) {
  return r.is_object() && r.contains("revealSecrets") && r.at("revealSecrets").is_boolean() &&
         r.at("revealSecrets").get<bool>();
}

std::optional<std::string> member(const Json& r, const char* key) {
  if (!r.is_object() || !r.contains(key) || !r.at(key).is_string()) return std::nullopt;
  return r.at(key).get<std::string>();
}

/// The mock's fieldValidationMode (STRICT when absent).
FieldValidationMode validation_mode(const Json& mock) {
  const auto mode = member(mock, "fieldValidationMode");
  if (mode == "PRESENT") return FieldValidationMode::kPresent;
  if (mode == "NONE") return FieldValidationMode::kNone;
  return FieldValidationMode::kStrict;
}

}  // namespace

Result<Json> run_test_state(const EngineOptions& options, std::int64_t now_ms, const Json& request) {
  const std::string definition = member(request, "definition").value_or("");
  const auto state_name = member(request, "stateName");
  const Json mock = request.contains("mock") && request.at("mock").is_object() ? request.at("mock") : Json();
  const bool mocked = mock.is_object();
  const Json config = request.contains("stateConfiguration") && request.at("stateConfiguration").is_object()
                          ? request.at("stateConfiguration")
                          : Json::object();

  // The definition: a whole machine (with stateName) or one state.
  auto parsed = parse_json(definition, ErrorCode::kInvalidDefinition);
  if (!parsed.ok()) {
    auto compiled = asl::compile_program(definition);
    return Status(ErrorCode::kInvalidDefinition, asl::invalid_definition_message(compiled.diagnostics));
  }
  const Json doc = std::move(parsed).value();
  const bool machine = doc.is_object() && doc.contains("States");
  Json wrapped;
  std::string target;
  if (machine) {
    if (!state_name) return invalid("stateName must be specified when the definition is a state machine");
    wrapped = doc;
    target = *state_name;
  } else {
    if (!doc.is_object()) {
      return Status(ErrorCode::kInvalidDefinition,
                    "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Definition must be a valid JSON "
                    "object'");
    }
    target = kLoneStateName;
    std::set<std::string> targets;
    transition_targets(doc, targets);
    Json states = Json::object();
    states[target] = doc;
    for (const std::string& t : targets) {
      if (t != target) states[t] = {{"Type", "Succeed"}};
    }
    wrapped = {{"StartAt", target}, {"States", std::move(states)}};
  }

  // Checks on the raw state, before compiling (AWS's order).
  const Json* raw_state = find_raw_state(wrapped, target);
  const std::string type = raw_state ? type_of(*raw_state) : std::string();
  if (mocked && mock.contains("result") && mock.contains("errorOutput")) {
    return invalid("A test mock should have only one of the following fields: [result, errorOutput].");
  }
  if (mocked && reveal_secrets(request)) {
    return invalid("TestState does not support RevealSecrets when a mock is specified.");
  }
  if (!mocked && config.contains("mapIterationFailureCount")) {
    return invalid("TestState does not support MapIterationFailureCount when a mock is not specified.");
  }
  if (raw_state && !mocked && (type == "Map" || type == "Parallel")) {
    return Status(ErrorCode::kInvalidDefinition, kMapOrParallelNeedMock);
  }
  if (raw_state && mocked && (type == "Pass" || type == "Succeed" || type == "Fail" || type == "Choice" ||
                              type == "Wait")) {
    return invalid("State type '" + type + "' is not supported when a mock is specified");
  }

  // A mocked Context object: its fields are checked before the definition.
  const auto context_text = member(request, "context");
  Json mocked_context;
  if (context_text && mocked) {
    auto c = parse_json(*context_text);
    if (!c.ok()) return invalid("Invalid Context object provided: " + c.status().message());
    mocked_context = std::move(c).value();
    if (auto bad = check_context(mocked_context)) return *bad;
  }

  // The mock's shape, checked against the raw state.
  std::optional<Json> mock_result, mock_error;
  if (mocked && mock.contains("result")) {
    auto r = parse_json(member(mock, "result").value_or(""));
    if (!r.ok()) return invalid_json("Mocked result must be valid JSON", r.status());
    mock_result = std::move(r).value();
    if (raw_state && type == "Parallel") {
      if (!mock_result->is_array()) return invalid("Mocked result must be an array.");
      const Json* branches = raw_state->contains("Branches") ? &raw_state->at("Branches") : nullptr;
      if (branches && branches->is_array() && mock_result->size() != branches->size()) {
        return invalid("Mocked result must contain the same number of items as number of Parallel branches.");
      }
    }
    if (raw_state && type == "Map") {
      const bool writer = raw_state->contains("ResultWriter");
      if (writer && !mock_result->is_object()) return invalid("Mocked result must be a JSON object.");
      if (!writer && !mock_result->is_array()) return invalid("Mocked result must be an array.");
    }
  } else if (mocked && mock.contains("errorOutput")) {
    mock_error = mock.at("errorOutput");
  } else if (mocked) {
    return invalid("A test mock should have one of the following fields: [result, errorOutput].");
  }

  // A mocked Map's result stands for its whole run: its ItemReader and
  // ResultWriter never run (stateConfiguration.mapItemReaderData gives the
  // items an ItemReader would read).
  std::optional<Json> reader_items;
  bool item_reader = false;
  if (mocked && raw_state && type == "Map") {
    Json* editable = const_cast<Json*>(raw_state);
    item_reader = editable->contains("ItemReader");
    editable->erase("ItemReader");
    editable->erase("ResultWriter");
    if (auto data = member(config, "mapItemReaderData")) {
      auto d = parse_json(*data);
      if (!d.ok()) return invalid_json("MapItemReaderData must be a JSON array.", d.status());
      if (!d->is_array()) return invalid("MapItemReaderData must be a JSON array.");
      reader_items = std::move(d).value();
    }
  }

  auto compiled = asl::compile_program(dump_json(wrapped));
  if (!compiled.diagnostics.empty()) {
    return Status(ErrorCode::kInvalidDefinition, asl::invalid_definition_message(compiled.diagnostics));
  }
  const asl::Scope* holder = nullptr;
  const asl::State* st = find_state(compiled.program->root, target, &holder);
  if (!st || !raw_state) return invalid("State not found in definition");
  if (mock_result && st->type == StateType::kTask) {
    // The mock stands for the integration's response: checked against its shape.
    if (auto key = integration_key(std::get<asl::TaskSpec>(st->spec).resource)) {
      if (auto bad = check_mock_result(*key, *mock_result, validation_mode(mock))) return invalid(*bad);
    }
  }

  if (st->type == StateType::kTask && !mocked) {
    const auto& t = std::get<asl::TaskSpec>(st->spec);
    if (!member(request, "roleArn")) return invalid("RoleArn must be specified when testing a Task state");
    if (t.kind == asl::ResourceKind::kActivity || t.sync || t.wait_for_task_token) {
      return invalid(
          "TestState requires a mock to test an Activity task or the .sync and .waitForTaskToken integration "
          "patterns");
    }
    return invalid(
        "stepfiber runs a Task state in TestState only with a mock (mock.result or mock.errorOutput): it calls no "
        "AWS service");
  }

  if (context_text && !mocked) {
    return invalid("TestState supports a Context object only when a mock is specified.");
  }

  // Input, variables and mock.
  Json input = Json::object();
  if (auto text = member(request, "input")) {
    auto in = parse_json(*text, ErrorCode::kInvalidExecutionInput);
    if (!in.ok()) return Status(ErrorCode::kInvalidExecutionInput, "Invalid State Machine Execution Input: " + in.status().message());
    input = std::move(in).value();
  }
  Json variables = Json::object();
  const auto variables_text = member(request, "variables");
  if (variables_text) {
    auto v = parse_json(*variables_text);
    if (!v.ok()) return invalid_json("Variables must be a JSON object", v.status());
    if (!v->is_object()) return invalid("Variables must be a JSON object");
    variables = std::move(v).value();
  }
  std::optional<std::int64_t> map_failures;
  if (config.contains("mapIterationFailureCount") && config.at("mapIterationFailureCount").is_number_integer()) {
    map_failures = config.at("mapIterationFailureCount").get<std::int64_t>();
    if (st->type != StateType::kMap) {
      return invalid("TestState supports MapIterationFailureCount only for a Map state.");
    }
    if (mock_result && mock_result->is_array() && *map_failures > static_cast<std::int64_t>(mock_result->size())) {
      return invalid("Map iteration failure count must be less than or equal to the number of Map iterations");
    }
  }
  if (auto name = member(config, "errorCausedByState")) {
    if (!mock_error) return invalid("TestState supports ErrorCausedByState only with a mocked errorOutput.");
    const asl::Scope* h = nullptr;
    if (!find_state(compiled.program->root, *name, &h)) {
      return invalid("ErrorCausedByState '" + *name + "' is not a state of the definition");
    }
  }
  const std::int64_t retry_count =
      config.contains("retrierRetryCount") && config.at("retrierRetryCount").is_number_integer()
          ? config.at("retrierRetryCount").get<std::int64_t>()
          : 0;

  Json ctx = std::move(mocked_context);
  if (context_text) {
    if (auto bad = check_context_task(ctx, *st)) return *bad;
  } else {
    // What AWS puts there: an express-style execution of a throwaway machine.
    const std::string machine_name = random_uuid();
    const std::string execution_name = random_uuid();
    const std::string prefix = "arn:aws:states:" + options.region + ":" + options.account + ":";
    const std::string stamp = choice::format_timestamp_millis(now_ms);
    const auto role = member(request, "roleArn");  // none given: null, as AWS shows it
    ctx = Json::object();
    ctx["Execution"] = {{"Id", prefix + "express:" + machine_name + ":" + execution_name},
                        {"Input", input},
                        {"Name", execution_name},
                        {"RoleArn", role ? Json(*role) : Json(nullptr)},
                        {"StartTime", stamp}};
    ctx["StateMachine"] = {{"Id", prefix + "stateMachine:" + machine_name}, {"Name", machine_name}};
    // AWS runs the state on its own, under the lone state's name, even when the
    // request names it in a whole machine (recorded once) [verify].
    ctx["State"] = {{"Name", kLoneStateName}, {"EnteredTime", stamp}};
    // A state that can retry counts its retries [verify: AWS shows none for a Pass].
    if (st->type == StateType::kTask || st->type == StateType::kMap || st->type == StateType::kParallel) {
      ctx["State"]["RetryCount"] = retry_count;
    }
    if (st->type == StateType::kTask) {
      const auto& t = std::get<asl::TaskSpec>(st->spec);
      if (t.wait_for_task_token || t.sync) ctx["Task"] = {{"Token", random_hex(32)}};
    }
  }

  std::vector<std::string> names;
  names.reserve(holder->states.size());
  for (const asl::State& s : holder->states) names.push_back(s.name);
  const std::string level = member(request, "inspectionLevel").value_or("INFO");
  Run run(*st, names, std::move(ctx), std::move(variables), level != "INFO", retry_count, map_failures);
  run.set_had_variables(variables_text.has_value());
  if (item_reader) run.set_item_reader(std::move(reader_items));
  return run.run(std::move(input), mock_result, mock_error);
}

}  // namespace stepfiber::engine
