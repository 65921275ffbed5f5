// Execution operations: Start, StartSync (asynchronous), Describe, List,
// Stop and GetExecutionHistory.
#include <memory>

#include "api/deadlines.h"
#include "api/handlers.h"
#include "api/map_runs.h"
#include "api/pager.h"
#include "api/redrive.h"
#include "api/versioning.h"
#include "api/wire.h"
#include "engine/arn.h"
#include "engine/core.h"
#include "stepfiber/engine.h"

namespace stepfiber::api::handlers {
namespace {

/// DescribeExecution's members common to StartSyncExecution's answer.
Json execution_body(const ExecutionInfo& i) {
  Json o = Json::object();
  o["executionArn"] = i.execution_arn;
  o["stateMachineArn"] = i.state_machine_arn;
  o["name"] = i.name;
  o["status"] = i.status;
  o["startDate"] = timestamp(i.start_date_ms);
  if (i.stop_date_ms) o["stopDate"] = timestamp(*i.stop_date_ms);
  o["input"] = i.input;
  o["inputDetails"] = Json{{"included", true}};
  if (i.output) {
    o["output"] = *i.output;
    o["outputDetails"] = Json{{"included", true}};
  }
  if (i.error) o["error"] = *i.error;
  if (i.cause) o["cause"] = *i.cause;
  return o;
}

/// How often a StartSyncExecution under a manual clock moves the clock to
/// the execution's next timer (nobody else can while the caller waits).
constexpr double kManualClockStepSeconds = 0.05;

struct SyncRun {
  std::string arn;
  Done done;
  bool answered = false;
};

void answer_sync(Context& c, const std::shared_ptr<SyncRun>& run) {
  if (run->answered) return;
  run->answered = true;
  auto info = c.engine.describe_execution(run->arn);
  c.engine.release_sync_result(run->arn);
  if (!info.ok()) {
    run->done(info.status());
    return;
  }
  Json o = execution_body(*info);
  const std::int64_t ms = info->stop_date_ms.value_or(info->start_date_ms) - info->start_date_ms;
  o["billingDetails"] = Json{{"billedMemoryUsedInMB", 64}, {"billedDurationInMilliseconds", std::max<std::int64_t>(100, ms)}};
  run->done(std::move(o));
}

/// Manual clock: while the run waits, jump to the next timer now and then.
void step_manual_clock(Context c, std::shared_ptr<SyncRun> run) {
  c.deadlines->after(kManualClockStepSeconds, [c, run]() mutable {
    (void)c.core.post([c, run]() mutable {
      if (run->answered) return;
      const engine::Execution* ex = c.core.executions.find(run->arn);
      if (ex == nullptr || ex->status != engine::ExecutionStatus::kRunning) return;
      if (!c.core.advancing() && !c.core.timers.empty()) c.core.begin_advance(c.core.timers.next_deadline(), [] {});
      step_manual_clock(c, run);
    });
  });
}

/// The version and alias an execution runs, as DescribeExecution and
/// ListExecutions name them.
void add_qualifiers(const engine::Execution& ex, Json& o) {
  if (!ex.machine->version_arn.empty()) o["stateMachineVersionArn"] = ex.machine->version_arn;
  if (const auto* x = ex.extra_if(); x && !x->alias_arn.empty()) o["stateMachineAliasArn"] = x->alias_arn;
}

constexpr std::size_t kMaxInput = 262144;

/// StartExecution / StartSyncExecution on a version or alias ARN: the
/// checks Engine::start makes, then the execution of the resolved record.
Result<StartExecutionResult> start_qualified(Context& c, const Json& r, bool sync) {
  const std::string arn = str(r, "stateMachineArn");
  STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
  const auto name = opt_string(r, "name");
  if (name) STEPFIBER_TRY(engine::validate_name(*name));
  const std::string input = opt_string(r, "input").value_or("{}");
  if (input.size() > kMaxInput) {
    return Status(ErrorCode::kValidationException,
                  "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have "
                  "length less than or equal to " + std::to_string(kMaxInput));
  }
  auto parsed = parse_json(input, ErrorCode::kInvalidExecutionInput);
  if (!parsed.ok()) return engine::invalid_execution_input(input, parsed.status());
  std::string alias_arn;
  auto machine = resolve_for_start(c.core, arn, alias_arn);
  if (!machine.ok()) return machine.status();
  auto ex = c.core.create_execution_of(*machine, alias_arn, name, input, sync);
  if (!ex.ok()) return ex.status();
  return StartExecutionResult{(*ex)->arn, (*ex)->start};
}

bool qualified(const Json& r) {
  auto split = split_machine_arn(str(r, "stateMachineArn"));
  return split && !split->qualifier.empty();
}

}  // namespace

Result<Json> start_execution(Context& c, const Json& r) {
  auto s = qualified(r) ? start_qualified(c, r, false)
                        : c.engine.start_execution(str(r, "stateMachineArn"), opt_string(r, "name"),
                                                   opt_string(r, "input"));
  if (!s.ok()) return s.status();
  Json o = Json::object();
  o["executionArn"] = s->execution_arn;
  o["startDate"] = timestamp(s->start_date_ms);
  return o;
}

void start_sync_execution(Context& c, const Json& r, Done done) {
  auto s = qualified(r) ? start_qualified(c, r, true)
                        : c.engine.begin_sync_execution(str(r, "stateMachineArn"), opt_string(r, "name"),
                                                        opt_string(r, "input"));
  if (!s.ok()) {
    done(s.status());
    return;
  }
  auto run = std::make_shared<SyncRun>();
  run->arn = s->execution_arn;
  run->done = std::move(done);
  engine::Execution* ex = c.core.executions.find(run->arn);
  if (ex == nullptr || ex->status != engine::ExecutionStatus::kRunning) {
    // Ended already; answer once its fiber has run (after this round).
    c.core.after_round([c, run]() mutable { answer_sync(c, run); });
    return;
  }
  auto watcher = std::make_shared<engine::CompletionWatcher>();
  watcher->on_done = [c, run]() mutable {
    // finish() runs inside the execution's fiber; answer from the main context.
    c.core.after_round([c, run]() mutable { answer_sync(c, run); });
  };
  c.core.watch(*ex, std::move(watcher));
  if (c.core.manual_clock()) step_manual_clock(c, run);
}

Result<Json> describe_execution(Context& c, const Json& r) {
  auto info = c.engine.describe_execution(str(r, "executionArn"));
  if (!info.ok()) return info.status();
  Json o = execution_body(*info);
  if (const engine::Execution* ex = c.core.executions.find(info->execution_arn)) {
    add_qualifiers(*ex, o);
    if (!ex->express) {
      o["redriveCount"] = ex->redrive_count();
      if (ex->redrive_count() > 0) o["redriveDate"] = timestamp(ex->extra_if()->redrive_date);
      auto reason = not_redrivable_reason(c.core, *ex);
      o["redriveStatus"] = reason ? "NOT_REDRIVABLE" : "REDRIVABLE";
      if (reason) o["redriveStatusReason"] = *reason;
    }
  }
  return o;
}

Result<Json> list_executions(Context& c, const Json& r) {
  auto sm = opt_string(r, "stateMachineArn");
  auto map_run = opt_string(r, "mapRunArn");
  if (sm.has_value() == map_run.has_value()) {
    return Status(ErrorCode::kValidationException, "Must provide exactly one of stateMachineArn or mapRunArn");
  }
  auto status = opt_string(r, "statusFilter");
  const std::string redrive_filter = opt_string(r, "redriveFilter").value_or("");
  // Items: (ARN, JSON), newest first.
  std::vector<Json> items_all;
  if (map_run) {
    auto run = find_map_run(c.core, *map_run);
    if (!run.ok()) return run.status();
    for (Json& o : map_run_executions(**run)) {
      if (status && o["status"] != *status) continue;
      if (redrive_filter == "REDRIVEN") continue;  // Map Run children are never redriven here
      items_all.push_back(std::move(o));
    }
  } else {
    auto split = split_machine_arn(*sm);
    const bool qualified_arn = split && !split->qualifier.empty();
    std::vector<ExecutionInfo> listed;
    if (qualified_arn) {
      // A version or alias ARN lists the executions started through it.
      STEPFIBER_TRY(engine::validate_arn(*sm, "stateMachine"));
      if (!c.core.machines.count(split->base) ||
          (split->is_version() ? find_version(c.core, *split) == nullptr : find_alias(c.core, *split) == nullptr)) {
        return machine_does_not_exist(*sm);
      }
      auto base = c.engine.list_executions(split->base, status);
      if (!base.ok()) return base.status();
      listed = std::move(*base);
    } else {
      auto list = c.engine.list_executions(*sm, status);
      if (!list.ok()) return list.status();
      listed = std::move(*list);
    }
    for (const auto& e : listed) {
      const engine::Execution* ex = c.core.executions.find(e.execution_arn);
      if (ex == nullptr) continue;
      if (qualified_arn) {
        const auto* x = ex->extra_if();
        const bool match = split->is_version() ? ex->machine->version_arn == *sm : x && x->alias_arn == *sm;
        if (!match) continue;
      }
      const std::uint32_t redrives = ex->redrive_count();
      if (redrive_filter == "REDRIVEN" && redrives == 0) continue;
      if (redrive_filter == "NOT_REDRIVEN" && redrives > 0) continue;
      Json o = Json::object();
      o["executionArn"] = e.execution_arn;
      o["stateMachineArn"] = e.state_machine_arn;
      o["name"] = e.name;
      o["status"] = e.status;
      o["startDate"] = timestamp(e.start_date_ms);
      if (e.stop_date_ms) o["stopDate"] = timestamp(*e.stop_date_ms);
      add_qualifiers(*ex, o);
      if (!ex->express) {
        o["redriveCount"] = redrives;
        if (redrives > 0) o["redriveDate"] = timestamp(ex->extra_if()->redrive_date);
      }
      items_all.push_back(std::move(o));
    }
  }
  const std::string scope = (sm ? *sm : *map_run) + "|" + status.value_or("") + "|" + redrive_filter;
  auto page = paginate(
      r, "ListExecutions", scope, items_all.size(),
      [&](std::size_t i) { return items_all[i]["executionArn"]; },
      [&](const Json& cursor) -> std::optional<std::size_t> {
        if (!cursor.is_string()) return std::nullopt;
        for (std::size_t i = 0; i < items_all.size(); ++i) {
          if (items_all[i]["executionArn"] == cursor) return i + 1;
        }
        return std::nullopt;
      });
  if (!page.ok()) return page.status();
  Json items = Json::array();
  for (std::size_t i = page->begin; i < page->end; ++i) items.push_back(std::move(items_all[i]));
  Json o = Json::object();
  o["executions"] = std::move(items);
  if (page->next) o["nextToken"] = *page->next;
  return o;
}

Result<Json> stop_execution(Context& c, const Json& r) {
  auto stop = c.engine.stop_execution(str(r, "executionArn"), opt_string(r, "error"), opt_string(r, "cause"));
  if (!stop.ok()) return stop.status();
  Json o = Json::object();
  o["stopDate"] = timestamp(*stop);
  return o;
}

Result<Json> get_execution_history(Context& c, const Json& r) {
  const std::string arn = str(r, "executionArn");
  auto events = c.engine.get_execution_history(arn);
  if (!events.ok()) return events.status();
  std::vector<HistoryEventInfo>& all = *events;
  const bool reverse = opt_bool(r, "reverseOrder").value_or(false);
  if (reverse) std::reverse(all.begin(), all.end());
  const bool with_data = opt_bool(r, "includeExecutionData").value_or(true);
  auto page = paginate(
      r, "GetExecutionHistory", arn + (reverse ? "|reverse" : "|forward"), all.size(),
      [&](std::size_t i) { return Json(all[i].id); },
      [&](const Json& cursor) -> std::optional<std::size_t> {
        if (!cursor.is_number_integer()) return std::nullopt;
        const std::int64_t id = cursor.get<std::int64_t>();
        for (std::size_t i = 0; i < all.size(); ++i) {
          if (reverse ? all[i].id < id : all[i].id > id) return i;
        }
        return all.size();
      });
  if (!page.ok()) return page.status();
  Json items = Json::array();
  for (std::size_t i = page->begin; i < page->end; ++i) {
    const auto& e = all[i];
    Json o = Json::object();
    o["timestamp"] = timestamp(e.timestamp_ms);
    o["type"] = e.type;
    o["id"] = e.id;
    o["previousEventId"] = e.previous_event_id;
    if (!e.details_key.empty()) {
      auto details = e.details.empty() ? Result<Json>(Json::object()) : parse_json(e.details);
      Json d = details.ok() ? std::move(details).value() : Json::object();
      if (!with_data) {
        d.erase("input");
        d.erase("output");
      }
      o[e.details_key] = std::move(d);
    }
    items.push_back(std::move(o));
  }
  Json o = Json::object();
  o["events"] = std::move(items);
  if (page->next) o["nextToken"] = *page->next;
  return o;
}

}  // namespace stepfiber::api::handlers
