// stepfiber's public C++ API: an in-process AWS Step Functions engine.
//
// One Engine owns one engine thread. Every execution runs as a Boost.Fiber
// on that thread; an execution waiting on a task token is a suspended fiber.
// All methods are thread-safe: they hand their work to the engine thread and
// wait for its answer. Names and semantics follow the AWS API
// (StartExecution -> start_execution, ...); errors come back as Status with
// AWS error codes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stepfiber/status.h"

namespace stepfiber {
namespace engine {
class Core;
}

struct EngineOptions {
  /// When true, time moves only through advance_clock() (for tests).
  bool manual_clock = false;
  /// Manual clock start, ms since the Unix epoch (default: wall clock now).
  std::optional<std::int64_t> start_time_ms;
  std::string region = "us-east-1";
  std::string account = "123456789012";
  /// Wall-clock scale of engine time (Step Functions Local's WAIT_TIME_SCALE):
  /// 0.1 makes every Wait, timeout, heartbeat and retry back-off 10x
  /// shorter. The engine clock then runs 1/time_scale times as fast as the
  /// wall clock from the engine's start, so history timestamps stay
  /// consistent with the durations. Finite and > 0 (std::invalid_argument
  /// otherwise); ignored with manual_clock.
  double time_scale = 1.0;
  /// How long a closed execution stays visible (Describe, History, List),
  /// in engine-clock ms after it stopped; then its record and history are
  /// freed and its name may be reused. AWS keeps closed executions 90 days.
  std::int64_t execution_retention_ms = std::int64_t{90} * 24 * 3600 * 1000;
};

struct StateMachineInfo {
  std::string state_machine_arn;
  std::string name;
  std::string status = "ACTIVE";
  std::string definition;
  std::string role_arn;
  std::string type;  ///< STANDARD | EXPRESS
  std::int64_t creation_date_ms = 0;
  std::string revision_id;  ///< set by update_state_machine; "" before
};

/// UpdateStateMachine's answer.
struct StateMachineUpdate {
  std::int64_t update_date_ms = 0;
  std::string revision_id;
};

/// One ValidateStateMachineDefinition diagnostic.
struct DefinitionDiagnostic {
  std::string severity;  ///< ERROR | WARNING
  std::string code;      ///< e.g. SCHEMA_VALIDATION_FAILED
  std::string message;
  std::string location;  ///< JSON pointer; "" when AWS gives none
};

/// ValidateStateMachineDefinition's answer.
struct DefinitionValidation {
  std::string result;  ///< OK | FAIL
  std::vector<DefinitionDiagnostic> diagnostics;
  bool truncated = false;
};

struct StartExecutionResult {
  std::string execution_arn;
  std::int64_t start_date_ms = 0;
};

struct ExecutionInfo {
  std::string execution_arn;
  std::string state_machine_arn;
  std::string name;
  std::string status;  ///< RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED
  std::int64_t start_date_ms = 0;
  std::optional<std::int64_t> stop_date_ms;
  std::string input;
  std::optional<std::string> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
};

struct HistoryEventInfo {
  std::int64_t id = 0;
  std::int64_t previous_event_id = 0;
  std::int64_t timestamp_ms = 0;
  std::string type;         ///< e.g. "TaskScheduled"
  std::string details_key;  ///< e.g. "taskScheduledEventDetails"; "" when none
  std::string details;      ///< JSON object text; "" when none
};

struct ActivityInfo {
  std::string activity_arn;
  std::string name;
  std::int64_t creation_date_ms = 0;
};

/// GetActivityTask's answer: a token and the task input, or nothing.
struct ActivityTask {
  std::string task_token;
  std::string input;
};

struct PendingTask {
  std::string task_token;
  std::string execution_arn;
  std::string state_name;
  std::string resource;
  std::string parameters;  ///< JSON text of the resolved Parameters
  std::int64_t scheduled_date_ms = 0;
};

/// One invocation of a registered task handler, served outside the engine
/// thread (Python handlers never run on a fiber stack).
struct HandlerCall {
  std::uint64_t id = 0;
  std::string resource;
  std::string input;  ///< JSON text of the resolved Parameters
  std::string task_token;  ///< "" unless the resource is .waitForTaskToken
  std::string execution_arn;
  std::string state_name;
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // State machines.
  Result<StateMachineInfo> create_state_machine(const std::string& name,
                                                const std::string& definition,
                                                const std::string& role_arn,
                                                const std::string& type);
  Result<StateMachineInfo> describe_state_machine(const std::string& arn);
  std::vector<StateMachineInfo> list_state_machines();
  Status delete_state_machine(const std::string& arn);
  /// UpdateStateMachine: a new definition and/or role (nullopt = keep).
  /// Running executions keep the definition they started with.
  Result<StateMachineUpdate> update_state_machine(const std::string& arn,
                                                  const std::optional<std::string>& definition,
                                                  const std::optional<std::string>& role_arn);
  /// ValidateStateMachineDefinition: AWS's diagnostics (asl/validator.h).
  /// `type` STANDARD|EXPRESS, `severity` ERROR|WARNING, `max_results` 0..100
  /// (0 = 100); anything else is a ValidationException.
  Result<DefinitionValidation> validate_state_machine_definition(const std::string& definition,
                                                                 const std::string& type,
                                                                 const std::string& severity,
                                                                 std::int64_t max_results);

