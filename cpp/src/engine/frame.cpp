// Frame: the walk through a scope, the JSONPath data flow, Assign, Retry/
// Catch, and the states that never or only simply wait (Pass, Choice,
// Succeed, Fail, Wait). Task is in frame_task.cpp; Parallel and Map in
// frame_branches.cpp.
#include "engine/frame.h"
#include "engine/wait_paths.h"

#include <sys/random.h>

#include <cmath>
#include <ctime>
#include <random>
#include <utility>

#include <boost/fiber/operations.hpp>

#include "errors/error_names.h"
#include "choice/timestamp.h"

namespace stepfiber::engine {
namespace {

using asl::StateError;
using asl::StateType;
namespace errors = asl::errors;

constexpr int kTransitionsPerYield = 64;

/// FULL jitter: a uniform delay in [0, delay). Seeded from getrandom, not
/// std::random_device, whose ~5 KB object would cost a fiber two stack pages.
[[gnu::noinline]] double full_jitter(double delay) {
  thread_local std::mt19937_64 rng{[] {
    std::uint64_t seed = 0;
    if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) seed = static_cast<std::uint64_t>(std::time(nullptr));
    return seed;
  }()};
  return std::uniform_real_distribution<double>(0.0, delay)(rng);
}

/// What dump_json({"name": name, field: text, ...}) prints, built directly:
/// `tail` closes the object (and may add members before the brace).
/// A state event's details, `{"name":..., "<field>":<text as a string>}`, plus
/// `"<details_key>":{"truncated":false}` unless `details_key` is empty.
std::string state_details_text(const std::string& name, const char* field, const std::string& text,
                               std::string_view details_key) {
  JsonObjectText d(text.size() + name.size() + 64);
  d.string("name", name).string(field, text);
  if (!details_key.empty()) d.json(details_key, R"({"truncated":false})");
  return std::move(d).finish();
}

Json output_details(const asl::State& st, const Json& output) {
  return Json{{"name", st.name}, {"output", dump_json(output)}, {"outputDetails", {{"truncated", false}}}};
}

}  // namespace

const char* entered_event(StateType t) {
  switch (t) {
    case StateType::kPass: return "PassStateEntered";
    case StateType::kTask: return "TaskStateEntered";
    case StateType::kChoice: return "ChoiceStateEntered";
    case StateType::kWait: return "WaitStateEntered";
    case StateType::kSucceed: return "SucceedStateEntered";
    case StateType::kFail: return "FailStateEntered";
    case StateType::kParallel: return "ParallelStateEntered";
    case StateType::kMap: return "MapStateEntered";
  }
  return "StateEntered";
}

const char* exited_event(StateType t) {
  switch (t) {
    case StateType::kPass: return "PassStateExited";
    case StateType::kTask: return "TaskStateExited";
    case StateType::kChoice: return "ChoiceStateExited";
    case StateType::kWait: return "WaitStateExited";
    case StateType::kSucceed: return "SucceedStateExited";
    case StateType::kFail: return "FailStateExited";
    case StateType::kParallel: return "ParallelStateExited";
    case StateType::kMap: return "MapStateExited";
  }
  return "StateExited";
}

bool error_matches(const std::vector<std::string>& equals, const std::string& error, bool heartbeat) {
  for (const std::string& e : equals) {
    if (e == error) return true;
    if (e == errors::kAll) {
      // Recorded AWS runs: States.ALL catches a task result over the payload
      // limit (States.DataLimitExceeded); only States.Runtime escapes it.
      if (error != errors::kRuntime) return true;
    } else if (e == errors::kTaskFailed) {
      if (error != errors::kTimeout && error != errors::kRuntime && error != errors::kDataLimitExceeded &&
          error.rfind("States.", 0) != 0)
        return true;
    } else if (e == errors::kHeartbeatTimeout) {
      if (heartbeat && error == errors::kTimeout) return true;
    }
  }
  return false;
}

Frame::Frame(ExecutionContext& x, std::uint32_t strand, Json variables, bool in_branch, History* history)
    : x_(x),
      core_(x.core),
      ex_(x.ex),
      history_(history ? history : &x.ex.history),
      strand_(strand),
      variables_(std::move(variables)),
      in_branch_(in_branch) {}

Frame::~Frame() {
  if (redrive_reuse_) main([&] { redrive_reuse_.reset(); });  // JSON frees recurse: main stack
}

// ---- the walk ------------------------------------------------------------------

