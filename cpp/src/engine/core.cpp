// The engine thread: a loop on the thread's main context that runs posted
// commands, fires timers and yields to ready execution fibers, sleeping
// only when there is nothing to do.
#include "engine/core.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <stdexcept>

#include "engine/arn.h"
#include "engine/sfn_integration.h"
#include "runtime/heap_trim.h"
#include "runtime/reply_latch.h"

#include <boost/fiber/all.hpp>

namespace stepfiber::engine {

const char* status_name(ExecutionStatus s) noexcept {
  switch (s) {
    case ExecutionStatus::kRunning: return "RUNNING";
    case ExecutionStatus::kSucceeded: return "SUCCEEDED";
    case ExecutionStatus::kFailed: return "FAILED";
    case ExecutionStatus::kTimedOut: return "TIMED_OUT";
    case ExecutionStatus::kAborted: return "ABORTED";
  }
  return "UNKNOWN";
}

// ---- HandlerQueue ----------------------------------------------------------

void HandlerQueue::push(HandlerCall call) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    calls_.push_back(std::move(call));
  }
  cv_.notify_one();
}

std::optional<HandlerCall> HandlerQueue::pop(std::optional<double> timeout_seconds) {
  std::unique_lock<std::mutex> lk(mu_);
  auto ready = [&] { return closed_ || !calls_.empty(); };
  if (timeout_seconds) {
    auto d = std::chrono::duration<double>(*timeout_seconds < 0 ? 0 : *timeout_seconds);
    if (!cv_.wait_for(lk, d, ready)) return std::nullopt;
  } else {
    cv_.wait(lk, ready);
  }
  if (calls_.empty()) return std::nullopt;  // closed
  HandlerCall c = std::move(calls_.front());
  calls_.pop_front();
  return c;
}

void HandlerQueue::close() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    closed_ = true;
    calls_.clear();
  }
  cv_.notify_all();
}

// ---- Core: construction and cross-thread entry -----------------------------

Core::Core(EngineOptions options) : options_(std::move(options)) {
  if (!(options_.time_scale > 0) || !std::isfinite(options_.time_scale)) {
    throw std::invalid_argument("time_scale must be a finite number > 0, got " + std::to_string(options_.time_scale));
  }
  if (options_.manual_clock) {
    runtime::Millis start = options_.start_time_ms ? *options_.start_time_ms : runtime::SystemClock().now();
    auto manual = std::make_unique<runtime::ManualClock>(start);
    manual_ = manual.get();
    clock_ = std::move(manual);
  } else if (options_.time_scale != 1.0) {
    clock_ = std::make_unique<runtime::ScaledClock>(options_.time_scale);
  } else {
    clock_ = std::make_unique<runtime::SystemClock>();
  }
  std::binary_semaphore started{0};
  thread_ = std::thread([this, &started] {
    engine_thread_id_ = std::this_thread::get_id();
    sched_ = new runtime::FiberScheduler();
    boost::fibers::context::active()->get_scheduler()->set_algo(
        boost::fibers::algo::algorithm::ptr_t(sched_));
    started.release();
    thread_main();
  });
  started.acquire();
}

Core::~Core() { shutdown(); }

bool Core::post_and_wait(const std::function<void()>& fn) {
  if (on_engine_thread()) {  // called from a posted command: run inline
    fn();
    return true;
  }
  runtime::ReplyLatch done;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (closed_) return false;
    commands_.push_back([&] {
      fn();
      done.release();
    });
    work_posted_.store(true, std::memory_order_release);
  }
  cv_.notify_one();
  done.wait();
  return true;
}

bool Core::post_and_wait_round(const std::function<void()>& fn) {
  if (on_engine_thread()) {  // inline; the posting command defers its reply with after_round()
    fn();
    return true;
  }
  runtime::ReplyLatch done;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (closed_) return false;
    commands_.push_back([&] {
      fn();
      after_round_.push_back([&] { done.release(); });
    });
    work_posted_.store(true, std::memory_order_release);
  }
  cv_.notify_one();
  done.wait();
  return true;
}

bool Core::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (closed_) return false;
    commands_.push_back(std::move(fn));
    work_posted_.store(true, std::memory_order_release);
  }
  cv_.notify_one();
  return true;
}