  // Executions.
  /// Returns once the new execution has run up to its first wait.
  Result<StartExecutionResult> start_execution(const std::string& state_machine_arn,
                                               const std::optional<std::string>& name,
                                               const std::optional<std::string>& input);

  /// StartSyncExecution's first half (EXPRESS only): starts the execution
  /// and keeps its result until release_sync_result(). The operation layer
  /// waits for the end without holding a thread.
  Result<StartExecutionResult> begin_sync_execution(const std::string& state_machine_arn,
                                                    const std::optional<std::string>& name,
                                                    const std::optional<std::string>& input) {
    return start(state_machine_arn, name, input, true);
  }
  /// Lets retention purge a finished begin_sync_execution() execution.
  void release_sync_result(const std::string& execution_arn);

 private:
  Result<StartExecutionResult> start(const std::string& state_machine_arn, const std::optional<std::string>& name,
                                     const std::optional<std::string>& input, bool sync);

 public:
  /// EXPRESS only: runs the execution to its end and returns its outcome
  /// (StateMachineTypeNotSupported for STANDARD). With a manual clock, time
  /// jumps to the next timer whenever the execution is waiting on one.
  Result<ExecutionInfo> start_sync_execution(const std::string& state_machine_arn,
                                             const std::optional<std::string>& name,
                                             const std::optional<std::string>& input);
  /// Batch StartExecution (an extension): starts one execution per input in
  /// a single engine round trip; names are optional (empty = generated).
  /// One result per input, in order.
  std::vector<Result<StartExecutionResult>> start_executions(const std::string& state_machine_arn,
                                                             const std::vector<std::string>& inputs,
                                                             const std::vector<std::string>& names = {});
  Result<ExecutionInfo> describe_execution(const std::string& arn);
  Result<std::vector<ExecutionInfo>> list_executions(const std::string& state_machine_arn,
                                                     const std::optional<std::string>& status_filter);
  Result<std::int64_t> stop_execution(const std::string& arn,
                                      const std::optional<std::string>& error,
                                      const std::optional<std::string>& cause);
  Result<std::vector<HistoryEventInfo>> get_execution_history(const std::string& arn);

  // Activities.
  Result<ActivityInfo> create_activity(const std::string& name);
  Result<ActivityInfo> describe_activity(const std::string& arn);
  std::vector<ActivityInfo> list_activities();
  Status delete_activity(const std::string& arn);
  /// Long poll (60 s by default, as AWS): the next scheduled task of the
  /// activity, or nullopt when none arrived in time.
  Result<std::optional<ActivityTask>> get_activity_task(const std::string& activity_arn,
                                                        const std::optional<std::string>& worker_name,
                                                        double timeout_seconds = 60.0);

