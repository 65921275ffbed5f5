// One execution's record. Owned by the engine's store (never by a fiber,
// a handler or a Python object); its fiber borrows it for its whole life.
// Touched only on the engine thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asl/program.h"
#include "engine/census.h"
#include "engine/history.h"
#include "runtime/waiter.h"
#include "stepfiber/json.h"

namespace stepfiber::engine {

enum class ExecutionStatus { kRunning, kSucceeded, kFailed, kTimedOut, kAborted };
const char* status_name(ExecutionStatus s) noexcept;

struct StateMachineRecord {
  std::string arn;
  std::string name;
  std::string definition;
  std::string role_arn;
  std::string type;
  runtime::Millis created = 0;
  std::shared_ptr<const asl::Program> program;
  std::string revision_id;  ///< UpdateStateMachine's revision ("" until updated)
  /// A published version's record: "...:stateMachine:<name>:<n>" ("" for the
  /// live revision, whose `arn` every version shares).
  std::string version_arn;
  std::string version_description;  ///< PublishStateMachineVersion's description
  /// Logging, tracing and encryption configurations as Describe echoes them
  /// (JSON text; "" = AWS's default). Kept, not acted on (api/configurations.h).
  std::string logging_configuration;
  std::string tracing_configuration;
  std::string encryption_configuration;
};

/// What ended a task attempt from outside the fiber.
struct TaskOutcome {
  bool success = false;
  Json output;                       ///< success
  std::optional<std::string> error;  ///< failure
  std::optional<std::string> cause;
  /// steady-clock ns when the caller sent it (SendTask*); 0 = not measured.
  std::int64_t sent_ns = 0;
};

/// TaskInFlight::handler_call of a task the engine serves itself.
inline constexpr std::uint64_t kEngineCall = ~std::uint64_t{0};

/// An optional value kept on the heap: 8 bytes while absent. Outcomes are
/// rare compared to parked tasks, so a parked task should not carry them.
template <typename T>
class Boxed {
 public:
  Boxed& operator=(T value) {
    p_ = std::make_unique<T>(std::move(value));
    return *this;
  }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  T& operator*() noexcept { return *p_; }
  T* operator->() noexcept { return p_.get(); }
  void reset() noexcept { p_.reset(); }

