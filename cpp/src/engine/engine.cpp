// The public Engine: validates request fields on the caller's thread, then
// runs the operation on the engine thread (Core::post_and_wait*) and
// copies the answer out. AWS error codes and messages are produced here.
#include "stepfiber/engine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <cmath>
#include <random>

#include "asl/compiler.h"
#include "asl/validator.h"
#include "engine/arn.h"
#include "engine/core.h"

namespace stepfiber {
namespace {

using engine::Core;
using engine::Execution;
using engine::ExecutionStatus;

constexpr std::size_t kMaxPayload = 262144;
constexpr std::size_t kMaxDefinition = 1048576;
constexpr std::size_t kMaxError = 256;
constexpr std::size_t kMaxCause = 32768;
constexpr std::size_t kMaxToken = 2048;

const Status kClosed(ErrorCode::kEngineClosed, "The engine is closed");

Status too_long(const char* field, std::size_t max) {
  return Status(ErrorCode::kValidationException,
                std::string("1 validation error detected: Value at '") + field +
                    "' failed to satisfy constraint: Member must have length less than or equal to " +
                    std::to_string(max));
}


StateMachineInfo to_info(const engine::StateMachineRecord& r) {
  StateMachineInfo i;
  i.state_machine_arn = r.arn;
  i.name = r.name;
  i.definition = r.definition;
  i.role_arn = r.role_arn;
  i.type = r.type;
  i.creation_date_ms = r.created;
  i.revision_id = r.revision_id;
  return i;
}

ExecutionInfo to_info(const Execution& ex, bool with_data) {
  ExecutionInfo i;
  i.execution_arn = ex.arn;
  i.state_machine_arn = ex.machine->arn;
  i.name = std::string(ex.name());
  i.status = engine::status_name(ex.status);
  i.start_date_ms = ex.start;
  if (ex.status != ExecutionStatus::kRunning) i.stop_date_ms = ex.stop;
  if (with_data) {
    i.input = ex.input;
    if (ex.status == ExecutionStatus::kSucceeded) i.output = ex.output();
    i.error = ex.error();
    i.cause = ex.cause();
  }
  return i;
}

/// EXPRESS machines cannot wait for callbacks (sfn-semantics §1.1).
void express_restrictions(const asl::Scope& scope, const std::string& base, std::vector<asl::Diagnostic>& out) {
  for (const auto& st : scope.states) {
    const std::string loc = base + "/States/" + st.name;
    if (const auto* t = std::get_if<asl::TaskSpec>(&st.spec)) {
      if (t->wait_for_task_token) {
        out.push_back({"SCHEMA_VALIDATION_FAILED",
                       "Express state machine does not support '.waitForTaskToken' service integration ",
                       loc + "/Resource"});
      } else if (t->resource.find(":activity:") != std::string::npos) {
        out.push_back({"SCHEMA_VALIDATION_FAILED", "Express state machine does not support Activity ARN",
                       loc + "/Resource"});
      } else if (t->resource.size() > 5 && (t->resource.find(".sync") != std::string::npos)) {
        out.push_back({"SCHEMA_VALIDATION_FAILED",
                       "Express state machine does not support '.sync' service integration", loc + "/Resource"});
      }
    } else if (const auto* p = std::get_if<asl::ParallelSpec>(&st.spec)) {
      for (std::size_t i = 0; i < p->branches.size(); ++i) {
        express_restrictions(p->branches[i], loc + "/Branches/" + std::to_string(i), out);
      }
    } else if (const auto* m = std::get_if<asl::MapSpec>(&st.spec)) {
      for (const auto& proc : m->processor) express_restrictions(proc, loc + "/ItemProcessor", out);
    }
  }
}

std::vector<asl::Diagnostic> express_restrictions(const asl::Program& p) {
  std::vector<asl::Diagnostic> out;
  express_restrictions(p.root, "", out);
  return out;
}

}  // namespace

Engine::Engine(EngineOptions options) : core_(std::make_unique<Core>(std::move(options))) {}
Engine::~Engine() { core_->shutdown(); }

void Engine::close() { core_->shutdown(); }

const EngineOptions& Engine::options() const noexcept { return core_->options(); }

// ---- state machines --------------------------------------------------------

Result<StateMachineInfo> Engine::create_state_machine(const std::string& name, const std::string& definition,
                                                      const std::string& role_arn, const std::string& type) {
  STEPFIBER_TRY(engine::validate_name(name));
  if (type != "STANDARD" && type != "EXPRESS") {
    return Status(ErrorCode::kValidationException,
                  "1 validation error detected: Value '" + type +
                      "' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]");
  }
  if (definition.size() > kMaxDefinition) return too_long("definition", kMaxDefinition);
  if (role_arn.empty() || role_arn.size() > 256) {
    return Status(ErrorCode::kValidationException,
                  "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length between 1 and 256");
  }
  // Compile on the caller's thread: pure work, and the engine keeps running.
  asl::CompileResult compiled = asl::compile_program(definition);
  if (compiled.program && type == "EXPRESS") compiled.diagnostics = express_restrictions(*compiled.program);
  if (!compiled.diagnostics.empty()) {
    return Status(ErrorCode::kInvalidDefinition, asl::invalid_definition_message(compiled.diagnostics));
  }
  std::optional<Result<StateMachineInfo>> out;
  const bool ran = core_->post_and_wait([&] {
    const std::string arn = engine::state_machine_arn(core_->options().region, core_->options().account, name);
    auto it = core_->machines.find(arn);
    if (it != core_->machines.end()) {
      const auto& r = *it->second;
      if (r.definition == definition && r.role_arn == role_arn && r.type == type) {
        out.emplace(to_info(r));  // AWS: an identical create is idempotent
      } else {
        out.emplace(Status(ErrorCode::kStateMachineAlreadyExists, "State Machine Already Exists: '" + arn + "'"));
      }
      return;
    }
    auto rec = std::make_shared<engine::StateMachineRecord>();
    rec->arn = arn;
    rec->name = name;
    rec->definition = definition;
    rec->role_arn = role_arn;
    rec->type = type;
    rec->created = core_->now();
    rec->program = compiled.program;
    core_->machines.emplace(arn, rec);
    out.emplace(to_info(*rec));
  });
  if (!ran) return kClosed;
  return std::move(*out);
}

Result<StateMachineInfo> Engine::describe_state_machine(const std::string& arn) {
  STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
  std::optional<Result<StateMachineInfo>> out;
  if (!core_->post_and_wait([&] {
        auto it = core_->machines.find(arn);
        if (it == core_->machines.end()) {
          out.emplace(Status(ErrorCode::kStateMachineDoesNotExist, "State Machine Does Not Exist: '" + arn + "'"));
        } else {
          out.emplace(to_info(*it->second));
        }
      }))
    return kClosed;
  return std::move(*out);
}

std::vector<StateMachineInfo> Engine::list_state_machines() {
  std::vector<StateMachineInfo> out;
  (void)core_->post_and_wait([&] {
    for (const auto& [arn, rec] : core_->machines) out.push_back(to_info(*rec));
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Status Engine::delete_state_machine(const std::string& arn) {
  STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
  // Running executions keep their shared Program and finish normally.
  if (!core_->post_and_wait([&] { core_->machines.erase(arn); })) return kClosed;
  return {};
}

// ---- definition validation and updates ------------------------------------

Result<DefinitionValidation> Engine::validate_state_machine_definition(const std::string& definition,
                                                                       const std::string& type,
                                                                       const std::string& severity,
                                                                       std::int64_t max_results) {
  if (definition.size() > kMaxDefinition) return too_long("definition", kMaxDefinition);
  auto enum_error = [](const std::string& value, const char* field, const char* set) {
    return Status(ErrorCode::kValidationException, "1 validation error detected: Value '" + value + "' at '" +
                                                       field +
                                                       "' failed to satisfy constraint: Member must satisfy enum "
                                                       "value set: [" + set + "]");
  };
  if (type != "STANDARD" && type != "EXPRESS") return enum_error(type, "type", "STANDARD, EXPRESS");
  if (severity != "ERROR" && severity != "WARNING") return enum_error(severity, "severity", "ERROR, WARNING");
  if (max_results < 0 || max_results > 100) {
    return Status(ErrorCode::kValidationException,
                  "1 validation error detected: Value '" + std::to_string(max_results) +
                      "' at 'maxResults' failed to satisfy constraint: Member must have value " +
                      (max_results < 0 ? "greater than or equal to 0" : "less than or equal to 100"));
  }
  asl::ValidationReport report =
      asl::validation_report(definition, type, severity, static_cast<std::size_t>(max_results));
  DefinitionValidation out;
  out.result = report.result;
  out.truncated = report.truncated;
  for (auto& d : report.diagnostics) {
    out.diagnostics.push_back({std::move(d.severity), std::move(d.code), std::move(d.message), std::move(d.location)});
  }
  return out;
}

Result<StateMachineUpdate> Engine::update_state_machine(const std::string& arn,
                                                        const std::optional<std::string>& definition,
                                                        const std::optional<std::string>& role_arn) {
  STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
  if (definition && definition->size() > kMaxDefinition) return too_long("definition", kMaxDefinition);
  if (role_arn && (role_arn->empty() || role_arn->size() > 256)) {
    return Status(ErrorCode::kValidationException,
                  "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have "
                  "length between 1 and 256");
  }
  // The machine's type decides the EXPRESS restrictions: read it first.
  std::optional<std::string> type;
  if (!core_->post_and_wait([&] {
        auto it = core_->machines.find(arn);
        if (it != core_->machines.end()) type = it->second->type;
      }))
    return kClosed;
  if (!type) return Status(ErrorCode::kStateMachineDoesNotExist, "State Machine Does Not Exist: '" + arn + "'");
  std::shared_ptr<const asl::Program> program;
  if (definition) {
    asl::CompileResult compiled = asl::compile_program(*definition);
    if (compiled.program && *type == "EXPRESS") compiled.diagnostics = express_restrictions(*compiled.program);
    if (!compiled.diagnostics.empty()) {
      return Status(ErrorCode::kInvalidDefinition, asl::invalid_definition_message(compiled.diagnostics));
    }
    program = compiled.program;
  }
  std::optional<Result<StateMachineUpdate>> out;
  if (!core_->post_and_wait([&] {
        auto it = core_->machines.find(arn);
        if (it == core_->machines.end()) {
          out.emplace(Status(ErrorCode::kStateMachineDoesNotExist, "State Machine Does Not Exist: '" + arn + "'"));
          return;
        }
        // A new record: running executions keep the one (and the program) they started with.
        auto rec = std::make_shared<engine::StateMachineRecord>(*it->second);
        if (definition) {
          rec->definition = *definition;
          rec->program = program;
        }
        if (role_arn) rec->role_arn = *role_arn;
        static std::mt19937_64 rng{std::random_device{}()};
        char id[37];
        const std::uint64_t a = rng(), b = rng();
        std::snprintf(id, sizeof id, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                      static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                      static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                      static_cast<unsigned long long>(b & 0xffffffffffffULL));
        rec->revision_id = id;
        it->second = rec;
        out.emplace(StateMachineUpdate{core_->now(), rec->revision_id});
      }))
    return kClosed;
  return std::move(*out);
}

// ---- executions ------------------------------------------------------------

Result<StartExecutionResult> Engine::start_execution(const std::string& sm_arn,
                                                     const std::optional<std::string>& name,
                                                     const std::optional<std::string>& input) {
  return start(sm_arn, name, input, false);
}

Result<ExecutionInfo> Engine::start_sync_execution(const std::string& sm_arn, const std::optional<std::string>& name,
                                                   const std::optional<std::string>& input) {
  auto started = start(sm_arn, name, input, true);
  if (!started.ok()) return started.status();
  const std::string arn = started->execution_arn;
  for (;;) {
    auto done = wait_for_execution(arn, 0.05);
    if (!done.ok()) return done.status();
    if (*done) break;
    // Nobody can advance a manual clock while this call blocks: move it to
    // the next timer so Wait states and retries in the execution elapse.
    bool manual = false;
    std::optional<runtime::Millis> next;
    if (!core_->post_and_wait([&] {
          manual = core_->manual_clock();
          if (manual && !core_->timers.empty()) next = core_->timers.next_deadline();
        }))
      return kClosed;
    if (manual && next) {
      const double seconds = static_cast<double>(std::max<runtime::Millis>(0, *next - now_ms())) / 1000.0;
      STEPFIBER_TRY(advance_clock(seconds));
    }
  }
  auto info = describe_execution(arn);
  release_sync_result(arn);
  return info;
}

void Engine::release_sync_result(const std::string& execution_arn) {
  (void)core_->post_and_wait([&] {
    if (Execution* ex = core_->executions.find(execution_arn)) ex->result_pending = false;
  });
}

Result<StartExecutionResult> Engine::start(const std::string& sm_arn, const std::optional<std::string>& name,
                                           const std::optional<std::string>& input, bool sync) {
  STEPFIBER_TRY(engine::validate_arn(sm_arn, "stateMachine"));
  if (name) STEPFIBER_TRY(engine::validate_name(*name));
  const std::string input_text = input.value_or("{}");
  if (input_text.size() > kMaxPayload) return too_long("input", kMaxPayload);
  auto parsed = parse_json(input_text, ErrorCode::kInvalidExecutionInput);
  if (!parsed.ok()) return engine::invalid_execution_input(input_text, parsed.status());
  std::optional<Result<StartExecutionResult>> out;
  const bool ran = core_->post_and_wait_round([&] {
    auto r = core_->create_execution(sm_arn, name, input_text, sync);
    if (!r.ok()) {
      out.emplace(r.status());
    } else {
      out.emplace(StartExecutionResult{(*r)->arn, (*r)->start});
    }
  });
  if (!ran) return kClosed;
  return std::move(*out);
}

std::vector<Result<StartExecutionResult>> Engine::start_executions(const std::string& sm_arn,
                                                                  const std::vector<std::string>& inputs,
                                                                  const std::vector<std::string>& names) {
  std::vector<Result<StartExecutionResult>> out;
  out.reserve(inputs.size());
  if (Status st = engine::validate_arn(sm_arn, "stateMachine"); !st.ok()) {
    for (std::size_t i = 0; i < inputs.size(); ++i) out.emplace_back(st);
    return out;
  }
  if (!names.empty() && names.size() != inputs.size()) {
    Status st(ErrorCode::kValidationException, "start_executions: names must be empty or as many as inputs");
    for (std::size_t i = 0; i < inputs.size(); ++i) out.emplace_back(st);
    return out;
  }
  // Validate and parse on the caller's thread; the engine only starts.
  std::vector<std::optional<Status>> rejected(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!names.empty() && !names[i].empty()) {
      if (Status st = engine::validate_name(names[i]); !st.ok()) rejected[i] = st;
    }
    if (rejected[i]) continue;
    if (inputs[i].size() > kMaxPayload) {
      rejected[i] = too_long("input", kMaxPayload);
      continue;
    }
    auto parsed = parse_json(inputs[i], ErrorCode::kInvalidExecutionInput);
    if (!parsed.ok()) rejected[i] = engine::invalid_execution_input(inputs[i], parsed.status());
  }
  const bool ran = core_->post_and_wait_round([&] {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (rejected[i]) {
        out.emplace_back(*rejected[i]);
        continue;
      }
      std::optional<std::string> name;
      if (!names.empty() && !names[i].empty()) name = names[i];
      auto r = core_->create_execution(sm_arn, name, inputs[i], false);
      if (r.ok()) out.emplace_back(StartExecutionResult{(*r)->arn, (*r)->start});
      else out.emplace_back(r.status());
    }
  });
  if (!ran) {
    out.clear();
    for (std::size_t i = 0; i < inputs.size(); ++i) out.emplace_back(kClosed);
  }
  return out;
}

Result<ExecutionInfo> Engine::describe_execution(const std::string& arn) {
  STEPFIBER_TRY(engine::validate_arn(arn, "execution"));
  std::optional<Result<ExecutionInfo>> out;
  if (!core_->post_and_wait([&] {
        if (const Execution* ex = core_->executions.find(arn)) {
          out.emplace(to_info(*ex, true));
        } else {
          out.emplace(Status(ErrorCode::kExecutionDoesNotExist, "Execution Does Not Exist: '" + arn + "'"));
        }
      }))
    return kClosed;
  return std::move(*out);
}

Result<std::vector<ExecutionInfo>> Engine::list_executions(const std::string& sm_arn,
                                                           const std::optional<std::string>& status_filter) {
  STEPFIBER_TRY(engine::validate_arn(sm_arn, "stateMachine"));
  if (status_filter && *status_filter != "RUNNING" && *status_filter != "SUCCEEDED" && *status_filter != "FAILED" &&
      *status_filter != "TIMED_OUT" && *status_filter != "ABORTED" && *status_filter != "PENDING_REDRIVE") {
    return Status(ErrorCode::kValidationException,
                  "1 validation error detected: Value '" + *status_filter +
                      "' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: "
                      "[RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]");
  }
  std::optional<Result<std::vector<ExecutionInfo>>> out;
  if (!core_->post_and_wait([&] {
        if (!core_->machines.count(sm_arn)) {
          out.emplace(Status(ErrorCode::kStateMachineDoesNotExist, "State Machine Does Not Exist: '" + sm_arn + "'"));
          return;
        }
        std::vector<ExecutionInfo> list;
        core_->executions.for_each_newest_first([&](const Execution& ex) {
          if (ex.machine->arn != sm_arn) return;
          if (status_filter && engine::status_name(ex.status) != *status_filter) return;
          list.push_back(to_info(ex, false));
        });
        out.emplace(std::move(list));
      }))
    return kClosed;
  return std::move(*out);
}

Result<std::int64_t> Engine::stop_execution(const std::string& arn, const std::optional<std::string>& error,
                                            const std::optional<std::string>& cause) {
  STEPFIBER_TRY(engine::validate_arn(arn, "execution"));
  if (error && error->size() > kMaxError) return too_long("error", kMaxError);
  if (cause && cause->size() > kMaxCause) return too_long("cause", kMaxCause);
  std::optional<Result<std::int64_t>> out;
  if (!core_->post_and_wait([&] {
        Execution* found = core_->executions.find(arn);
        if (found == nullptr) {
          out.emplace(Status(ErrorCode::kExecutionDoesNotExist, "Execution Does Not Exist: '" + arn + "'"));
          return;
        }
        Execution& ex = *found;
        if (ex.status == ExecutionStatus::kRunning) {
          Json details = Json::object();
          if (error) details["error"] = *error;
          if (cause) details["cause"] = *cause;
          ex.history.add(core_->now(), 0, "ExecutionAborted", &details);
          if (error) ex.extra().error = error;
          if (cause) ex.extra().cause = cause;
          core_->abandon(ex);
          core_->finish(ex, ExecutionStatus::kAborted);
        }
        out.emplace(ex.stop);
      }))
    return kClosed;
  return std::move(*out);
}

Result<std::vector<HistoryEventInfo>> Engine::get_execution_history(const std::string& arn) {
  STEPFIBER_TRY(engine::validate_arn(arn, "execution"));
  std::optional<Result<std::vector<HistoryEventInfo>>> out;
  if (!core_->post_and_wait([&] {
        const Execution* found = core_->executions.find(arn);
        if (found == nullptr) {
          out.emplace(Status(ErrorCode::kExecutionDoesNotExist, "Execution Does Not Exist: '" + arn + "'"));
          return;
        }
        const Execution& ex = *found;
        const auto& events = ex.history.events();
        std::vector<HistoryEventInfo> list;
        list.reserve(events.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
          const auto& e = events[i];
          HistoryEventInfo h;
          h.id = static_cast<std::int64_t>(i + 1);
          h.previous_event_id = e.previous_event_id();
          h.timestamp_ms = e.timestamp;
          h.type = e.type;
          h.details = engine::rendered_details(ex, i, core_->options().region);
          if (!h.details.empty()) h.details_key = engine::details_key(h.type);
          list.push_back(std::move(h));
        }
        out.emplace(std::move(list));
      }))
    return kClosed;
  return std::move(*out);
}

// ---- activities ----------------------------------------------------------------

Result<ActivityInfo> Engine::create_activity(const std::string& name) {
  STEPFIBER_TRY(engine::validate_name(name));
  ActivityInfo out;
  if (!core_->post_and_wait([&] {
        const std::string arn = engine::activity_arn(core_->options().region, core_->options().account, name);
        auto it = core_->activities.find(arn);
        if (it == core_->activities.end()) {  // CreateActivity is idempotent
          engine::ActivityRecord rec;
          rec.info = ActivityInfo{arn, name, core_->now()};
          it = core_->activities.emplace(arn, std::move(rec)).first;
        }
        out = it->second.info;
      }))
    return kClosed;
  return out;
}

Result<ActivityInfo> Engine::describe_activity(const std::string& arn) {
  STEPFIBER_TRY(engine::validate_arn(arn, "activity"));
  std::optional<Result<ActivityInfo>> out;
  if (!core_->post_and_wait([&] {
        auto it = core_->activities.find(arn);
        if (it == core_->activities.end()) {
          out.emplace(Status(ErrorCode::kActivityDoesNotExist, "Activity Does Not Exist: '" + arn + "'"));
        } else {
          out.emplace(it->second.info);
        }
      }))
    return kClosed;
  return std::move(*out);
}

std::vector<ActivityInfo> Engine::list_activities() {
  std::vector<ActivityInfo> out;
  (void)core_->post_and_wait([&] {
    for (const auto& [arn, rec] : core_->activities) out.push_back(rec.info);
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Status Engine::delete_activity(const std::string& arn) {
  STEPFIBER_TRY(engine::validate_arn(arn, "activity"));
  if (!core_->post_and_wait([&] {
        auto it = core_->activities.find(arn);
        if (it == core_->activities.end()) return;
        for (auto& p : it->second.pollers) p->notify();  // waiting workers get no task
        core_->activities.erase(it);
      }))
    return kClosed;
  return {};
}

Result<std::optional<ActivityTask>> Engine::get_activity_task(const std::string& activity_arn,
                                                              const std::optional<std::string>& worker_name,
                                                              double timeout_seconds) {
  STEPFIBER_TRY(engine::validate_arn(activity_arn, "activity"));
  if (worker_name && worker_name->size() > 80) return too_long("workerName", 80);
  auto poller = std::make_shared<engine::ActivityPoller>();
  poller->worker_name = worker_name.value_or("");
  bool exists = false, served = false;
  if (!core_->post_and_wait([&] {
        auto it = core_->activities.find(activity_arn);
        if (it == core_->activities.end()) return;
        exists = true;
        served = core_->hand_over_activity(it->second, *poller);
        if (!served) it->second.pollers.push_back(poller);
      }))
    return kClosed;
  if (!exists) return Status(ErrorCode::kActivityDoesNotExist, "Activity Does Not Exist: '" + activity_arn + "'");
  if (served) return std::optional<ActivityTask>(std::move(poller->task));
  const double t = std::isfinite(timeout_seconds) ? std::max(0.0, timeout_seconds) : 60.0;
  if (poller->done.try_acquire_for(std::chrono::duration<double>(t))) return std::optional<ActivityTask>(poller->task);
  // Timed out: stop waiting, unless a task arrived meanwhile.
  std::optional<ActivityTask> late;
  if (!core_->post_and_wait([&] {
        late = std::move(poller->task);
        auto it = core_->activities.find(activity_arn);
        if (it != core_->activities.end()) std::erase(it->second.pollers, poller);
      }))
    return kClosed;
  return late;
}

// ---- task tokens -------------------------------------------------------------

namespace {

Status check_token(const std::string& token) {
  if (token.empty() || token.size() > kMaxToken) {
    return Status(ErrorCode::kValidationException,
                  "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and 2048");
  }
  return {};
}

}  // namespace

Status Engine::send_task_success(const std::string& task_token, const std::string& output) {
  STEPFIBER_TRY(check_token(task_token));
  if (output.size() > kMaxPayload) return too_long("output", kMaxPayload);
  const std::int64_t sent = engine::steady_now_ns();
  // Parsed here, off the engine thread; reported only after the token
  // checks, as AWS does (a bad token with non-JSON output is InvalidToken).
  auto parsed = parse_json(output, ErrorCode::kInvalidOutput);
  Status st;
  if (!core_->post_and_wait_round([&] {
        auto found = core_->tokens.find(task_token);
        if (found.status == runtime::TokenRegistry::Lookup::kOpen && !parsed.ok()) {
          st = Status(ErrorCode::kInvalidOutput, "Invalid Output: '" + parsed.status().message() + "'");
          return;
        }
        engine::TaskOutcome o;
        o.success = true;
        o.sent_ns = sent;
        if (parsed.ok()) o.output = std::move(parsed).value();
        st = core_->deliver_token(task_token, std::move(o));
      }))
    return kClosed;
  return st;
}

std::vector<Status> Engine::send_task_success_batch(const std::vector<std::string>& task_tokens,
                                                    const std::vector<std::string>& outputs) {
  std::vector<Status> out(task_tokens.size());
  if (outputs.size() != task_tokens.size()) {
    for (auto& st : out) st = Status(ErrorCode::kValidationException, "send_task_success_batch: one output per token");
    return out;
  }
  std::vector<std::optional<Result<Json>>> parsed(task_tokens.size());
  for (std::size_t i = 0; i < task_tokens.size(); ++i) {
    if (Status st = check_token(task_tokens[i]); !st.ok()) {
      out[i] = st;
    } else if (outputs[i].size() > kMaxPayload) {
      out[i] = too_long("output", kMaxPayload);
    } else {
      parsed[i].emplace(parse_json(outputs[i], ErrorCode::kInvalidOutput));
    }
  }
  const auto sent = engine::steady_now_ns();
  if (!core_->post_and_wait_round([&] {
        for (std::size_t i = 0; i < task_tokens.size(); ++i) {
          if (!parsed[i]) continue;
          Result<Json>& p = *parsed[i];
          if (!p.ok()) {
            auto found = core_->tokens.find(task_tokens[i]);
            if (found.status == runtime::TokenRegistry::Lookup::kInvalid) out[i] = engine::invalid_token();
            else if (found.status == runtime::TokenRegistry::Lookup::kClosed) out[i] = engine::task_timed_out();
            else out[i] = Status(ErrorCode::kInvalidOutput, "Invalid Output: '" + p.status().message() + "'");
            continue;
          }
          engine::TaskOutcome o;
          o.success = true;
          o.output = std::move(p).value();
          o.sent_ns = sent;
          out[i] = core_->deliver_token(task_tokens[i], std::move(o));
        }
      })) {
    for (auto& st : out) st = kClosed;
  }
  return out;
}

std::vector<Status> Engine::send_task_failure_batch(const std::vector<std::string>& task_tokens,
                                                    const std::vector<std::optional<std::string>>& errors,
                                                    const std::vector<std::optional<std::string>>& causes) {
  std::vector<Status> out(task_tokens.size());
  if (errors.size() != task_tokens.size() || causes.size() != task_tokens.size()) {
    for (auto& st : out) st = Status(ErrorCode::kValidationException, "send_task_failure_batch: one error and cause per token");
    return out;
  }
  std::vector<bool> valid(task_tokens.size(), false);
  for (std::size_t i = 0; i < task_tokens.size(); ++i) {
    if (Status st = check_token(task_tokens[i]); !st.ok()) out[i] = st;
    else if (errors[i] && errors[i]->size() > kMaxError) out[i] = too_long("error", kMaxError);
    else if (causes[i] && causes[i]->size() > kMaxCause) out[i] = too_long("cause", kMaxCause);
    else valid[i] = true;
  }
  const auto sent = engine::steady_now_ns();
  if (!core_->post_and_wait_round([&] {
        for (std::size_t i = 0; i < task_tokens.size(); ++i) {
          if (!valid[i]) continue;
          engine::TaskOutcome o;
          o.error = errors[i];
          o.cause = causes[i];
          o.sent_ns = sent;
          out[i] = core_->deliver_token(task_tokens[i], std::move(o));
        }
      })) {
    for (auto& st : out) st = kClosed;
  }
  return out;
}

Status Engine::send_task_failure(const std::string& task_token, const std::optional<std::string>& error,
                                 const std::optional<std::string>& cause) {
  STEPFIBER_TRY(check_token(task_token));
  if (error && error->size() > kMaxError) return too_long("error", kMaxError);
  if (cause && cause->size() > kMaxCause) return too_long("cause", kMaxCause);
  engine::TaskOutcome o;
  o.success = false;
  o.error = error;
  o.cause = cause;
  Status st;
  if (!core_->post_and_wait_round([&] { st = core_->deliver_token(task_token, std::move(o)); })) return kClosed;
  return st;
}

Status Engine::send_task_heartbeat(const std::string& task_token) {
  STEPFIBER_TRY(check_token(task_token));
  Status st;
  if (!core_->post_and_wait([&] {
        auto found = core_->tokens.find(task_token);
        if (found.status == runtime::TokenRegistry::Lookup::kInvalid) {
          st = engine::invalid_token();
          return;
        }
        if (found.status == runtime::TokenRegistry::Lookup::kClosed) {
          st = engine::task_timed_out();
          return;
        }
        Execution* owner = core_->execution_at(found.execution);
        engine::Strand* s = owner != nullptr && found.strand < owner->strands.size()
                                ? owner->strands[found.strand].get()
                                : nullptr;
        if (!s || !s->task || s->task->epoch != found.epoch) {
          st = engine::task_timed_out();
          return;
        }
        if (s->task->heartbeat_seconds) s->task->heartbeat_deadline = core_->now() + s->task->heartbeat_seconds * 1000;
      }))
    return kClosed;
  return st;
}

// ---- extensions --------------------------------------------------------------

std::vector<PendingTask> Engine::list_pending_tasks(const std::optional<std::string>& execution_arn) {
  std::vector<PendingTask> out;
  (void)core_->post_and_wait([&] {
    auto add = [&](const Execution& ex) {
      if (ex.status != ExecutionStatus::kRunning) return;
      for (const auto& s : ex.strands) {
        if (!s->task || !s->task->token_slot) continue;
        out.push_back(PendingTask{core_->tokens.token_of(*s->task->token_slot), ex.arn, *s->task->state_name, *s->task->resource,
                                  s->task->parameters, s->task->scheduled});
      }
    };
    if (execution_arn) {
      if (Execution* ex = core_->executions.find(*execution_arn)) add(*ex);
    } else {
      core_->executions.for_each(add);
    }
  });
  return out;
}

std::vector<std::string> Engine::pending_task_tokens() {
  std::vector<std::string> out;
  (void)core_->post_and_wait([&] {
    core_->executions.for_each([&](const Execution& ex) {
      if (ex.status != ExecutionStatus::kRunning) return;
      for (const auto& s : ex.strands) {
        if (s->task && s->task->token_slot) out.push_back(core_->tokens.token_of(*s->task->token_slot));
      }
    });
  });
  return out;
}

std::vector<std::pair<std::string, std::string>> Engine::pending_task_refs() {
  std::vector<std::pair<std::string, std::string>> out;
  (void)core_->post_and_wait([&] {
    core_->executions.for_each([&](const Execution& ex) {
      if (ex.status != ExecutionStatus::kRunning) return;
      for (const auto& s : ex.strands) {
        if (s->task && s->task->token_slot) out.emplace_back(core_->tokens.token_of(*s->task->token_slot), ex.arn);
      }
    });
  });
  return out;
}

namespace {
bool wait_watcher(engine::CompletionWatcher& w, std::optional<double> timeout_seconds) {
  if (!timeout_seconds) {
    w.done.acquire();
    return true;
  }
  const double t = std::isfinite(*timeout_seconds) ? std::max(0.0, *timeout_seconds) : 1e9;
  return w.done.try_acquire_for(std::chrono::duration<double>(t));
}
}  // namespace

Result<bool> Engine::wait_for_execution(const std::string& arn, std::optional<double> timeout_seconds) {
  STEPFIBER_TRY(engine::validate_arn(arn, "execution"));
  auto w = std::make_shared<engine::CompletionWatcher>();
  bool exists = false;
  if (!core_->post_and_wait([&] {
        Execution* ex = core_->executions.find(arn);
        if (ex == nullptr) return;
        exists = true;
        core_->watch(*ex, w);
      }))
    return kClosed;
  if (!exists) return Status(ErrorCode::kExecutionDoesNotExist, "Execution Does Not Exist: '" + arn + "'");
  return wait_watcher(*w, timeout_seconds);
}

bool Engine::wait_for_all(std::optional<double> timeout_seconds) {
  auto w = std::make_shared<engine::CompletionWatcher>();
  if (!core_->post_and_wait([&] { core_->watch_all(w); })) return true;
  return wait_watcher(*w, timeout_seconds);
}

Status Engine::advance_clock(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) {
    return Status(ErrorCode::kValidationException, "advance_clock: seconds must be a finite number >= 0");
  }
  static std::mutex serial;  // one advance at a time
  std::lock_guard<std::mutex> lk(serial);
  bool manual = false;
  std::binary_semaphore done{0};
  if (!core_->post_and_wait([&] {
        manual = core_->manual_clock();
        if (!manual) return;
        core_->begin_advance(core_->now() + static_cast<runtime::Millis>(std::llround(seconds * 1000)),
                             [&] { done.release(); });
      }))
    return kClosed;
  if (!manual) {
    return Status(ErrorCode::kValidationException,
                  "advance_clock needs a manual clock: create the client with manual_clock=True");
  }
  done.acquire();
  return {};
}

std::int64_t Engine::now_ms() {
  std::int64_t t = 0;
  if (!core_->post_and_wait([&] { t = core_->now(); })) return runtime::SystemClock().now();
  return t;
}

void Engine::register_resource(const std::string& resource_arn) {
  (void)core_->post_and_wait([&] { core_->handled_resources.insert(resource_arn); });
}

void Engine::unregister_resource(const std::string& resource_arn) {
  (void)core_->post_and_wait([&] { core_->handled_resources.erase(resource_arn); });
}

std::optional<HandlerCall> Engine::next_handler_call(std::optional<double> timeout_seconds) {
  return core_->handler_queue().pop(timeout_seconds);
}

void Engine::complete_handler_call(std::uint64_t id, const std::optional<std::string>& output,
                                   const std::optional<std::string>& error,
                                   const std::optional<std::string>& cause) {
  engine::TaskOutcome o;
  if (output) {
    auto parsed = parse_json(*output);
    if (parsed.ok()) {
      o.success = true;
      o.output = std::move(parsed).value();
    } else {
      o.error = "States.Runtime";
      o.cause = "The task handler returned a result that is not valid JSON: " + parsed.status().message();
    }
  } else {
    o.error = error;
    o.cause = cause;
  }
  (void)core_->post_and_wait([&] { core_->complete_handler(id, std::move(o)); });
}

std::vector<std::uint32_t> Engine::take_resume_latencies_ns() {
  std::vector<std::uint32_t> out;
  (void)core_->post_and_wait([&] { out = core_->take_resume_latencies(); });
  return out;
}

Engine::Stats Engine::stats(bool scan) {
  Stats s;
  // One scheduler round first: Boost frees finished fibers' stacks only when
  // its dispatcher runs.
  (void)core_->post_and_wait_round([] {});
  (void)core_->post_and_wait([&] {
    s.executions = core_->executions.held();
    s.purged = core_->purged;
    s.running = core_->running;
    s.open_tokens = core_->tokens.open_count();
    s.live_fibers = core_->live_fibers();
    s.stacks_in_use = core_->arena().in_use();
    s.scanned = scan;
    if (scan) {
      core_->purge_stale_timers();  // report only timers something still waits on
      s.pending_timers = core_->timers.size();
      s.stack_resident_bytes = core_->arena().resident_bytes();
    }
    auto ended = [&](ExecutionStatus st) { return core_->ended[static_cast<std::size_t>(st)]; };
    s.succeeded = ended(ExecutionStatus::kSucceeded);
    s.failed = ended(ExecutionStatus::kFailed);
    s.timed_out = ended(ExecutionStatus::kTimedOut);
    s.aborted = ended(ExecutionStatus::kAborted);
    s.guard_pages = core_->arena().has_guard_pages();
  });
  return s;
}

}  // namespace stepfiber
