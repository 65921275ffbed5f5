// The engine thread and everything it owns: stores, token registry, timers,
// fiber stacks, the handler queue. Public Engine methods post closures to
// this thread (post_and_wait); nothing here is touched from other threads
// except the command queue and the handler queue, which carry their own
// locks.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/census.h"
#include "engine/execution.h"
#include "engine/execution_table.h"
#include "runtime/clock.h"
#include "runtime/fiber_scheduler.h"
#include "runtime/main_stack.h"
#include "runtime/spin_budget.h"
#include "runtime/stack_arena.h"
#include "runtime/timer_queue.h"
#include "runtime/token_registry.h"
#include "stepfiber/engine.h"

namespace stepfiber::engine {

/// A one-shot signal from the engine thread to an API caller: a blocked
/// thread (`done`) or, for callers that hold no thread, a callback.
struct CompletionWatcher {
  std::binary_semaphore done{0};
  /// When set, notify() runs it on the engine thread instead of releasing
  /// `done`; the watcher is then never dropped as abandoned.
  std::function<void()> on_done;
  /// Engine thread: signal once (later calls do nothing for callbacks).
  void notify() {
    if (on_done) {
      auto f = std::move(on_done);
      on_done = nullptr;
      f();
    } else {
      done.release();
    }
  }
};

/// A GetActivityTask caller waiting for work: a blocked thread (`done`) or
/// a callback (the operation layer's long poll, which holds no thread).
struct ActivityPoller {
  std::binary_semaphore done{0};
  std::string worker_name;
  std::optional<ActivityTask> task;  ///< set on the engine thread before notify()
  /// When set, notify() runs it on the engine thread instead of releasing `done`.
  std::function<void()> on_ready;
  bool notified = false;  ///< engine thread: notify() ran
  void notify() {
    notified = true;
    if (on_ready) {
      auto f = std::move(on_ready);
      on_ready = nullptr;
      f();
    } else {
      done.release();
    }
  }
};

/// An activity and the work waiting on either side of it.
struct ActivityRecord {
  ActivityInfo info;
  std::string encryption_configuration;  ///< JSON text as Describe echoes it ("" = AWS's default)
  struct Scheduled {
    std::uint32_t execution, strand, epoch;
  };
  std::deque<Scheduled> scheduled;                       ///< tasks no worker took yet
  std::deque<std::shared_ptr<ActivityPoller>> pollers;   ///< workers waiting for tasks
};

/// A published state machine version.
struct StateMachineVersion {
  std::shared_ptr<const StateMachineRecord> machine;  ///< version_arn set
  runtime::Millis created = 0;
};

/// A state machine alias: one or two versions, weights summing to 100.
struct StateMachineAlias {
  std::string arn, name, description;
  std::vector<std::pair<std::string, std::int64_t>> routing;  ///< (version ARN, weight)
  runtime::Millis created = 0, updated = 0;
};

/// A machine's versions (numbered from 1, never reused) and aliases.
struct MachineVersions {
  std::uint32_t last_number = 0;
  std::map<std::uint32_t, StateMachineVersion> versions;
  std::map<std::string, StateMachineAlias> aliases;  ///< by name
};

/// Counts of one Map Run's items (and, equally, its child executions).
struct MapRunCounts {
  std::int64_t pending = 0, running = 0, succeeded = 0, failed = 0, timed_out = 0, aborted = 0, total = 0,
               results_written = 0;
};

/// One iteration of a Distributed Map, shown as its child execution.
struct MapRunChild {
  std::string name;
  runtime::Millis start = 0, stop = 0;
  const char* status = "PENDING";
};

/// A Distributed Map run (DescribeMapRun, ListMapRuns, UpdateMapRun).
struct MapRunRecord {
  std::string arn;
  std::string execution_arn;
  std::string machine_arn;  ///< "...:stateMachine:<sm>/<label>" (the children's machine)
  bool express_children = false;
  const char* status = "RUNNING";
  runtime::Millis start = 0, stop = 0;
  std::int64_t max_concurrency = 0;
  std::int64_t tolerated_failure_count = 0;
  double tolerated_failure_percentage = 0;
  MapRunCounts counts;
  std::vector<MapRunChild> children;
};

/// Thread-safe queue of handler invocations (engine -> Python threads).
class HandlerQueue {
 public:
  void push(HandlerCall call);
  std::optional<HandlerCall> pop(std::optional<double> timeout_seconds);
  void close();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<HandlerCall> calls_;
  bool closed_ = false;
};

class MockConfig;  // engine/mock_config.h

class Core {
 public:
  explicit Core(EngineOptions options);
  ~Core();

