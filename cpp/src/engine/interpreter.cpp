// The fiber body of an execution: walks the compiled Program state by
// state, applying the JSONPath data flow, recording history, and parking
// the fiber (through its Waiter) for tokens, handler calls and timers.
//
// Runs only on an execution fiber of the engine thread. No exception
// leaves run_execution(): anything unexpected fails the execution with
// States.Runtime (Boost.Fiber would otherwise call std::terminate).
#include <sys/random.h>

#include <cmath>
#include <ctime>
#include <exception>
#include <limits>
#include <random>
#include <string>
#include <utility>

#include <boost/fiber/operations.hpp>

#include "asl/error_names.h"
#include "asl/state_error.h"
#include "choice/timestamp.h"
#include "engine/core.h"

namespace stepfiber::engine {
namespace {

using asl::StateError;
using asl::StateType;
namespace errors = asl::errors;

constexpr std::int64_t kMaxHistoryEvents = 25000;
constexpr std::size_t kPayloadLimit = 262144;
constexpr int kTransitionsPerYield = 64;

struct StepResult {
  enum class Kind { kNext, kEnd, kFail, kAbandoned } kind = Kind::kAbandoned;
  std::uint32_t next = asl::kNoState;
  Json output;
  StateError error;

  static StepResult next_state(std::uint32_t n, Json out) {
    return StepResult{Kind::kNext, n, std::move(out), {}};
  }
  static StepResult end(Json out) { return StepResult{Kind::kEnd, asl::kNoState, std::move(out), {}}; }
  static StepResult fail(StateError e) { return StepResult{Kind::kFail, asl::kNoState, {}, std::move(e)}; }
  static StepResult abandoned() { return StepResult{}; }
};

/// How a task attempt ended.
struct Awaited {
  enum class Kind { kSuccess, kFailure, kTimeout, kAbandoned } kind = Kind::kAbandoned;
  Json output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  bool heartbeat = false;  ///< kTimeout caused by HeartbeatSeconds
};

const char* entered_event(StateType t) {
  switch (t) {
    case StateType::kPass: return "PassStateEntered";
    case StateType::kTask: return "TaskStateEntered";
    case StateType::kChoice: return "ChoiceStateEntered";
    case StateType::kWait: return "WaitStateEntered";
    case StateType::kSucceed: return "SucceedStateEntered";
    case StateType::kFail: return "FailStateEntered";
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
  }
  return "StateExited";
}

Json payload_details(const char* key, const Json& value) {
  return Json{{key, dump_json(value)}, {std::string(key) + "Details", {{"truncated", false}}}};
}

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

/// Does a retrier's or catcher's ErrorEquals match `error`?
bool error_matches(const std::vector<std::string>& equals, const std::string& error, bool heartbeat) {
  for (const std::string& e : equals) {
    if (e == error) return true;
    if (e == errors::kAll) {
      if (error != errors::kRuntime && error != errors::kDataLimitExceeded) return true;
    } else if (e == errors::kTaskFailed) {
      if (error != errors::kTimeout && error != errors::kRuntime &&
          error != errors::kDataLimitExceeded && error.rfind("States.", 0) != 0)
        return true;
    } else if (e == errors::kHeartbeatTimeout) {
      if (heartbeat && error == errors::kTimeout) return true;
    }
  }
  return false;
}

class Interpreter {
 public:
  Interpreter(Core& core, Execution& ex) : core_(core), ex_(ex), program_(*ex.machine->program) {}