ScopeResult Frame::run_scope(const asl::Scope& scope, Json data, std::uint32_t start) {
  std::uint32_t current = start == asl::kNoState ? scope.start : start;
  bool first = history_->last_id() <= 1;
  next_input_text_.clear();
  int transitions = 0;
  for (;;) {
    if (stopped()) return ScopeResult{};
    if (++transitions % kTransitionsPerYield == 0) {
      boost::this_fiber::yield();  // long synchronous runs share the thread
      if (stopped()) return ScopeResult{};
    }
    const asl::State& st = scope.states[current];
    StepResult r;
    CensusPosition at(core_.census, ex_, strand_, st);  // this strand stands in `st` until the step ends
    switch (st.type) {
      case StateType::kTask: r = run_task(st, std::get<asl::TaskSpec>(st.spec), std::move(data), first); break;
      case StateType::kWait: r = run_wait(st, std::get<asl::WaitSpec>(st.spec), std::move(data), first); break;
      case StateType::kParallel:
        r = run_parallel(st, std::get<asl::ParallelSpec>(st.spec), std::move(data), first);
        break;
      case StateType::kMap: r = run_map(st, std::get<asl::MapSpec>(st.spec), std::move(data), first); break;
      default: main([&] { r = run_sync_state(st, std::move(data), first); }); break;
    }
    first = false;
    if (r.kind == StepResult::Kind::kStopped || ex_.abandoned) return ScopeResult{};
    if (x_.history_full) {
      r = StepResult::fail(StateError{std::string(errors::kRuntime),
                                      "The execution reached the maximum number of history events (25000)."});
    }
    switch (r.kind) {
      case StepResult::Kind::kNext:
        data = std::move(r.output);
        next_input_text_ = std::move(r.output_text);
        current = r.next;
        continue;
      case StepResult::Kind::kEnd: return ScopeResult{ScopeResult::Kind::kSucceeded, std::move(r.output), {}};
      case StepResult::Kind::kFail: return ScopeResult{ScopeResult::Kind::kFailed, {}, std::move(r.error)};
      case StepResult::Kind::kStopped: return ScopeResult{};
    }
  }
}

// ---- plumbing ------------------------------------------------------------------------

std::int64_t Frame::record_text(const char* type, std::string_view details, std::optional<std::int64_t> prev) {
  if (history_->last_id() >= kMaxHistoryEvents - 1) {
    x_.history_full = true;
    return history_->last_id();
  }
  return history_->add_text(core_.now(), prev ? *prev : history_->last_id(), type, details);
}

std::int64_t Frame::record(const char* type, const Json* details, std::optional<std::int64_t> prev) {
  if (history_->last_id() >= kMaxHistoryEvents - 1) {
    x_.history_full = true;
    return history_->last_id();
  }
  return history_->add(core_.now(), prev ? *prev : history_->last_id(), type, details);
}

StateError Frame::runtime_error(const std::string& detail) const {
  return StateError{std::string(errors::kRuntime), state_cause(detail)};
}

std::string Frame::state_cause(const std::string& detail) const {
  return "An error occurred while executing the state '" + current_state_->name + "' (entered at the event id #" +
         std::to_string(entered_event_id_) + "). " + detail;
}

StateError Frame::with_state_prefix(StateError e) const {
  if (e.error == errors::kRuntime && e.cause) e.cause = state_cause(*e.cause);
  return e;
}

Json Frame::context_object(const asl::State& st, const std::string* token, const Json* map_item,
                           std::uint8_t parts) const {
  Json ctx = Json::object();
  if (parts & path::kContextExecution) {
    // $$.Execution.Input is parsed again from the text when asked for: a
    // parked execution does not keep a parsed copy.
    auto input = parse_json(ex_.input);
    ctx["Execution"] = {{"Id", ex_.arn},
                        {"Input", input.ok() ? std::move(input).value() : Json::object()},
                        {"StartTime", choice::format_timestamp_millis(ex_.start)},
                        {"Name", std::string(ex_.name())},
                        {"RoleArn", ex_.machine->role_arn}};
    if (!ex_.sync) {  // absent for StartSyncExecution (recorded)
      ctx["Execution"]["RedriveCount"] = ex_.redrive_count();
      if (ex_.redrive_count() > 0) {
        ctx["Execution"]["RedriveTime"] = choice::format_timestamp_millis(ex_.extra_if()->redrive_date);
      }
    }
  }
  if (parts & path::kContextStateMachine) {
    ctx["StateMachine"] = {{"Id", ex_.machine->arn}, {"Name", ex_.machine->name}};
  }
  if (parts & path::kContextState) {
    Json state = {{"Name", st.name}, {"EnteredTime", choice::format_timestamp_millis(entered_time_)}};
    if (st.type == StateType::kTask || st.type == StateType::kParallel || st.type == StateType::kMap) {
      state["RetryCount"] = retry_count_;
    }
    ctx["State"] = std::move(state);
  }
  if (token && (parts & path::kContextTask)) ctx["Task"] = {{"Token", *token}};
  if (map_item && (parts & path::kContextMap)) ctx["Map"] = {{"Item", *map_item}};
  return ctx;
}

