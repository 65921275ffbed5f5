// One fiber's walk through a Scope: the execution's own fiber walking the
// machine, or a child fiber walking a Parallel branch or a Map iteration.
//
// Fiber-side methods only wait; JSON work goes to the engine thread's main
// stack through main() (runtime/main_stack.h). Nothing here throws out of
// run_execution() (interpreter.cpp catches at the fiber entry).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/jsonata_fields.h"
#include "asl/program.h"
#include "errors/state_error.h"
#include "engine/core.h"
#include "engine/execution.h"
#include "stepfiber/json.h"

namespace stepfiber::engine {

struct JsonataSteps;

/// How one state ended.
struct StepResult {
  enum class Kind { kNext, kEnd, kFail, kStopped } kind = Kind::kStopped;
  std::uint32_t next = asl::kNoState;
  Json output;
  asl::StateError error;
  /// dump_json(output) when exit_state already printed it (the next state's
  /// StateEntered input is the same text); empty otherwise.
  std::string output_text;

  static StepResult next_state(std::uint32_t n, Json out) { return {Kind::kNext, n, std::move(out), {}, {}}; }
  static StepResult end(Json out) { return {Kind::kEnd, asl::kNoState, std::move(out), {}, {}}; }
  static StepResult fail(asl::StateError e) { return {Kind::kFail, asl::kNoState, {}, std::move(e), {}}; }
  static StepResult stopped() { return {}; }
};

/// How a whole scope (machine, branch, iteration) ended.
struct ScopeResult {
  enum class Kind { kSucceeded, kFailed, kStopped } kind = Kind::kStopped;
  Json output;
  asl::StateError error;
};

/// Shared by every fiber of one execution.
struct ExecutionContext {
  Core& core;
  Execution& ex;
  bool history_full = false;
};

/// How a task attempt ended (task side).
struct Awaited {
  enum class Kind { kSuccess, kFailure, kTimeout, kStopped } kind = Kind::kStopped;
  Json output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  bool heartbeat = false;  ///< kTimeout caused by HeartbeatSeconds
};

/// What error handling decided after a failed attempt.
struct AfterError {
  std::optional<StepResult> result;  ///< the state is done (caught or failed)
  runtime::Millis retry_delay = 0;   ///< otherwise: retry after this delay
};

class Frame {
 public:
  /// `variables` is this scope's copy of the workflow variables.
  /// `history` receives this frame's events (a Distributed Map iteration is
  /// its own child execution, so its events do not go to the parent).
  Frame(ExecutionContext& x, std::uint32_t strand, Json variables, bool in_branch, History* history = nullptr);
  /// Frees reused redrive outputs never taken, on the main stack.
  ~Frame();
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;

  /// Fiber side: runs `scope` from its StartAt (or from state `start`, a
  /// redrive) with `input`.
  ScopeResult run_scope(const asl::Scope& scope, Json input, std::uint32_t start = asl::kNoState);

  /// A redrive restarting at a Parallel or inline Map: the children that
  /// succeeded before, reused by that state's first attempt (root frame only).
  void reuse_after_redrive(std::unique_ptr<ExecutionExtra::CompletedChildren> done) { redrive_reuse_ = std::move(done); }

 private:
  // -- plumbing --------------------------------------------------------------
  template <typename F>
  void main(F&& fn) {
    core_.main_stack.call(fn);
  }
  Strand& strand() { return *ex_.strands[strand_]; }
  /// Execution stopped from outside, or this fiber's branch was cancelled.
  bool stopped() { return ex_.abandoned || strand().cancelled; }

  std::int64_t record(const char* type, const Json* details, std::optional<std::int64_t> prev = std::nullopt);
  /// record() with the details already printed as compact JSON.
  std::int64_t record_text(const char* type, std::string_view details, std::optional<std::int64_t> prev = std::nullopt);
  asl::StateError runtime_error(const std::string& detail) const;
  std::string state_cause(const std::string& detail) const;
  asl::StateError with_state_prefix(asl::StateError e) const;
  /// The Context object; `parts` (path::ContextPart bits) limits it to the
  /// parts an expression reads.
  Json context_object(const asl::State& st, const std::string* token, const Json* map_item = nullptr,
                      std::uint8_t parts = path::kContextAll) const;
  path::EvalScope scope_for(const Json& input, const Json& ctx) const {
    return path::EvalScope{input, ctx, &variables_};
  }
  asl::Eval<Json> evaluate(const path::PayloadTemplate& t, const asl::State& st, const Json& input,
                           const std::string* token = nullptr, const Json* map_item = nullptr);