  // Task tokens.
  Status send_task_success(const std::string& task_token, const std::string& output);
  Status send_task_failure(const std::string& task_token, const std::optional<std::string>& error,
                           const std::optional<std::string>& cause);
  Status send_task_heartbeat(const std::string& task_token);
  /// Batch SendTaskSuccess / SendTaskFailure (extensions): one engine round
  /// trip for many tokens; one Status per token, in order.
  std::vector<Status> send_task_success_batch(const std::vector<std::string>& task_tokens,
                                              const std::vector<std::string>& outputs);
  std::vector<Status> send_task_failure_batch(const std::vector<std::string>& task_tokens,
                                              const std::vector<std::optional<std::string>>& errors,
                                              const std::vector<std::optional<std::string>>& causes);

  // Extensions.
  std::vector<PendingTask> list_pending_tasks(const std::optional<std::string>& execution_arn);
  /// Just the tokens of every task waiting on one, oldest execution first
  /// (cheap at a million parked executions).
  std::vector<std::string> pending_task_tokens();
  /// (token, execution ARN) of every task waiting on one, oldest first.
  std::vector<std::pair<std::string, std::string>> pending_task_refs();
  /// Blocks until the execution is not RUNNING; false on timeout.
  Result<bool> wait_for_execution(const std::string& arn, std::optional<double> timeout_seconds);
  /// Blocks until no execution is RUNNING; false on timeout.
  bool wait_for_all(std::optional<double> timeout_seconds);
  /// Manual clock only: moves time forward, firing due timers in order.
  Status advance_clock(double seconds);
  std::int64_t now_ms();

  // Task handlers.
  void register_resource(const std::string& resource_arn);
  void unregister_resource(const std::string& resource_arn);
  /// Blocks for the next handler call; nullopt on timeout or after close().
  std::optional<HandlerCall> next_handler_call(std::optional<double> timeout_seconds);
  /// Reports a handler's outcome (output JSON text, or error/cause).
  void complete_handler_call(std::uint64_t id, const std::optional<std::string>& output,
                             const std::optional<std::string>& error,
                             const std::optional<std::string>& cause);

  /// Stops the engine thread; parked executions are discarded. Idempotent.
  void close();

  /// Counters for tests and benchmarks.
  struct Stats {
    std::size_t executions = 0;  ///< records held (running or within retention)
    std::size_t purged = 0;      ///< closed executions past retention, freed
    std::size_t running = 0;
    std::size_t open_tokens = 0;
    std::size_t live_fibers = 0;
    std::size_t pending_timers = 0;
    std::size_t stacks_in_use = 0;
    std::size_t stack_resident_bytes = 0;  ///< fiber stack pages in RAM
    /// Executions that ended with each status, purged ones included.
    std::size_t succeeded = 0, failed = 0, timed_out = 0, aborted = 0;
    bool guard_pages = false;
    /// False when stats(false) skipped the walks: pending_timers and
    /// stack_resident_bytes are then 0, not measured.
    bool scanned = true;
  };
  /// The counters. `scan` also walks what grows with the engine's size:
  /// it drops stale timers so that pending_timers counts only timers
  /// something still waits on, and asks the kernel (mincore) which stack
  /// pages are resident. With a million parked executions each walk costs
  /// tens of milliseconds; stats(false) skips both (every other counter is
  /// O(1)), for samplers that call it often.
  Stats stats(bool scan = true);
  /// Latency samples (ns) from a SendTask* call to its task's fiber
  /// resuming, since the last call; for benchmarks.
  std::vector<std::uint32_t> take_resume_latencies_ns();

  /// The engine thread's internals, for the operation layer (api/) only:
  /// it posts whole operations to the engine thread, where the methods
  /// above run inline.
  engine::Core& core() noexcept { return *core_; }
  const EngineOptions& options() const noexcept;

 private:
  std::unique_ptr<engine::Core> core_;
};

}  // namespace stepfiber