  /// Fiber side. Everything that touches JSON runs through main(); only
  /// waits happen on the fiber's own stack.
  void run() {
    Json data;
    main([&] {
      auto parsed = parse_json(ex_.input);
      exec_input_ = parsed.ok() ? std::move(parsed).value() : Json::object();
      data = exec_input_;
    });
    const asl::Scope& scope = program_.root;
    std::uint32_t current = scope.start;
    bool first = true;
    int transitions = 0;
    for (;;) {
      if (ex_.abandoned) return;
      if (++transitions % kTransitionsPerYield == 0) {
        boost::this_fiber::yield();  // long synchronous runs share the thread
        if (ex_.abandoned) return;
      }
      const asl::State& st = scope.states[current];
      StepResult r;
      switch (st.type) {
        case StateType::kTask: r = run_task(st, std::get<asl::TaskSpec>(st.spec), std::move(data), first); break;
        case StateType::kWait: r = run_wait(st, std::get<asl::WaitSpec>(st.spec), std::move(data), first); break;
        default: main([&] { r = run_sync_state(st, std::move(data), first); }); break;
      }
      first = false;
      if (r.kind == StepResult::Kind::kAbandoned || ex_.abandoned) return;
      if (history_full_) {
        r = StepResult::fail(StateError{std::string(errors::kRuntime),
                                        "The execution reached the maximum number of history events (25000)."});
      }
      switch (r.kind) {
        case StepResult::Kind::kNext:
          data = std::move(r.output);
          current = r.next;
          continue;
        case StepResult::Kind::kEnd:
          main([&] {
            Json details = payload_details("output", r.output);
            record_terminal("ExecutionSucceeded", &details);
            ex_.output = dump_json(r.output);
            core_.finish(ex_, ExecutionStatus::kSucceeded);
          });
          return;
        case StepResult::Kind::kFail:
          main([&] { fail_execution(r.error); });
          return;
        case StepResult::Kind::kAbandoned:
          return;
      }
    }
  }

  void fail_execution(const StateError& e) {
    Json details = Json::object();
    if (!e.error.empty()) details["error"] = e.error;
    if (e.cause) details["cause"] = *e.cause;
    record_terminal("ExecutionFailed", &details);
    if (!e.error.empty()) ex_.error = e.error;
    ex_.cause = e.cause;
    core_.finish(ex_, ExecutionStatus::kFailed);
  }

 private:
  Core& core_;
  Execution& ex_;
  const asl::Program& program_;
  Json exec_input_;
  std::int64_t entered_event_id_ = 0;
  runtime::Millis entered_time_ = 0;
  std::int64_t retry_count_ = 0;
  bool history_full_ = false;

  /// Runs `fn` on the engine thread's main stack (runtime/main_stack.h).
  template <typename F>
  void main(F&& fn) {
    core_.main_stack.call(fn);
  }

  // ---- history -------------------------------------------------------------
  [[gnu::noinline]] std::int64_t record(const char* type, const Json* details, std::optional<std::int64_t> prev = std::nullopt) {
    if (ex_.history.last_id() >= kMaxHistoryEvents - 1) {
      history_full_ = true;
      return ex_.history.last_id();
    }
    return ex_.history.add(core_.now(), prev ? *prev : ex_.history.last_id(), type, details);
  }
  void record_terminal(const char* type, const Json* details) {
    ex_.history.add(core_.now(), ex_.history.last_id(), type, details);
  }

  // ---- errors --------------------------------------------------------------
  [[gnu::noinline]] StateError runtime_error(const std::string& detail) const {
    return StateError{std::string(errors::kRuntime), state_cause(detail)};
  }
  [[gnu::noinline]] std::string state_cause(const std::string& detail) const {
    return "An error occurred while executing the state '" + current_state_->name +
           "' (entered at the event id #" + std::to_string(entered_event_id_) + "). " + detail;
  }
  /// Errors from path/template evaluation carry a detail cause; prefix it.
  StateError with_state_prefix(StateError e) const {
    if (e.error == errors::kRuntime && e.cause) e.cause = state_cause(*e.cause);
    return e;
  }
  static std::string no_results(const path::JsonPath& p, const Json& root) {
    return "Invalid path '" + p.text() + "' : " + p.explain_no_match(root);
  }

  const asl::State* current_state_ = nullptr;

  // ---- context object ($$) ---------------------------------------------------
  [[gnu::noinline]] Json context_object(const asl::State& st, const std::string* token) const {
    Json ctx = Json::object();
    ctx["Execution"] = {{"Id", ex_.arn},
                        {"Input", exec_input_},
                        {"StartTime", choice::format_timestamp_millis(ex_.start)},
                        {"Name", ex_.name},
                        {"RoleArn", ex_.machine->role_arn},
                        {"RedriveCount", 0}};
    ctx["StateMachine"] = {{"Id", ex_.machine->arn}, {"Name", ex_.machine->name}};
    Json state = {{"Name", st.name}, {"EnteredTime", choice::format_timestamp_millis(entered_time_)}};
    if (st.type == StateType::kTask) state["RetryCount"] = retry_count_;
    ctx["State"] = std::move(state);
    if (token) ctx["Task"] = {{"Token", *token}};
    return ctx;
  }