  /// The value a path-valued field (ItemsPath, SecondsPath, ...) selects:
  /// a reference path on `input`, a `$$` path or a variable; nullopt when
  /// it selects nothing.
  std::optional<Json> lookup(const path::ValueExpr& e, const asl::State& st, const Json& input);

  // -- data flow (main stack) ---------------------------------------------------
  asl::Eval<Json> select(const asl::SelectPath& p, const Json& data, const asl::State& st);
  asl::Eval<Json> apply_result_path(const asl::ResultPathSpec& rp, Json raw, Json result);
  /// Evaluates an Assign block against `dollar`; the values land in
  /// `assigned` (applied to the variables by exit_state/transition).
  std::optional<asl::StateError> evaluate_assign(const std::optional<path::PayloadTemplate>& assign,
                                                 const asl::State& st, const Json& dollar, Json& assigned);
  /// Records <Type>StateExited (with assignedVariables), applies them.
  StepResult exit_state(const asl::State& st, Json output, const Json* assigned, std::uint32_t next);
  /// Result -> ResultSelector -> Assign -> ResultPath -> OutputPath -> exit.
  StepResult finish_with_result(const asl::State& st, const std::optional<path::PayloadTemplate>& selector,
                                Json raw, Json result);
  /// Retry first, then Catch (Task, Parallel, Map).
  /// `failed_event` (e.g. "MapStateFailed") is recorded once the error is
  /// not retried, before the catcher's exit or the failure.
  AfterError handle_error(const asl::State& st, const asl::ErrorHandling& eh, Json& raw,
                          const std::string& error, const std::optional<std::string>& cause, bool heartbeat,
                          bool error_present, std::vector<std::int64_t>& retries,
                          const char* failed_event = nullptr);
  void record_aborted(const asl::State& st);
  /// The fiber was stopped in `st`: a cancelled branch records
  /// <Type>StateAborted (an abandoned execution records nothing more).
  StepResult stop_state(const asl::State& st);

  // -- states --------------------------------------------------------------------
  void enter_state(const asl::State& st, const Json& raw, bool first);
  StepResult run_sync_state(const asl::State& st, Json raw, bool first);
  StepResult run_pass(const asl::State& st, const asl::PassSpec& p, Json raw);
  StepResult run_choice(const asl::State& st, const asl::ChoiceSpec& c, Json raw);
  StepResult run_fail(const asl::FailSpec& f, const Json& raw);
  StepResult run_wait(const asl::State& st, const asl::WaitSpec& w, Json raw, bool first);
  asl::Eval<runtime::Millis> wait_deadline(const asl::State& st, const asl::WaitSpec& w, const Json& raw, Json& in);
  bool sleep_until(runtime::Millis deadline);
  /// Fiber side: waits a retry's back-off. False when the fiber was
  /// stopped meanwhile (then a cancelled branch's state is recorded aborted).
  bool back_off(const asl::State& st, runtime::Millis delay);

  // Task (frame_task.cpp).
  struct Attempt {
    std::optional<std::int64_t> timeout;
    std::optional<std::int64_t> heartbeat;
  };
  StepResult run_task(const asl::State& st, const asl::TaskSpec& t, Json raw, bool first);
  std::optional<StepResult> prepare_attempt(const asl::State& st, const asl::TaskSpec& t, const Json& eff,
                                            Attempt& at);
  Awaited await_task(const asl::TaskSpec& t, const Attempt& at);
  AfterError finish_attempt(const asl::State& st, const asl::TaskSpec& t, Json& raw, Awaited& a,
                            std::vector<std::int64_t>& retries);
  std::optional<asl::StateError> resolve_seconds(const std::optional<std::int64_t>& literal,
                                                 const std::optional<path::ValueExpr>& p, const Json& in,
                                                 std::optional<std::int64_t>& out);
  void record_scheduled(const asl::TaskSpec& t, const Json& params, std::optional<std::int64_t> timeout,
                        std::optional<std::int64_t> heartbeat);
  /// Records the task's outcome event; returns the size of the printed output (0 unless a success).
  std::size_t record_outcome(const asl::TaskSpec& t, const Awaited& a);
  void close_task();

