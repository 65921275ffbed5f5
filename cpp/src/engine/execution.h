// One execution's record. Owned by the engine's store (never by a fiber,
// a handler or a Python object); its fiber borrows it for its whole life.
// Touched only on the engine thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/program.h"
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
};

/// What ended a task attempt from outside the fiber.
struct TaskOutcome {
  bool success = false;
  Json output;                       ///< success
  std::optional<std::string> error;  ///< failure
  std::optional<std::string> cause;
};

/// The task an execution is waiting on; present only while one is in flight.
struct TaskInFlight {
  std::uint32_t epoch = 0;                  ///< waiter epoch of this attempt
  std::optional<std::uint32_t> token_slot;  ///< open token, if .waitForTaskToken
  std::string token;
  std::string state_name;
  std::string resource;
  std::string parameters;                   ///< JSON text
  runtime::Millis scheduled = 0;
  std::optional<runtime::Millis> heartbeat_deadline;
  std::optional<std::int64_t> heartbeat_seconds;
  std::uint64_t handler_call = 0;           ///< 0 = no handler call pending
  std::optional<TaskOutcome> handler_outcome;
  std::optional<TaskOutcome> token_outcome;
};

/// Notified when an execution (or all executions) stop running.
struct CompletionWatcher;

struct Execution {
  std::uint32_t index = 0;
  std::shared_ptr<const StateMachineRecord> machine;
  std::string name;
  std::string arn;
  std::string input;  ///< JSON text as given
  runtime::Millis start = 0;
  runtime::Millis stop = 0;
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::string output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  History history;
  runtime::Waiter waiter;
  /// Set when the execution was ended from outside (stop, execution
  /// timeout, engine shutdown): the fiber unwinds without recording more.
  bool abandoned = false;
  std::unique_ptr<TaskInFlight> task;
  std::vector<std::shared_ptr<CompletionWatcher>> watchers;
};

}  // namespace stepfiber::engine