void Core::shutdown() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (closed_) return;
    closed_ = true;
    commands_.push_back([this] {
      stopping_ = true;  // thread_main abandons the running executions, a batch at a time
      executions.for_each([](Execution& ex) {
        // Callers blocked in wait_for_execution must not wait forever.
        if (auto* x = ex.extra_if()) {
          for (auto& w : x->watchers) w->notify();
          x->watchers.clear();
        }
      });
      for (auto& w : all_watchers_) w->notify();
      all_watchers_.clear();
      for (auto& [arn, activity] : activities) {  // long polls end with no task
        for (auto& p : activity.pollers) p->notify();
        activity.pollers.clear();
      }
      if (advance_reply_) {
        advance_target_.reset();
        auto reply = std::move(advance_reply_);
        advance_reply_ = nullptr;
        reply();
      }
    });
  }
  cv_.notify_one();
  handlers_queue_.close();
  if (thread_.joinable()) thread_.join();
}

// ---- engine thread ---------------------------------------------------------

void Core::thread_main() {
  for (;;) {
    drain_commands();
    const bool all_abandoned = !stopping_ || abandon_next_batch();
    if (stopping_ && all_abandoned && live_fibers_ == 0 && after_round_.empty()) break;
    if (!after_round_.empty() || sched_->has_ready_workers() || !main_stack.empty()) {
      std::vector<std::function<void()>> replies;
      replies.swap(after_round_);
      // Let every ready fiber run to its next wait; fibers that stop for a
      // main-stack call are served and resumed within the same turn
      // (bounded, so a busy engine still answers its callers).
      // At least one yield: it also lets Boost's dispatcher free the stacks
      // of fibers that ended.
      for (int rounds = 0; rounds < 64; ++rounds) {
        main_stack.run_pending();
        boost::this_fiber::yield();
        if (!sched_->has_ready_workers() && main_stack.empty()) break;
      }
      main_stack.run_pending();
      for (auto& r : replies) r();
      continue;
    }
    fire_due_timers();
    if (timers.size() > purge_at_) purge_stale_timers();  // amortised O(1) per timer
    purge_expired();
    if (sched_->has_ready_workers()) continue;
    if (advance_target_) {
      if (!timers.empty() && timers.next_deadline() <= *advance_target_) {
        manual_->set(timers.next_deadline());
        fire_due_timers();
      } else {
        manual_->set(*advance_target_);
        purge_expired();  // before the reply, so the caller sees the purge
        advance_target_.reset();
        auto reply = std::move(advance_reply_);
        advance_reply_ = nullptr;
        reply();
      }
      continue;
    }
    if (!all_abandoned) continue;
    sleep_until_work();
  }
  // Let the dispatcher release the terminated fibers (and their stacks)
  // while the arena is still alive.
  boost::this_fiber::yield();
  std::lock_guard<std::mutex> lk(mu_);
  for (auto& c : commands_) c();  // callers blocked in post_and_wait
  commands_.clear();
}

std::size_t Core::purge_stale_timers() {
  const std::size_t dropped = timers.purge([this](const runtime::TimerEntry& t) {
    const Execution* found = execution_at(t.execution);
    if (found == nullptr) return false;
    const Execution& ex = *found;
    if (ex.status != ExecutionStatus::kRunning || ex.abandoned) return false;
    if (t.execution_timeout) return t.epoch == ex.redrive_count();
    return t.strand < ex.strands.size() && ex.strands[t.strand]->waiter.epoch() == t.epoch;
  });
  purge_at_ = std::max<std::size_t>(4096, 2 * timers.size());
  return dropped;
}

std::size_t Core::purge_expired() {
  const runtime::Millis t = now();
  std::size_t n = 0;
  while (!closed_order_.empty()) {
    Execution* ex = execution_at(closed_order_.front());
    if (ex != nullptr && ex->status == ExecutionStatus::kRunning) {
      // Redriven since it closed: queued again when it closes again.
    } else if (ex != nullptr) {
      if (t - ex->stop < options_.execution_retention_ms || !ex->fiber_done || ex->result_pending) break;
      if (auto runs = map_runs_of.find(ex->index); runs != map_runs_of.end()) {
        for (const std::string& arn : runs->second) map_runs.erase(arn);
        map_runs_of.erase(runs);
      }
      executions.erase(ex->index);
      ++n;
    }
    closed_order_.pop_front();
  }
  purged += n;
  if (n >= kTrimAfterPurging) {
    // A load was shed: give free stack pages and malloc's free heap back.
    arena_.release_warm();
    executions.shrink();  // the ARN index, to the records left
    timers.shrink();
    tokens.shrink();
    runtime::trim_heap();
  }
  return n;
}