asl::Eval<Json> Frame::evaluate(const path::PayloadTemplate& t, const asl::State& st, const Json& input,
                                const std::string* token, const Json* map_item) {
  // Only the parts of $$ the template reads; a failure is evaluated again
  // against the whole object, whose text AWS quotes in some messages.
  const std::uint8_t parts = t.context_parts();
  Json ctx = parts ? context_object(st, token, map_item, parts) : Json();
  auto r = t.evaluate(scope_for(input, ctx));
  if (!r.ok() && parts != path::kContextAll && t.uses_context()) {
    ctx = context_object(st, token, map_item);
    r = t.evaluate(scope_for(input, ctx));
  }
  if (!r.ok()) return asl::Eval<Json>::failure(with_state_prefix(r.err));
  return r;
}

std::optional<Json> Frame::lookup(const path::ValueExpr& e, const asl::State& st, const Json& input) {
  Json ctx = e.uses_context() ? context_object(st, nullptr) : Json();
  auto r = e.evaluate(scope_for(input, ctx));
  if (!r.ok()) return std::nullopt;
  return std::move(*r.value);
}

// ---- data flow --------------------------------------------------------------------------

asl::Eval<Json> Frame::select(const asl::SelectPath& p, const Json& data, const asl::State& st) {
  using K = asl::SelectPath::Kind;
  if (p.kind == K::kDefault) return asl::Eval<Json>::success(data);
  if (p.kind == K::kNull) return asl::Eval<Json>::success(Json::object());
  if (p.variable) {
    auto r = p.variable->evaluate(scope_for(data, Json()));
    if (!r.ok()) return asl::Eval<Json>::failure(with_state_prefix(r.err));
    return r;
  }
  std::optional<Json> v;
  Json ctx;
  try {
    if (p.context) {
      ctx = context_object(st, nullptr);
      v = p.path.select(ctx);
    } else {
      v = p.path.select(data);
    }
  } catch (const path::SelectLimitExceeded& e) {
    return asl::Eval<Json>::failure(runtime_error(e.what()));
  }
  if (!v) {
    return asl::Eval<Json>::failure(runtime_error("Invalid path '" + p.path.text() + "' : " +
                                                  p.path.explain_no_match(p.context ? ctx : data)));
  }
  return asl::Eval<Json>::success(std::move(*v));
}

asl::Eval<Json> Frame::apply_result_path(const asl::ResultPathSpec& rp, Json raw, Json result) {
  using K = asl::ResultPathSpec::Kind;
  if (rp.kind == K::kDefault) return asl::Eval<Json>::success(std::move(result));
  if (rp.kind == K::kNull) return asl::Eval<Json>::success(std::move(raw));
  if (!rp.path.assign(raw, std::move(result))) {
    return asl::Eval<Json>::failure(
        StateError{std::string(errors::kResultPathMatchFailure),
                   state_cause("Unable to apply ResultPath '" + rp.path.text() + "' to input '" + dump_json(raw) + "'")});
  }
  return asl::Eval<Json>::success(std::move(raw));
}

std::optional<StateError> Frame::evaluate_assign(const std::optional<path::PayloadTemplate>& assign,
                                                 const asl::State& st, const Json& dollar, Json& assigned) {
  if (!assign) return std::nullopt;
  auto r = evaluate(*assign, st, dollar);
  if (!r.ok()) return r.err;
  assigned = std::move(*r.value);
  return std::nullopt;
}