  // ---- data flow -------------------------------------------------------------
  [[gnu::noinline]] asl::Eval<Json> select(const asl::SelectPath& p, const Json& data, const asl::State& st) {
    using K = asl::SelectPath::Kind;
    if (p.kind == K::kDefault) return asl::Eval<Json>::success(data);
    if (p.kind == K::kNull) return asl::Eval<Json>::success(Json::object());
    std::optional<Json> v;
    Json ctx;
    if (p.context) {
      ctx = context_object(st, nullptr);
      v = p.path.select(ctx);
    } else {
      v = p.path.select(data);
    }
    if (!v) return asl::Eval<Json>::failure(runtime_error(no_results(p.path, p.context ? ctx : data)));
    return asl::Eval<Json>::success(std::move(*v));
  }

  [[gnu::noinline]] asl::Eval<Json> apply_result_path(const asl::ResultPathSpec& rp, Json raw, Json result) {
    using K = asl::ResultPathSpec::Kind;
    if (rp.kind == K::kDefault) return asl::Eval<Json>::success(std::move(result));
    if (rp.kind == K::kNull) return asl::Eval<Json>::success(std::move(raw));
    if (!rp.path.assign(raw, std::move(result))) {
      return asl::Eval<Json>::failure(StateError{
          std::string(errors::kResultPathMatchFailure),
          state_cause("Unable to apply ResultPath '" + rp.path.text() + "' to input '" + dump_json(raw) + "'")});
    }
    return asl::Eval<Json>::success(std::move(raw));
  }

  std::optional<StateError> check_size(const Json& value, const std::string& what) const {
    if (dump_json(value).size() > kPayloadLimit) {
      return StateError{std::string(errors::kDataLimitExceeded),
                        "The state/task '" + what + "' returned a result with a size exceeding the maximum number of bytes service limit."};
    }
    return std::nullopt;
  }

  [[gnu::noinline]] StepResult exit_state(const asl::State& st, Json output) {
    if (auto e = check_size(output, st.name)) return StepResult::fail(*e);
    Json details = {{"name", st.name}, {"output", dump_json(output)}, {"outputDetails", {{"truncated", false}}}};
    record(exited_event(st.type), &details);
    if (st.end) return StepResult::end(std::move(output));
    return StepResult::next_state(st.next, std::move(output));
  }

  // ---- timers ------------------------------------------------------------------
  /// Parks the fiber until the clock reaches `deadline`. False if abandoned.
  bool sleep_until(runtime::Millis deadline) {
    const std::uint32_t epoch = ex_.waiter.begin();
    if (deadline > core_.now()) core_.timers.arm(deadline, ex_.index, epoch);
    while (core_.now() < deadline) {
      ex_.waiter.wait();
      if (ex_.abandoned) return false;
    }
    return !ex_.abandoned;
  }

  // ---- states ------------------------------------------------------------------
  /// Main stack: records <Type>StateEntered and starts the state's clock.
  void enter_state(const asl::State& st, const Json& raw, bool first) {
    current_state_ = &st;
    entered_time_ = core_.now();
    retry_count_ = 0;
    Json details = {{"name", st.name}, {"input", dump_json(raw)}, {"inputDetails", {{"truncated", false}}}};
    entered_event_id_ = record(entered_event(st.type), &details, first ? std::optional<std::int64_t>(0) : std::nullopt);
  }