void Core::drain_commands() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lk(mu_);
    batch.swap(commands_);
    work_posted_.store(false, std::memory_order_relaxed);
  }
  for (auto& c : batch) c();
}

void Core::fire_due_timers() {
  // At most kWakeBatch per call: the woken fibers run (and the finished ones
  // give their stacks back) before more wake. A million timeouts due at once
  // would otherwise all unwind, each on a deeper stack, before any is freed.
  const runtime::Millis t = now();
  for (std::size_t n = 0; n < kWakeBatch && !timers.empty() && timers.next_deadline() <= t; ++n) fire(timers.pop());
}

bool Core::abandon_next_batch() {
  const std::uint32_t end = executions.next_index();
  std::size_t woken = 0;
  while (abandon_cursor_ < end && woken < kWakeBatch) {
    Execution* ex = executions.at(abandon_cursor_++);
    if (ex != nullptr && ex->status == ExecutionStatus::kRunning && !ex->abandoned) {
      abandon(*ex);
      ++woken;
    }
  }
  return abandon_cursor_ >= end;
}

void Core::fire(const runtime::TimerEntry& t) {
  Execution* found = execution_at(t.execution);
  if (found == nullptr || found->status != ExecutionStatus::kRunning) return;
  Execution& ex = *found;
  if (t.execution_timeout) {
    if (t.epoch != ex.redrive_count()) return;  // armed before a redrive
    Json details = {{"error", "States.Timeout"}};
    ex.history.add(now(), ex.history.last_id(), "ExecutionTimedOut", &details);
    // DescribeExecution of a TIMED_OUT execution carries no error/cause.
    abandon(ex);
    finish(ex, ExecutionStatus::kTimedOut);
    return;
  }
  if (t.strand < ex.strands.size()) ex.strands[t.strand]->waiter.wake(t.epoch);
}

void Core::sleep_until_work() {
  // Callers often send the next command within microseconds (a loop of
  // single SendTaskSuccess calls). Waking a thread blocked in the kernel
  // costs tens of microseconds on a VM, so first spin on the flag
  // post_and_wait sets, with the lock released, for as long as idle_spin_
  // says commands have been arriving (not at all when they have not).
  const std::int64_t idle_from = steady_now_ns();
  runtime::SpinBudget::spin(idle_spin_.ns(), [this] { return work_posted_.load(std::memory_order_acquire); });
  std::unique_lock<std::mutex> lk(mu_);
  auto has_work = [&] { return !commands_.empty(); };
  auto idle_ended = [&] {
    if (has_work()) idle_spin_.record(steady_now_ns() - idle_from);  // not when a timer ended it
  };
  if (has_work()) {
    idle_ended();
    return;
  }
  if (!manual_clock() && !timers.empty()) {
    runtime::Millis wait_ms = timers.next_deadline() - now();
    if (wait_ms <= 0) return;
    // Engine ms -> wall ms (EngineOptions::time_scale).
    if (options_.time_scale != 1.0) {
      wait_ms = std::max<runtime::Millis>(1, static_cast<runtime::Millis>(
                                                  std::ceil(static_cast<double>(wait_ms) * options_.time_scale)));
    }
    cv_.wait_for(lk, std::chrono::milliseconds(wait_ms), has_work);
  } else {
    cv_.wait(lk, has_work);
  }
  idle_ended();
}