 private:
  std::unique_ptr<T> p_;
};

/// The task an execution is waiting on; present only while one is in flight.
struct TaskInFlight {
  std::uint32_t epoch = 0;                  ///< waiter epoch of this attempt
  std::optional<std::uint32_t> token_slot;  ///< open token (TokenRegistry::token_of), if .waitForTaskToken
  const std::string* state_name = nullptr;  ///< in the immutable Program
  const std::string* resource = nullptr;    ///< in the immutable Program
  std::string parameters;                   ///< JSON text
  runtime::Millis scheduled = 0;
  std::optional<runtime::Millis> heartbeat_deadline;
  std::int64_t heartbeat_seconds = 0;  ///< 0 = no HeartbeatSeconds
  std::uint64_t handler_call = 0;           ///< 0 = none; kEngineCall = served by the engine
  Boxed<TaskOutcome> handler_outcome;
  Boxed<TaskOutcome> token_outcome;
};

/// One fiber of an execution: the main one, or a Parallel branch / Map
/// iteration worker. Each has its own Waiter and task in flight, so that
/// several branches of one execution can park at once. Timers, tokens and
/// handler calls name a strand by (execution, strand index, epoch).
struct Strand {
  runtime::Waiter waiter;
  std::unique_ptr<TaskInFlight> task;
  /// Set when a sibling failed (or the parent was cancelled): the fiber
  /// unwinds, recording *StateAborted events.
  bool cancelled = false;
  bool finished = false;
  /// Census (engine/census.h): what the strand waits on, and the state it
  /// stands in (an id of its program's census, kNoState when none). Fits
  /// the padding after the flags: a Strand stays 32 bytes.
  CensusWait census_wait = CensusWait::kNone;
  std::uint32_t census_state = asl::kNoState;
};

/// A parent task waiting for this execution to end (states:startExecution
/// .sync / .sync:2).
struct ParentLink {
  std::uint32_t execution = 0;
  std::uint32_t strand = 0;
  std::uint32_t epoch = 0;
  bool v2 = false;  ///< .sync:2: JSON Input/Output in the result
};

/// Notified when an execution (or all executions) stop running.
struct CompletionWatcher;

struct MockRun;  ///< engine/mock_config.h

/// The parts of an execution record most executions never use while parked:
/// how it failed, who waits on it, its parent tasks, reusable child strands.
struct ExecutionExtra {
  std::string output;  ///< JSON text, once SUCCEEDED
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::vector<std::shared_ptr<CompletionWatcher>> watchers;
  std::vector<ParentLink> parents;
  std::vector<std::uint32_t> free_strands;  ///< finished child strands, reused
  /// Started through an alias: its ARN (the version is machine->version_arn).
  std::string alias_arn;
  /// RedriveExecution: how many times, when last, and the last clientTokens
  /// (token, when) for idempotency.
  std::uint32_t redrive_count = 0;
  runtime::Millis redrive_date = 0;
  std::vector<std::pair<std::string, runtime::Millis>> redrive_tokens;
  /// Where the next run of the fiber starts (set by a redrive, consumed by
  /// run_execution): a root-scope state, its raw input and the variables.
  struct RedrivePoint {
    std::uint32_t state = 0;
    std::string input;      ///< JSON text
    std::string variables;  ///< JSON text ("" = none)
  };
  std::unique_ptr<RedrivePoint> redrive_point;
  /// A root-scope Parallel or inline Map whose last attempt failed or was
  /// stopped: the outputs of its branches/iterations that succeeded (the rest
  /// empty). A redrive that restarts at that state reuses them, so only the
  /// branches and iterations that failed or were aborted run again, as on AWS.
  struct CompletedChildren {
    std::uint32_t state = 0;  ///< index in the root scope
    std::vector<std::optional<Json>> outputs;
  };
  std::unique_ptr<CompletedChildren> completed_children;
  /// Started on `stateMachineArn#TestCase`: the MockConfigFile test case.
  std::shared_ptr<MockRun> mock;
};

struct Execution {
  std::uint32_t index = 0;
  std::shared_ptr<const StateMachineRecord> machine;
  std::string arn;
  std::string input;  ///< JSON text as given
  bool express = false;  ///< EXPRESS machine (express ARN, no idempotency)
  bool sync = false;     ///< started by StartSyncExecution
  runtime::Millis start = 0;
  runtime::Millis stop = 0;
  ExecutionStatus status = ExecutionStatus::kRunning;
  History history;
  /// strands[0] is the execution's own fiber; never shrinks while running.
  std::vector<std::unique_ptr<Strand>> strands;
  /// Set when the execution was ended from outside (stop, execution
  /// timeout, engine shutdown): every fiber unwinds without recording more.
  bool abandoned = false;
  /// The execution's fiber (and so every child fiber) has returned: nothing
  /// borrows this record any more, so it may be purged.
  bool fiber_done = false;
  /// A StartSyncExecution caller has yet to read the result: not purged
  /// before it has.
  bool result_pending = false;

  /// The execution name, read from the ARN (names cannot hold ':'):
  /// `...:execution:<machine>:<name>` or, EXPRESS, `...:express:<machine>:<name>:<uuid>`.
  std::string_view name() const noexcept {
    std::string_view a = arn;
    if (express) a = a.substr(0, a.rfind(':'));
    return a.substr(a.rfind(':') + 1);
  }

  /// The rarely used parts, allocated on first write (8 bytes until then).
  ExecutionExtra& extra() {
    if (!extra_) extra_ = std::make_unique<ExecutionExtra>();
    return *extra_;
  }
  /// nullptr until something was written through extra().
  ExecutionExtra* extra_if() const noexcept { return extra_.get(); }
  const std::string& output() const noexcept { return extra_ ? extra_->output : kEmpty; }
  const std::optional<std::string>& error() const noexcept { return extra_ ? extra_->error : kNone; }
  const std::optional<std::string>& cause() const noexcept { return extra_ ? extra_->cause : kNone; }
  std::uint32_t redrive_count() const noexcept { return extra_ ? extra_->redrive_count : 0; }

 private:
  static inline const std::optional<std::string> kNone;
  static inline const std::string kEmpty;
  std::unique_ptr<ExecutionExtra> extra_;
};

/// The details of event `i` of `ex`'s history as GetExecutionHistory shows
/// them ("" when the event has none). Parts that are the same for every
/// execution, or repeat the record or an earlier event, are not stored per
/// event but put back here:
/// - ExecutionStarted: input and roleArn, from the record;
/// - *StateEntered: `"inputDetails":{"truncated":false}`;
/// - TaskScheduled: `region`, after `resource`;
/// - TaskStarted: resourceType and resource, from its TaskScheduled event.
std::string rendered_details(const Execution& ex, std::size_t i, const std::string& region);

}  // namespace stepfiber::engine