  /// Main stack: a whole state that never waits (Pass, Choice, Succeed, Fail).
  StepResult run_sync_state(const asl::State& st, Json raw, bool first) {
    enter_state(st, raw, first);
    switch (st.type) {
      case StateType::kPass: return run_pass(st, std::get<asl::PassSpec>(st.spec), std::move(raw));
      case StateType::kChoice: return run_choice(st, std::get<asl::ChoiceSpec>(st.spec), std::move(raw));
      case StateType::kTask:
      case StateType::kWait: break;  // fiber side: run_task / run_wait
      case StateType::kSucceed: {
        auto eff = select(st.input_path, raw, st);
        if (!eff.ok()) return StepResult::fail(eff.err);
        auto out = select(st.output_path, *eff.value, st);
        if (!out.ok()) return StepResult::fail(out.err);
        Json d = {{"name", st.name}, {"output", dump_json(*out.value)}, {"outputDetails", {{"truncated", false}}}};
        record(exited_event(st.type), &d);
        return StepResult::end(std::move(*out.value));
      }
      case StateType::kFail: return run_fail(std::get<asl::FailSpec>(st.spec), raw);
    }
    return StepResult::fail(runtime_error("unknown state type"));
  }

  [[gnu::noinline]] StepResult run_pass(const asl::State& st, const asl::PassSpec& p, Json raw) {
    auto eff = select(st.input_path, raw, st);
    if (!eff.ok()) return StepResult::fail(eff.err);
    Json result;
    if (p.result) {
      result = *p.result;
    } else if (p.parameters) {
      Json ctx = p.parameters->uses_context() ? context_object(st, nullptr) : Json();
      auto r = p.parameters->evaluate(path::EvalScope{*eff.value, ctx});
      if (!r.ok()) return StepResult::fail(with_state_prefix(r.err));
      result = std::move(*r.value);
    } else {
      result = std::move(*eff.value);
    }
    auto merged = apply_result_path(st.result_path, std::move(raw), std::move(result));
    if (!merged.ok()) return StepResult::fail(merged.err);
    auto out = select(st.output_path, *merged.value, st);
    if (!out.ok()) return StepResult::fail(out.err);
    return exit_state(st, std::move(*out.value));
  }

  [[gnu::noinline]] StepResult run_choice(const asl::State& st, const asl::ChoiceSpec& c, Json raw) {
    auto eff = select(st.input_path, raw, st);
    if (!eff.ok()) return StepResult::fail(eff.err);
    Json ctx = context_object(st, nullptr);
    std::uint32_t next = asl::kNoState;
    for (const auto& branch : c.choices) {
      auto m = branch.rule.evaluate(path::EvalScope{*eff.value, ctx});
      if (!m.ok()) return StepResult::fail(with_state_prefix(m.err));
      if (*m.value) {
        next = branch.next;
        break;
      }
    }
    if (next == asl::kNoState) next = c.default_next;
    if (next == asl::kNoState) {
      return StepResult::fail(StateError{std::string(errors::kNoChoiceMatched),
                                         "No Matches!"});
    }
    auto out = select(st.output_path, *eff.value, st);
    if (!out.ok()) return StepResult::fail(out.err);
    Json d = {{"name", st.name}, {"output", dump_json(*out.value)}, {"outputDetails", {{"truncated", false}}}};
    record(exited_event(st.type), &d);
    return StepResult::next_state(next, std::move(*out.value));
  }

  /// Fiber side: deadline and output on the main stack, the wait here.
  StepResult run_wait(const asl::State& st, const asl::WaitSpec& w, Json raw, bool first) {
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
    if (!sleep_until(deadline)) return StepResult::abandoned();
    StepResult out;
    main([&] {
      auto o = select(st.output_path, in, st);
      out = o.ok() ? exit_state(st, std::move(*o.value)) : StepResult::fail(o.err);
    });
    return out;
  }