StepResult Frame::exit_state(const asl::State& st, Json output, const Json* assigned, std::uint32_t next) {
  std::string text = dump_json(output);  // printed once: the limit check, the event, the next StateEntered
  if (text.size() > kPayloadLimit) {
    return StepResult::fail(StateError{
        std::string(errors::kDataLimitExceeded),
        "The state/task '" + st.name + "' returned a result with a size exceeding the maximum number of bytes service limit."});
  }
  if (assigned) {
    Json details = {{"name", st.name}, {"output", text}, {"outputDetails", {{"truncated", false}}}};
    Json shown = Json::object();
    for (const auto& [k, v] : assigned->items()) {
      shown[k] = dump_json(v);
      variables_[k] = v;
    }
    details["assignedVariables"] = std::move(shown);
    details["assignedVariablesDetails"] = {{"truncated", false}};
    record(exited_event(st.type), &details);
  } else {
    // what dump_json(output_details(st, output)) prints
    record_text(exited_event(st.type),
                state_details_text(st.name, "output", text, "outputDetails"));
  }
  if (next == asl::kNoState && st.end) return StepResult::end(std::move(output));
  StepResult r = StepResult::next_state(next == asl::kNoState ? st.next : next, std::move(output));
  r.output_text = std::move(text);
  return r;
}

StepResult Frame::finish_with_result(const asl::State& st, const std::optional<path::PayloadTemplate>& selector,
                                     Json raw, Json result) {
  if (st.jsonata) return jsonata_finish(st, raw, std::move(result));
  if (selector) {
    auto r = evaluate(*selector, st, result);
    if (!r.ok()) return StepResult::fail(r.err);
    result = std::move(*r.value);
  }
  Json assigned;
  if (auto e = evaluate_assign(st.assign, st, result, assigned)) return StepResult::fail(*e);
  auto merged = apply_result_path(st.result_path, std::move(raw), std::move(result));
  if (!merged.ok()) return StepResult::fail(merged.err);
  auto out = select(st.output_path, *merged.value, st);
  if (!out.ok()) return StepResult::fail(out.err);
  return exit_state(st, std::move(*out.value), st.assign ? &assigned : nullptr, asl::kNoState);
}

AfterError Frame::handle_error(const asl::State& st, const asl::ErrorHandling& eh, Json& raw,
                               const std::string& error, const std::optional<std::string>& cause, bool heartbeat,
                               bool error_present, std::vector<std::int64_t>& retries,
                               const char* failed_event) {
  for (std::size_t i = 0; i < eh.retry.size(); ++i) {
    const asl::Retrier& r = eh.retry[i];
    if (!error_matches(r.error_equals, error, heartbeat)) continue;
    if (retries[i] < r.max_attempts) {
      double delay = r.interval_seconds * std::pow(r.backoff_rate, static_cast<double>(retries[i]));
      if (r.max_delay_seconds) delay = std::min(delay, *r.max_delay_seconds);
      if (r.jitter_full) delay = full_jitter(delay);
      ++retries[i];
      ++retry_count_;
      return {std::nullopt, static_cast<runtime::Millis>(std::llround(delay * 1000))};
    }
    break;  // the first matching retrier decides
  }
  if (failed_event) record(failed_event, nullptr);
  for (const asl::Catcher& c : eh.catch_) {
    if (!error_matches(c.error_equals, error, heartbeat)) continue;
    Json error_output = Json::object();
    error_output["Error"] = error_present ? Json(error) : Json(nullptr);
    error_output["Cause"] = cause ? Json(*cause) : Json(nullptr);
    if (st.jsonata) {
      return {jsonata_catch(st, static_cast<std::size_t>(&c - eh.catch_.data()), raw, error_output, c.next)};
    }
    Json assigned;
    if (auto e = evaluate_assign(c.assign, st, error_output, assigned)) return {StepResult::fail(*e)};
    auto merged = apply_result_path(c.result_path, std::move(raw), std::move(error_output));
    if (!merged.ok()) return {StepResult::fail(merged.err)};
    return {exit_state(st, std::move(*merged.value), c.assign ? &assigned : nullptr, c.next)};
  }
  StateError e{error_present ? error : std::string(), cause};
  return {StepResult::fail(std::move(e))};
}

void Frame::record_aborted(const asl::State& st) {
  const char* type = nullptr;
  switch (st.type) {
    case StateType::kTask: type = "TaskStateAborted"; break;
    case StateType::kWait: type = "WaitStateAborted"; break;
    case StateType::kParallel: type = "ParallelStateAborted"; break;
    case StateType::kMap: type = "MapStateAborted"; break;
    default: return;
  }
  record(type, nullptr);
}

// ---- states --------------------------------------------------------------------------------