  // JSONata states (frame_jsonata.cpp): the same walk, fields from st.jsonata.
  /// The shared JSONata steps (jsonata_steps.h) run by this frame for `st`.
  JsonataSteps jsonata_steps(const asl::State& st, const std::string* token = nullptr);
  asl::JsonataScope jsonata_scope(const asl::State& st, const Json& input, const Json* result = nullptr,
                                  const Json* error_output = nullptr, const std::string* token = nullptr,
                                  const Json* map_item = nullptr);
  /// Records EvaluationFailed and returns States.QueryEvaluationError with
  /// the state's cause prefix.
  asl::StateError jsonata_error(const std::string& field, const std::string& detail);
  asl::Eval<Json> jsonata_eval(const asl::JsonataValue& v, const std::string& field, const asl::JsonataScope& scope);
  /// Assign, then Output (default `fallback`), then <Type>StateExited.
  StepResult jsonata_exit(const asl::State& st, const asl::JsonataValue* output, const asl::JsonataValue* assign,
                          const asl::JsonataScope& scope, Json fallback, std::uint32_t next);
  StepResult run_jsonata_sync_state(const asl::State& st, Json raw);
  StepResult jsonata_finish(const asl::State& st, const Json& input, Json result);
  StepResult jsonata_catch(const asl::State& st, std::size_t catcher, const Json& input, const Json& error_output,
                           std::uint32_t next);
  asl::Eval<runtime::Millis> jsonata_wait_deadline(const asl::State& st, const asl::WaitSpec& w, const Json& raw);
  std::optional<asl::StateError> jsonata_task_arguments(const asl::State& st, const Json& input,
                                                        const std::string* token, Json& params, Attempt& at);
  std::optional<asl::StateError> jsonata_parallel_input(const asl::State& st, Json& input);
  std::optional<asl::StateError> jsonata_map_inputs(const asl::State& st, const Json& input, std::vector<Json>& out);
  std::optional<asl::StateError> jsonata_map_limits(const asl::State& st, const Json& input, std::optional<double>& mc,
                                                    std::optional<double>& tc, std::optional<double>& tp);

  // Parallel and Map (frame_branches.cpp).
  StepResult run_parallel(const asl::State& st, const asl::ParallelSpec& p, Json raw, bool first);
  StepResult run_map(const asl::State& st, const asl::MapSpec& m, Json raw, bool first);
  struct Branches;
  /// Distributed Map: a Map Run record for one attempt, its counts as the
  /// iterations (its child executions) start and end, and its end.
  MapRunRecord& start_map_run(const asl::MapSpec& m, std::size_t items, double max_concurrency,
                              double tolerated_count, double tolerated_percentage);
  void count_map_run(MapRunRecord& r, std::size_t i, std::string_view type);
  void end_map_run(MapRunRecord& r, const char* status);
  /// Fiber side: runs `count` children (at most `concurrency` at once), each
  /// child i walking scope_of(i) with input_of(i); stops the rest at the
  /// first failure beyond `tolerated` failures. See frame_branches.cpp.
  void run_children(Branches& b);
  /// The children of `st` (with `count` children) a redrive reuses, taken
  /// once (null when there are none for it).
  std::unique_ptr<ExecutionExtra::CompletedChildren> take_redrive_reuse(const asl::State& st, std::size_t count);
  /// Frees what take_redrive_reuse() gave, on the main stack (JSON frees recurse).
  void drop_redrive_reuse(std::unique_ptr<ExecutionExtra::CompletedChildren>& reuse);
  /// After an attempt of a root-scope Parallel or inline Map: keep the
  /// succeeded children when it failed or was stopped, forget them when it
  /// succeeded.
  void keep_completed_children(const asl::State& st, const Branches& b);
  std::uint32_t new_strand();
  void release_strand(std::uint32_t s);

  ExecutionContext& x_;
  Core& core_;
  Execution& ex_;
  History* history_;
  std::uint32_t strand_;
  Json variables_;
  bool in_branch_;
  const asl::State* current_state_ = nullptr;
  std::int64_t entered_event_id_ = 0;
  runtime::Millis entered_time_ = 0;
  std::int64_t retry_count_ = 0;
  /// The previous state's StateExited output text, which is the next
  /// state's StateEntered input (set by run_scope, used once by enter_state).
  std::string next_input_text_;
  std::unique_ptr<ExecutionExtra::CompletedChildren> redrive_reuse_;
};

const char* entered_event(asl::StateType t);
const char* exited_event(asl::StateType t);
/// The error-matching rules of ErrorEquals (States.ALL, States.TaskFailed, ...).
bool error_matches(const std::vector<std::string>& equals, const std::string& error, bool heartbeat);

inline constexpr std::int64_t kMaxHistoryEvents = 25000;
inline constexpr std::size_t kPayloadLimit = 262144;

}  // namespace stepfiber::engine