  /// Main stack: the Wait state's deadline; `in` receives the effective input.
  [[gnu::noinline]] asl::Eval<runtime::Millis> wait_deadline(const asl::State& st, const asl::WaitSpec& w,
                                                             const Json& raw, Json& in) {
    using R = asl::Eval<runtime::Millis>;
    auto eff = select(st.input_path, raw, st);
    if (!eff.ok()) return R::failure(eff.err);
    in = std::move(*eff.value);
    runtime::Millis deadline = core_.now();
    if (w.seconds) {
      deadline = entered_time_ + *w.seconds * 1000;
    } else if (w.timestamp) {
      auto ts = choice::parse_timestamp(*w.timestamp);
      if (!ts) return R::failure(runtime_error("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + *w.timestamp));
      deadline = ts->seconds * 1000 + ts->nanos / 1000000;
    } else if (w.seconds_path) {
      auto v = w.seconds_path->get(in);
      if (!v || !v->is_number_integer() || v->get<std::int64_t>() < 0) {
        return R::failure(runtime_error("The SecondsPath parameter does not reference an input value: " + w.seconds_path->text()));
      }
      deadline = entered_time_ + v->get<std::int64_t>() * 1000;
    } else if (w.timestamp_path) {
      auto v = w.timestamp_path->get(in);
      std::optional<choice::Timestamp> ts;
      if (v && v->is_string()) ts = choice::parse_timestamp(v->get<std::string>());
      if (!ts) {
        std::string shown = v ? (v->is_string() ? v->get<std::string>() : dump_json(*v)) : "null";
        return R::failure(runtime_error("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: " +
                                              w.timestamp_path->text() + " == " + shown));
      }
      deadline = ts->seconds * 1000 + ts->nanos / 1000000;
    }
    return R::success(deadline);
  }

  [[gnu::noinline]] StepResult run_fail(const asl::FailSpec& f, const Json& raw) {
    StateError e;
    auto resolve = [&](const std::optional<std::string>& literal, const std::optional<path::ReferencePath>& p,
                       const char* field, std::optional<std::string>& out) -> std::optional<StateError> {
      if (literal) { out = *literal; return std::nullopt; }
      if (!p) return std::nullopt;
      auto v = p->get(raw);
      if (!v) {
        return runtime_error("The JSONPath '" + p->text() + "' specified for the field '" + field +
                             "' could not be found in the input '" + dump_json(raw) + "'");
      }
      if (!v->is_string()) {
        return runtime_error("The JSONPath '" + p->text() + "' specified for the field '" + field +
                             "' must resolve to a string, but was '" + dump_json(*v) + "'");
      }
      out = v->get<std::string>();
      return std::nullopt;
    };
    std::optional<std::string> error, cause;
    if (auto err = resolve(f.error, f.error_path, "ErrorPath", error)) return StepResult::fail(*err);
    if (auto err = resolve(f.cause, f.cause_path, "CausePath", cause)) return StepResult::fail(*err);
    e.error = error.value_or("");
    e.cause = cause;
    StepResult r = StepResult::fail(std::move(e));
    if (!error) r.error.error.clear();
    return r;
  }

  // ---- Task ----------------------------------------------------------------------
  [[gnu::noinline]] std::optional<StateError> resolve_seconds(const std::optional<std::int64_t>& literal,
                                            const std::optional<path::ReferencePath>& p, const Json& in,
                                            std::optional<std::int64_t>& out) {
    out = literal;
    if (!p) return std::nullopt;
    auto v = p->get(in);
    if (!v) {
      auto jp = path::JsonPath::compile(p->text());
      return runtime_error("Invalid path '" + p->text() + "' : " +
                           (jp.ok() ? jp->explain_no_match(in) : "No results for path: " + p->text()));
    }
    if (!v->is_number_integer() || v->get<std::int64_t>() < 1) {
      return runtime_error("The value at path '" + p->text() + "' must be a positive integer, but was '" + dump_json(*v) + "'");
    }
    out = v->get<std::int64_t>();
    return std::nullopt;
  }

  Json task_details(const asl::TaskSpec& t) const {
    return Json{{"resourceType", t.resource_type}, {"resource", t.resource_name}};
  }

  [[gnu::noinline]] void record_scheduled(const asl::TaskSpec& t, const Json& params, std::optional<std::int64_t> timeout,
                        std::optional<std::int64_t> heartbeat) {
    if (t.kind == asl::ResourceKind::kLambdaFunction) {
      Json d = {{"resource", t.resource}, {"input", dump_json(params)}, {"inputDetails", {{"truncated", false}}}};
      if (timeout) d["timeoutInSeconds"] = *timeout;
      record("LambdaFunctionScheduled", &d);
      record("LambdaFunctionStarted", nullptr);
      return;
    }
    Json d = task_details(t);
    d["region"] = core_.options().region;
    d["parameters"] = dump_json(params);
    if (timeout) d["timeoutInSeconds"] = *timeout;
    if (heartbeat) d["heartbeatInSeconds"] = *heartbeat;
    record("TaskScheduled", &d);
    Json s = task_details(t);
    record("TaskStarted", &s);
  }

  [[gnu::noinline]] void record_outcome(const asl::TaskSpec& t, const Awaited& a) {
    const bool lambda = t.kind == asl::ResourceKind::kLambdaFunction;
    Json d = lambda ? Json::object() : task_details(t);
    switch (a.kind) {
      case Awaited::Kind::kSuccess:
        d["output"] = dump_json(a.output);
        d["outputDetails"] = {{"truncated", false}};
        record(lambda ? "LambdaFunctionSucceeded" : "TaskSucceeded", &d);
        break;
      case Awaited::Kind::kFailure:
        if (a.error) d["error"] = *a.error;
        if (a.cause) d["cause"] = *a.cause;
        record(lambda ? "LambdaFunctionFailed" : "TaskFailed", &d);
        break;
      case Awaited::Kind::kTimeout:
        d["error"] = std::string(errors::kTimeout);
        record(lambda ? "LambdaFunctionTimedOut" : "TaskTimedOut", &d);
        break;
      case Awaited::Kind::kAbandoned:
        break;
    }
  }

  void close_task() {
    if (ex_.task && ex_.task->token_slot) core_.tokens.close(*ex_.task->token_slot);
    ex_.task.reset();
  }

  /// What prepare_attempt() resolved for one task attempt.
  struct Attempt {
    std::optional<std::int64_t> timeout;
    std::optional<std::int64_t> heartbeat;
  };

  /// Main stack: opens the attempt (token, Parameters, timeouts), records
  /// TaskScheduled/TaskStarted and dispatches the handler call. A StepResult
  /// comes back only when the attempt cannot start (uncatchable runtime error).
  [[gnu::noinline]] std::optional<StepResult> prepare_attempt(const asl::State& st, const asl::TaskSpec& t,
                                                            const Json& eff, Attempt& at) {
    const std::uint32_t epoch = ex_.waiter.begin();
    auto task = std::make_unique<TaskInFlight>();
    task->epoch = epoch;
    task->state_name = st.name;
    task->resource = t.resource;
    task->scheduled = core_.now();
    if (t.wait_for_task_token) {
      auto issued = core_.tokens.issue(ex_.index, epoch);
      task->token_slot = issued.slot;
      task->token = std::move(issued.token);
    }
    ex_.task = std::move(task);

    Json params;
    if (t.parameters) {
      Json ctx = (t.parameters->uses_context() || t.wait_for_task_token)
                     ? context_object(st, t.wait_for_task_token ? &ex_.task->token : nullptr)
                     : Json();
      auto r = t.parameters->evaluate(path::EvalScope{eff, ctx});
      if (!r.ok()) {
        close_task();
        return StepResult::fail(with_state_prefix(r.err));
      }
      params = std::move(*r.value);
    } else {
      params = eff;
    }
    if (auto e = resolve_seconds(t.timeout_seconds, t.timeout_seconds_path, eff, at.timeout)) {
      close_task();
      return StepResult::fail(*e);
    }
    if (auto e = resolve_seconds(t.heartbeat_seconds, t.heartbeat_seconds_path, eff, at.heartbeat)) {
      close_task();
      return StepResult::fail(*e);
    }
    ex_.task->parameters = dump_json(params);
    record_scheduled(t, params, at.timeout, at.heartbeat);

    TaskInFlight& task_ref = *ex_.task;
    const runtime::Millis start = core_.now();
    if (at.timeout) core_.timers.arm(start + *at.timeout * 1000, ex_.index, epoch);
    if (at.heartbeat) {
      task_ref.heartbeat_seconds = at.heartbeat;
      task_ref.heartbeat_deadline = start + *at.heartbeat * 1000;
      core_.timers.arm(*task_ref.heartbeat_deadline, ex_.index, epoch);
    }
    if (core_.handled_resources.count(t.resource) != 0) {
      task_ref.handler_call = core_.dispatch_handler(ex_, t.resource, task_ref.parameters);
    }
    return std::nullopt;
  }

  /// Fiber side: parks until the attempt ends (token outcome, handler
  /// outcome, timeout, heartbeat timeout) or the execution is abandoned.
  [[gnu::noinline]] Awaited await_task(const asl::TaskSpec& t, const Attempt& at) {
    TaskInFlight& task = *ex_.task;
    const std::uint32_t epoch = task.epoch;
    const runtime::Millis start = task.scheduled;
    const runtime::Millis timeout_deadline =
        at.timeout ? start + *at.timeout * 1000 : std::numeric_limits<runtime::Millis>::max();
    runtime::Millis armed_heartbeat = task.heartbeat_deadline.value_or(0);
    const bool has_handler = task.handler_call != 0;
    if (!has_handler && !t.wait_for_task_token) {
      Awaited a;
      a.kind = Awaited::Kind::kFailure;
      a.error = std::string(errors::kTaskFailed);
      a.cause = "No task handler is registered for resource '" + t.resource +
                "'. Register one with client.register_task_handler().";
      return a;
    }
    bool submitted = !has_handler;
    for (;;) {
      if (ex_.abandoned) return Awaited{};
      if (task.handler_outcome) {
        std::optional<Awaited> done;
        main([&] {
          TaskOutcome h = std::move(*task.handler_outcome);
          task.handler_outcome.reset();
          task.handler_call = 0;
          if (!h.success) {
            done = Awaited{Awaited::Kind::kFailure, {}, h.error, h.cause};
          } else if (!t.wait_for_task_token) {
            done = Awaited{Awaited::Kind::kSuccess, std::move(h.output), {}, {}};
          } else {
            Json d = task_details(t);
            d["output"] = dump_json(h.output);
            d["outputDetails"] = {{"truncated", false}};
            record("TaskSubmitted", &d);
          }
        });
        if (done) return std::move(*done);
        submitted = true;
      }
      if (submitted && task.token_outcome) {
        TaskOutcome o = std::move(*task.token_outcome);
        task.token_outcome.reset();
        if (o.success) return Awaited{Awaited::Kind::kSuccess, std::move(o.output), {}, {}};
        return Awaited{Awaited::Kind::kFailure, {}, o.error, o.cause};
      }
      const runtime::Millis now = core_.now();
      if (now >= timeout_deadline) return Awaited{Awaited::Kind::kTimeout, {}, {}, {}, false};
      if (task.heartbeat_deadline && now >= *task.heartbeat_deadline) {
        return Awaited{Awaited::Kind::kTimeout, {}, {}, {}, true};
      }
      if (task.heartbeat_deadline && *task.heartbeat_deadline > armed_heartbeat) {
        armed_heartbeat = *task.heartbeat_deadline;  // a heartbeat moved it on
        core_.timers.arm(armed_heartbeat, ex_.index, epoch);
      }
      ex_.waiter.wait();
    }
  }

  /// What finish_attempt() decided.
  struct AfterAttempt {
    std::optional<StepResult> result;  ///< the state is done
    runtime::Millis retry_delay = 0;   ///< otherwise: retry after this delay
  };

  /// Main stack: records the attempt's outcome, then either finishes the
  /// state (data flow on success, Catch on error, or failure) or asks for a
  /// retry after the back-off delay.
  [[gnu::noinline]] AfterAttempt finish_attempt(const asl::State& st, const asl::TaskSpec& t, Json& raw,
                                                Awaited& a, std::vector<std::int64_t>& retries) {
    record_outcome(t, a);
    if (a.kind == Awaited::Kind::kSuccess) {
      if (auto e = check_size(a.output, t.resource)) return {StepResult::fail(*e)};
      Json result = std::move(a.output);
      if (t.result_selector) {
        Json ctx = t.result_selector->uses_context() ? context_object(st, nullptr) : Json();
        auto r = t.result_selector->evaluate(path::EvalScope{result, ctx});
        if (!r.ok()) return {StepResult::fail(with_state_prefix(r.err))};
        result = std::move(*r.value);
      }
      auto merged = apply_result_path(st.result_path, std::move(raw), std::move(result));
      if (!merged.ok()) return {StepResult::fail(merged.err)};
      auto out = select(st.output_path, *merged.value, st);
      if (!out.ok()) return {StepResult::fail(out.err)};
      return {exit_state(st, std::move(*out.value))};
    }

    // Failure or timeout: Retry first, then Catch.
    const bool timed_out = a.kind == Awaited::Kind::kTimeout;
    const std::string error = timed_out ? std::string(errors::kTimeout) : a.error.value_or("");
    // A caught timeout's Error Output carries Cause "" (recorded AWS runs).
    const std::optional<std::string> cause = timed_out ? std::optional<std::string>("") : a.cause;
    for (std::size_t i = 0; i < t.retry.size(); ++i) {
      const asl::Retrier& r = t.retry[i];
      if (!error_matches(r.error_equals, error, a.heartbeat)) continue;
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
    for (const asl::Catcher& c : t.catch_) {
      if (!error_matches(c.error_equals, error, a.heartbeat)) continue;
      Json error_output = Json::object();
      error_output["Error"] = a.error || timed_out ? Json(error) : Json(nullptr);
      error_output["Cause"] = cause ? Json(*cause) : Json(nullptr);
      auto merged = apply_result_path(c.result_path, std::move(raw), std::move(error_output));
      if (!merged.ok()) return {StepResult::fail(merged.err)};
      Json d = {{"name", st.name}, {"output", dump_json(*merged.value)}, {"outputDetails", {{"truncated", false}}}};
      record(exited_event(st.type), &d);
      return {StepResult::next_state(c.next, std::move(*merged.value))};
    }
    StateError e{error, timed_out ? std::nullopt : a.cause};
    StepResult r = StepResult::fail(std::move(e));
    if (!a.error && !timed_out) r.error.error.clear();
    return {std::move(r)};
  }

  /// Fiber side: the Task state. JSON work goes to the main stack; the
  /// fiber only waits (for the attempt, and between retries).
  StepResult run_task(const asl::State& st, const asl::TaskSpec& t, Json raw, bool first) {
    std::optional<StepResult> early;
    Json eff;
    main([&] {
      enter_state(st, raw, first);
      auto e = select(st.input_path, raw, st);
      if (!e.ok()) early = StepResult::fail(e.err);
      else eff = std::move(*e.value);
    });
    if (early) return std::move(*early);
    std::vector<std::int64_t> retries(t.retry.size(), 0);
    for (;;) {
      Attempt at;
      main([&] { early = prepare_attempt(st, t, eff, at); });
      if (early) return std::move(*early);
      Awaited a = await_task(t, at);
      close_task();
      if (a.kind == Awaited::Kind::kAbandoned || ex_.abandoned) return StepResult::abandoned();
      AfterAttempt next;
      main([&] { next = finish_attempt(st, t, raw, a, retries); });
      if (next.result) return std::move(*next.result);
      if (!sleep_until(core_.now() + next.retry_delay)) return StepResult::abandoned();
    }
  }
};

}  // namespace

void run_execution(Core& core, Execution& ex) noexcept {
  try {
    Interpreter(core, ex).run();
  } catch (const std::exception& e) {
    if (ex.status == ExecutionStatus::kRunning && !ex.abandoned) {
      try {
        Json details = {{"error", std::string(errors::kRuntime)},
                        {"cause", std::string("Internal engine error: ") + e.what()}};
        ex.history.add(core.now(), ex.history.last_id(), "ExecutionFailed", &details);
      } catch (...) {
      }
      ex.error = std::string(errors::kRuntime);
      ex.cause = std::string("Internal engine error: ") + e.what();
      core.finish(ex, ExecutionStatus::kFailed);
    }
  } catch (...) {
    if (ex.status == ExecutionStatus::kRunning && !ex.abandoned) {
      ex.error = std::string(errors::kRuntime);
      ex.cause = "Internal engine error";
      core.finish(ex, ExecutionStatus::kFailed);
    }
  }
  if (ex.task) {
    if (ex.task->token_slot) core.tokens.close(*ex.task->token_slot);
    ex.task.reset();
  }
}

}  // namespace stepfiber::engine