  // ---- cross-thread entry (any thread) ---------------------------------
  /// Runs `fn` on the engine thread's main context and waits for it.
  /// Returns false (fn not run) when the engine is closed.
  bool post_and_wait(const std::function<void()>& fn);
  /// Like post_and_wait, but the caller is released only after the fibers
  /// made ready by `fn` have run up to their next wait.
  bool post_and_wait_round(const std::function<void()>& fn);
  /// Queues `fn` for the engine thread and returns at once (the operation
  /// layer's entry). Commands queued together run in one batch. False (fn
  /// dropped) when the engine is closed.
  bool post(std::function<void()> fn);
  /// True on the engine thread. Engine methods called there (from a posted
  /// command) run inline instead of posting and waiting.
  bool on_engine_thread() const noexcept { return std::this_thread::get_id() == engine_thread_id_; }
  void shutdown();
  HandlerQueue& handler_queue() { return handlers_queue_; }

  // ---- engine thread only ----------------------------------------------
  const EngineOptions& options() const { return options_; }
  runtime::Millis now() const { return clock_->now(); }
  bool manual_clock() const { return clock_->is_manual(); }

  // Stores.
  std::unordered_map<std::string, std::shared_ptr<StateMachineRecord>> machines;
  ExecutionTable executions;  ///< by index and by ARN
  std::size_t running = 0;
  /// Executions that ended with each status (indexed by ExecutionStatus).
  std::array<std::size_t, 5> ended{};
  std::size_t purged = 0;
  /// Where RUNNING executions stand, per state (DescribeStateMachineCensus).
  Census census;

  /// The execution at `index`, or nullptr when it was purged.
  Execution* execution_at(std::uint32_t index) const noexcept { return executions.at(index); }
  /// Frees closed executions past EngineOptions::execution_retention_ms
  /// (oldest first, once their fiber has returned); after a large purge,
  /// returns freed memory to the OS. Returns how many were purged.
  std::size_t purge_expired();

  runtime::TokenRegistry tokens;
  runtime::TimerQueue timers;
  std::unordered_set<std::string> handled_resources;
  /// Versions and aliases, by state machine ARN (unqualified).
  std::unordered_map<std::string, MachineVersions> versioning;
  /// Tags by resource ARN (state machines and activities), in insertion order.
  std::unordered_map<std::string, std::vector<std::pair<std::string, std::string>>> tags;
  /// Map runs by ARN, and each execution's runs (by execution index) in start order.
  std::unordered_map<std::string, MapRunRecord> map_runs;
  std::unordered_map<std::uint32_t, std::vector<std::string>> map_runs_of;
  std::unordered_map<std::string, ActivityRecord> activities;
  /// The loaded MockConfigFile (engine/mock_config.h), or null; and the test
  /// case the next created execution runs (set around StartExecution).
  std::shared_ptr<const MockConfig> mock_config;
  std::shared_ptr<MockRun> pending_mock;

  /// A task of `ex`'s strand was scheduled on `activity`: hand it to a
  /// waiting worker now, or queue it.
  void schedule_activity(ActivityRecord& activity, Execution& ex, std::uint32_t strand);
  /// Gives the oldest still-current scheduled task to `poller` (token,
  /// ActivityStarted, heartbeat clock). False when none is left.
  bool hand_over_activity(ActivityRecord& activity, ActivityPoller& poller);
  /// Fibers run their JSON work here (see runtime/main_stack.h).
  runtime::MainStack main_stack;