// ---- services used by commands and fibers (engine thread) -------------------

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Status invalid_token() { return Status(ErrorCode::kInvalidToken, "Invalid Token: 'Invalid token'"); }
Status task_timed_out() {
  return Status(ErrorCode::kTaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'");
}

std::string uuid4() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

Result<Execution*> Core::create_execution(const std::string& sm_arn, const std::optional<std::string>& name,
                                          const std::string& input_text, bool sync) {
  auto it = machines.find(sm_arn);
  if (it == machines.end()) {
    return Status(ErrorCode::kStateMachineDoesNotExist, "State Machine Does Not Exist: '" + sm_arn + "'");
  }
  return create_execution_of(it->second, std::string(), name, input_text, sync);
}

Result<Execution*> Core::create_execution_of(std::shared_ptr<const StateMachineRecord> machine,
                                             const std::string& alias_arn, const std::optional<std::string>& name,
                                             const std::string& input_text, bool sync) {
  const std::string& sm_arn = machine->arn;
  const bool express = machine->type == "EXPRESS";
  if (sync && !express) {
    return Status(ErrorCode::kStateMachineTypeNotSupported,
                  "This operation is not supported by this type of state machine");
  }
  const std::string exec_name = name ? *name : uuid4();
  // EXPRESS: arn:aws:states:<r>:<a>:express:<machine>:<name>:<uuid>
  std::string arn = engine::execution_arn(sm_arn, exec_name);
  if (express) {
    arn.replace(arn.find(":execution:"), 11, ":express:");
    arn.push_back(':');  // appended piecewise: GCC 12 -O3 warns falsely on ":" + string
    arn.append(uuid4());
  }
  if (Execution* found = executions.find(arn)) {
    Execution& prior = *found;
    // Idempotent while RUNNING with the same input (STANDARD only).
    if (prior.status == ExecutionStatus::kRunning && prior.input == input_text && !express) return &prior;
    return Status(ErrorCode::kExecutionAlreadyExists, "Execution Already Exists: '" + arn + "'");
  }
  auto ex = std::make_unique<Execution>();
  ex->index = executions.next_index();
  ex->machine = machine;
  ex->arn = arn;
  if (!alias_arn.empty()) ex->extra().alias_arn = alias_arn;
  if (pending_mock) ex->extra().mock = std::move(pending_mock);
  ex->input = input_text;
  ex->express = express;
  ex->sync = sync;
  ex->result_pending = sync;
  ex->start = now();
  ex->strands.push_back(std::make_unique<Strand>());
  // The details (input, roleArn) are rendered from the record when read.
  ex->history.add(ex->start, 0, "ExecutionStarted", nullptr);
  std::optional<std::int64_t> timeout = machine->program->timeout_seconds;
  if (express) timeout = std::min<std::int64_t>(timeout.value_or(300), 300);  // EXPRESS: 5 minutes at most
  if (timeout) timers.arm(ex->start + *timeout * 1000, ex->index, 0, 0, true);
  Execution& ref = executions.add(std::move(ex));
  spawn(ref);
  return &ref;
}

void Core::schedule_activity(ActivityRecord& activity, Execution& ex, std::uint32_t strand) {
  Strand& s = *ex.strands[strand];
  activity.scheduled.push_back(ActivityRecord::Scheduled{ex.index, strand, s.task->epoch});
  while (!activity.pollers.empty()) {
    auto poller = activity.pollers.front();
    activity.pollers.pop_front();
    if (poller.use_count() == 1 && !poller->on_ready) continue;  // the caller gave up waiting
    if (hand_over_activity(activity, *poller)) poller->notify();
    return;
  }
}

bool Core::hand_over_activity(ActivityRecord& activity, ActivityPoller& poller) {
  while (!activity.scheduled.empty()) {
    const auto sch = activity.scheduled.front();
    activity.scheduled.pop_front();
    Execution* found = execution_at(sch.execution);
    if (found == nullptr) continue;
    Execution& ex = *found;
    if (ex.status != ExecutionStatus::kRunning || ex.abandoned || sch.strand >= ex.strands.size()) continue;
    Strand& s = *ex.strands[sch.strand];
    if (!s.task || s.task->epoch != sch.epoch || s.task->token_slot) continue;
    auto issued = tokens.issue(ex.index, sch.strand, sch.epoch);
    s.task->token_slot = issued.slot;
    Json details = Json::object();
    if (!poller.worker_name.empty()) details["workerName"] = poller.worker_name;
    ex.history.add(now(), ex.history.last_id(), "ActivityStarted", &details);
    if (s.task->heartbeat_seconds) {
      s.task->heartbeat_deadline = now() + s.task->heartbeat_seconds * 1000;  // counts from the hand-over
      timers.arm(*s.task->heartbeat_deadline, ex.index, sch.strand, sch.epoch);
    }
    poller.task = ActivityTask{issued.token, s.task->parameters};
    return true;
  }
  return false;
}

Status Core::deliver_token(const std::string& token, TaskOutcome outcome) {
  auto found = tokens.find(token);
  if (found.status == runtime::TokenRegistry::Lookup::kInvalid) return invalid_token();
  if (found.status == runtime::TokenRegistry::Lookup::kClosed) return task_timed_out();
  Execution* owner = execution_at(found.execution);
  if (owner == nullptr || owner->abandoned || found.strand >= owner->strands.size()) return task_timed_out();
  Strand& s = *owner->strands[found.strand];
  if (!s.task || s.task->epoch != found.epoch || s.task->token_outcome) return task_timed_out();
  s.task->token_outcome = std::move(outcome);
  tokens.close(found.slot);
  s.task->token_slot.reset();
  s.waiter.wake(found.epoch);
  return {};
}

void Core::spawn(Execution& ex) {
  ++live_fibers_;
  ++running;
  census.started(ex);
  boost::fibers::fiber f(boost::fibers::launch::post, std::allocator_arg,
                         runtime::ArenaStackAllocator(arena_), [this, &ex] {
                           run_execution(*this, ex);
                           --live_fibers_;
                         });
  f.detach();
}

void Core::spawn_child(const std::function<void()>& body) {
  ++live_fibers_;
  boost::fibers::fiber f(boost::fibers::launch::post, std::allocator_arg,
                         runtime::ArenaStackAllocator(arena_), [this, &body] {
                           body();
                           --live_fibers_;
                         });
  f.detach();
}

void Core::finish(Execution& ex, ExecutionStatus status) {
  if (ex.status != ExecutionStatus::kRunning) return;
  if (!ex.abandoned) census.ended(ex);  // abandon() did it already
  ex.status = status;
  ex.stop = now();
  --running;
  ++ended[static_cast<std::size_t>(status)];
  closed_order_.push_back(ex.index);
  notify_parents(*this, ex);
  if (auto* x = ex.extra_if()) {
    for (auto& w : x->watchers) w->notify();
    x->watchers.clear();
  }
  if (running == 0) {
    for (auto& w : all_watchers_) w->notify();
    all_watchers_.clear();
  }
}

void Core::abandon(Execution& ex) {
  if (!ex.abandoned && ex.status == ExecutionStatus::kRunning) census.ended(ex);
  ex.abandoned = true;
  for (auto& strand : ex.strands) {
    if (strand->task && strand->task->token_slot) {
      tokens.close(*strand->task->token_slot);
      strand->task->token_slot.reset();
    }
    strand->waiter.wake(strand->waiter.epoch());
  }
}

std::uint64_t Core::dispatch_handler(Execution& ex, std::uint32_t strand, const std::string& resource,
                                     const std::string& input) {
  const std::uint64_t id = next_call_id_++;
  Strand& s = *ex.strands[strand];
  calls_.emplace(id, CallRef{ex.index, strand, s.waiter.epoch()});
  HandlerCall call;
  call.id = id;
  call.resource = resource;
  call.input = input;
  call.task_token = s.task && s.task->token_slot ? tokens.token_of(*s.task->token_slot) : std::string();
  call.execution_arn = ex.arn;
  call.state_name = s.task && s.task->state_name ? *s.task->state_name : std::string();
  handlers_queue_.push(std::move(call));
  return id;
}

void Core::complete_handler(std::uint64_t id, TaskOutcome outcome) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  CallRef ref = it->second;
  calls_.erase(it);
  Execution* found = execution_at(ref.execution);
  if (found == nullptr || found->abandoned || ref.strand >= found->strands.size()) return;
  Execution& ex = *found;
  Strand& s = *ex.strands[ref.strand];
  if (!s.task || s.task->epoch != ref.epoch || s.task->handler_call != id) return;
  s.task->handler_outcome = std::move(outcome);
  s.waiter.wake(ref.epoch);
}

namespace {
// A watcher only the engine still holds belongs to a caller that timed out.
void drop_abandoned(std::vector<std::shared_ptr<CompletionWatcher>>& ws) {
  std::erase_if(ws, [](const auto& w) { return w.use_count() == 1 && !w->on_done; });
}
}  // namespace

void Core::watch(Execution& ex, std::shared_ptr<CompletionWatcher> w) {
  if (ex.status != ExecutionStatus::kRunning) {
    w->notify();
    return;
  }
  drop_abandoned(ex.extra().watchers);
  ex.extra().watchers.push_back(std::move(w));
}

void Core::watch_all(std::shared_ptr<CompletionWatcher> w) {
  if (running == 0) {
    w->notify();
    return;
  }
  drop_abandoned(all_watchers_);
  all_watchers_.push_back(std::move(w));
}

void Core::begin_advance(runtime::Millis target, std::function<void()> reply) {
  advance_target_ = target;
  advance_reply_ = std::move(reply);
}

}  // namespace stepfiber::engine