void Frame::enter_state(const asl::State& st, const Json& raw, bool first) {
  current_state_ = &st;
  entered_time_ = core_.now();
  retry_count_ = 0;
  // inputDetails ({"truncated": false}) is added when the history is read.
  std::string input = next_input_text_.empty() ? dump_json(raw) : std::move(next_input_text_);
  next_input_text_.clear();
  entered_event_id_ = record_text(entered_event(st.type), state_details_text(st.name, "input", input, {}),
                                  first ? std::optional<std::int64_t>(0) : std::nullopt);
}

StepResult Frame::run_sync_state(const asl::State& st, Json raw, bool first) {
  enter_state(st, raw, first);
  if (st.jsonata) return run_jsonata_sync_state(st, std::move(raw));
  switch (st.type) {
    case StateType::kPass: return run_pass(st, std::get<asl::PassSpec>(st.spec), std::move(raw));
    case StateType::kChoice: return run_choice(st, std::get<asl::ChoiceSpec>(st.spec), std::move(raw));
    case StateType::kSucceed: {
      auto eff = select(st.input_path, raw, st);
      if (!eff.ok()) return StepResult::fail(eff.err);
      auto out = select(st.output_path, *eff.value, st);
      if (!out.ok()) return StepResult::fail(out.err);
      Json d = output_details(st, *out.value);
      record(exited_event(st.type), &d);
      return StepResult::end(std::move(*out.value));
    }
    case StateType::kFail: return run_fail(std::get<asl::FailSpec>(st.spec), raw);
    default: break;  // waiting states run on the fiber side
  }
  return StepResult::fail(runtime_error("internal: state type dispatched to the wrong runner"));
}

StepResult Frame::run_pass(const asl::State& st, const asl::PassSpec& p, Json raw) {
  auto eff = select(st.input_path, raw, st);
  if (!eff.ok()) return StepResult::fail(eff.err);
  Json result;
  if (p.result) {
    result = *p.result;
  } else if (p.parameters) {
    auto r = evaluate(*p.parameters, st, *eff.value);
    if (!r.ok()) return StepResult::fail(r.err);
    result = std::move(*r.value);
  } else {
    result = std::move(*eff.value);
  }
  return finish_with_result(st, std::nullopt, std::move(raw), std::move(result));
}

StepResult Frame::run_choice(const asl::State& st, const asl::ChoiceSpec& c, Json raw) {
  auto eff = select(st.input_path, raw, st);
  if (!eff.ok()) return StepResult::fail(eff.err);
  // Only the parts of $$ the rules read (most read none).
  std::uint8_t parts = 0;
  for (const auto& branch : c.choices) parts |= branch.rule.context_parts();
  const Json ctx = parts ? context_object(st, nullptr, nullptr, parts) : Json();
  const asl::ChoiceBranch* chosen = nullptr;
  for (const auto& branch : c.choices) {
    auto m = branch.rule.evaluate(scope_for(*eff.value, ctx));
    if (!m.ok()) return StepResult::fail(with_state_prefix(m.err));
    if (*m.value) {
      chosen = &branch;
      break;
    }
  }
  const std::uint32_t next = chosen ? chosen->next : c.default_next;
  if (next == asl::kNoState) {
    return StepResult::fail(StateError{std::string(errors::kNoChoiceMatched), "No Matches!"});
  }
  // The chosen rule's Assign replaces the state's, which applies on Default.
  const std::optional<path::PayloadTemplate>& assign = chosen ? chosen->assign : st.assign;
  Json assigned;
  if (auto e = evaluate_assign(assign, st, *eff.value, assigned)) return StepResult::fail(*e);
  auto out = select(st.output_path, *eff.value, st);
  if (!out.ok()) return StepResult::fail(out.err);
  return exit_state(st, std::move(*out.value), assign ? &assigned : nullptr, next);
}

StepResult Frame::run_fail(const asl::FailSpec& f, const Json& raw) {
  auto resolve = [&](const std::optional<std::string>& literal, const std::optional<path::ValueExpr>& e,
                     const char* field, std::optional<std::string>& out) -> std::optional<StateError> {
    if (literal) {
      out = *literal;
      return std::nullopt;
    }
    if (!e) return std::nullopt;
    Json ctx = e->uses_context() ? context_object(*current_state_, nullptr) : Json();
    auto v = e->evaluate(scope_for(raw, ctx));
    if (!v.ok()) return with_state_prefix(v.err);
    if (!v.value->is_string()) {
      return runtime_error("The JSONPath '" + e->text() + "' specified for the field '" + field +
                           "' must resolve to a string, but was '" + dump_json(*v.value) + "'");
    }
    out = v.value->get<std::string>();
    return std::nullopt;
  };
  std::optional<std::string> error, cause;
  if (auto err = resolve(f.error, f.error_path, "ErrorPath", error)) return StepResult::fail(*err);
  if (auto err = resolve(f.cause, f.cause_path, "CausePath", cause)) return StepResult::fail(*err);
  return StepResult::fail(StateError{error.value_or(""), cause});
}