  /// StartExecution on the engine thread: name idempotency, EXPRESS ARNs
  /// and limits, ExecutionStarted, the execution timeout, and the fiber.
  /// Errors: StateMachineDoesNotExist, StateMachineTypeNotSupported (sync
  /// on STANDARD), ExecutionAlreadyExists. An idempotent repeat returns the
  /// existing execution.
  Result<Execution*> create_execution(const std::string& state_machine_arn, const std::optional<std::string>& name,
                                      const std::string& input_text, bool sync);
  /// create_execution() for a resolved record: the live revision, or a
  /// version's record (`alias_arn`: the alias it was started through).
  Result<Execution*> create_execution_of(std::shared_ptr<const StateMachineRecord> machine,
                                         const std::string& alias_arn, const std::optional<std::string>& name,
                                         const std::string& input_text, bool sync);
  /// RedriveExecution on the engine thread, for a closed STANDARD execution
  /// whose fiber has returned: restarts it at the root-scope state that did
  /// not complete (from its history), with that state's input and the
  /// variables then; records ExecutionRedriven; re-arms the timeout.
  Status redrive(Execution& ex);
  /// SendTaskSuccess/Failure on the engine thread. Exactly one caller per
  /// token gets OK: the slot is closed before the fiber even resumes.
  Status deliver_token(const std::string& token, TaskOutcome outcome);
  /// Creates an execution's fiber (launch::post: it runs on the next round).
  void spawn(Execution& ex);
  /// Creates a child fiber of a running execution (a Parallel branch or a
  /// Map worker). `body` must stay alive until the fiber ends; the parent
  /// joins its children before returning.
  void spawn_child(const std::function<void()>& body);
  /// Marks an execution ended (status, stop date, watchers, counters). The
  /// caller records the closing history event first.
  void finish(Execution& ex, ExecutionStatus status);
  /// Ends a RUNNING execution from outside its fiber (stop, timeout, close):
  /// closes its token and wakes the fiber so it unwinds.
  void abandon(Execution& ex);
  /// Dispatches a handler call for the strand's task in flight; returns its id.
  std::uint64_t dispatch_handler(Execution& ex, std::uint32_t strand, const std::string& resource,
                                 const std::string& input);
  void complete_handler(std::uint64_t id, TaskOutcome outcome);
  /// Registers a watcher released when `ex` stops running.
  void watch(Execution& ex, std::shared_ptr<CompletionWatcher> w);
  void watch_all(std::shared_ptr<CompletionWatcher> w);
  /// Manual clock: move to now + ms, firing timers in order (async reply).
  void begin_advance(runtime::Millis target, std::function<void()> reply);
  /// True while a begin_advance() is in progress.
  bool advancing() const noexcept { return advance_target_.has_value(); }
  /// Engine thread: runs `fn` once the fibers made ready by the current
  /// command have run up to their next wait (post_and_wait_round's reply).
  void after_round(std::function<void()> fn) { after_round_.push_back(std::move(fn)); }
  std::size_t live_fibers() const { return live_fibers_; }
  /// Drops timers whose wait is over (see TimerQueue::purge); returns how many.
  std::size_t purge_stale_timers();
  /// SendTask* -> the task's fiber resumed, in ns, one sample per completion
  /// that was stamped (bounded; the oldest samples are kept).
  void record_resume_latency(std::int64_t ns) {
    if (resume_latencies_.size() < kMaxLatencySamples) resume_latencies_.push_back(static_cast<std::uint32_t>(
        std::min<std::int64_t>(ns, 0xffffffff)));
  }
  std::vector<std::uint32_t> take_resume_latencies() { return std::exchange(resume_latencies_, {}); }
  const runtime::StackArena& arena() const { return arena_; }

 private:
  void thread_main();
  void drain_commands();
  void fire_due_timers();
  /// Shutdown: abandons the next kWakeBatch running executions; true once
  /// every execution has been abandoned.
  bool abandon_next_batch();
  void fire(const runtime::TimerEntry& t);
  void sleep_until_work();

  EngineOptions options_;
  std::unique_ptr<runtime::Clock> clock_;
  runtime::ManualClock* manual_ = nullptr;
  runtime::StackArena arena_;
  runtime::FiberScheduler* sched_ = nullptr;

  std::mutex mu_;  // guards commands_, closed_, wake_
  /// Set (under mu_) when a command is queued; read without the lock by the
  /// engine thread's spin before it sleeps.
  std::atomic<bool> work_posted_{false};
  /// How long the idle engine thread spins on work_posted_ before it sleeps:
  /// up to 200 us while commands follow each other that closely.
  runtime::SpinBudget idle_spin_{std::chrono::microseconds(50), std::chrono::microseconds(200)};
  std::condition_variable cv_;
  std::vector<std::function<void()>> commands_;
  bool closed_ = false;
  bool stopping_ = false;  // engine thread only
  std::uint32_t abandon_cursor_ = 0;  ///< stopping: the next execution index to abandon
  /// Fibers woken at once by timers or shutdown before the woken ones run.
  static constexpr std::size_t kWakeBatch = 4096;

  std::vector<std::function<void()>> after_round_;
  std::vector<std::shared_ptr<CompletionWatcher>> all_watchers_;
  std::optional<runtime::Millis> advance_target_;
  std::function<void()> advance_reply_;
  std::size_t live_fibers_ = 0;
  std::deque<std::uint32_t> closed_order_;  ///< closed executions, in stop order (engine time only grows)
  static constexpr std::size_t kTrimAfterPurging = 4096;
  std::size_t purge_at_ = 4096;  ///< purge stale timers once the heap is this big
  static constexpr std::size_t kMaxLatencySamples = 16u << 20;
  std::vector<std::uint32_t> resume_latencies_;

  HandlerQueue handlers_queue_;
  std::uint64_t next_call_id_ = 1;
  struct CallRef {
    std::uint32_t execution;
    std::uint32_t strand;
    std::uint32_t epoch;
  };
  std::unordered_map<std::uint64_t, CallRef> calls_;

  std::thread thread_;
  std::thread::id engine_thread_id_;
};

/// Monotonic nanoseconds (steady clock), for latency measurement only.
std::int64_t steady_now_ns();

/// AWS's messages for the two token errors.
Status invalid_token();
Status task_timed_out();
/// A random version-4 UUID, as AWS generates execution names.
std::string uuid4();

/// The fiber body of one execution (interpreter.cpp). Never throws.
void run_execution(Core& core, Execution& ex) noexcept;

}  // namespace stepfiber::engine