StepResult Frame::run_wait(const asl::State& st, const asl::WaitSpec& w, Json raw, bool first) {
  std::optional<StepResult> early;
  runtime::Millis deadline = 0;
  Json in;
  main([&] {
    enter_state(st, raw, first);
    auto r = wait_deadline(st, w, raw, in);
    if (!r.ok()) early = StepResult::fail(r.err);
    else deadline = *r.value;
  });
  if (early) return std::move(*early);
  bool slept;
  {
    CensusWaiting waiting(core_.census, ex_, strand_, CensusWait::kTimer);
    slept = sleep_until(deadline);
  }
  if (!slept) return stop_state(st);
  StepResult out;
  main([&] {
    if (st.jsonata) {
      out = jsonata_exit(st, st.jsonata->output ? &*st.jsonata->output : nullptr,
                         st.jsonata->assign ? &*st.jsonata->assign : nullptr, jsonata_scope(st, in), in,
                         asl::kNoState);
      return;
    }
    Json assigned;
    if (auto e = evaluate_assign(st.assign, st, in, assigned)) {
      out = StepResult::fail(*e);
      return;
    }
    auto o = select(st.output_path, in, st);
    out = o.ok() ? exit_state(st, std::move(*o.value), st.assign ? &assigned : nullptr, asl::kNoState)
                 : StepResult::fail(o.err);
  });
  return out;
}

asl::Eval<runtime::Millis> Frame::wait_deadline(const asl::State& st, const asl::WaitSpec& w, const Json& raw,
                                                Json& in) {
  using R = asl::Eval<runtime::Millis>;
  if (st.jsonata) {
    in = raw;
    return jsonata_wait_deadline(st, w, raw);
  }
  auto eff = select(st.input_path, raw, st);
  if (!eff.ok()) return R::failure(eff.err);
  in = std::move(*eff.value);
  runtime::Millis deadline = core_.now();
  if (w.seconds) {
    deadline = entered_time_ + *w.seconds * 1000;
  } else if (w.timestamp) {
    auto ts = choice::parse_timestamp(*w.timestamp);
    if (!ts) {
      return R::failure(runtime_error(
          "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + *w.timestamp));
    }
    deadline = ts->seconds * 1000 + ts->nanos / 1000000;
  } else if (w.seconds_path) {
    auto v = lookup(*w.seconds_path, st, in);
    auto seconds = wait_seconds_from_path(w.seconds_path->text(), v ? &*v : nullptr);
    if (auto* cause = std::get_if<std::string>(&seconds)) return R::failure(runtime_error(std::move(*cause)));
    deadline = entered_time_ + std::get<std::int64_t>(seconds) * 1000;
  } else if (w.timestamp_path) {
    auto v = lookup(*w.timestamp_path, st, in);
    auto ts = wait_timestamp_from_path(w.timestamp_path->text(), v ? &*v : nullptr);
    if (auto* cause = std::get_if<std::string>(&ts)) return R::failure(runtime_error(std::move(*cause)));
    const auto& t = std::get<choice::Timestamp>(ts);
    deadline = t.seconds * 1000 + t.nanos / 1000000;
  }
  return R::success(deadline);
}

StepResult Frame::stop_state(const asl::State& st) {
  if (!ex_.abandoned) main([&] { record_aborted(st); });
  return StepResult::stopped();
}

bool Frame::back_off(const asl::State& st, runtime::Millis delay) {
  bool slept;
  {
    CensusWaiting retrying(core_.census, ex_, strand_, CensusWait::kRetry);
    slept = sleep_until(core_.now() + delay);
  }
  if (slept) return true;
  stop_state(st);
  return false;
}

bool Frame::sleep_until(runtime::Millis deadline) {
  Strand& s = strand();
  const std::uint32_t epoch = s.waiter.begin();
  if (deadline > core_.now()) core_.timers.arm(deadline, ex_.index, strand_, epoch);
  while (core_.now() < deadline) {
    if (stopped()) return false;
    s.waiter.wait();
  }
  return !stopped();
}

}  // namespace stepfiber::engine
