// Map Runs of Distributed Map states: DescribeMapRun, ListMapRuns,
// UpdateMapRun, and ListExecutions(mapRunArn)'s items. The records are
// kept by the engine (engine/frame_branches.cpp: one per Map attempt).
#include "api/handlers.h"
#include "api/map_runs.h"
#include "api/pager.h"
#include "api/wire.h"
#include "engine/arn.h"
#include "engine/core.h"

namespace stepfiber::api {
namespace {

Json counts_json(const engine::MapRunCounts& c) {
  return Json{{"pending", c.pending},     {"running", c.running}, {"succeeded", c.succeeded},
              {"failed", c.failed},       {"timedOut", c.timed_out}, {"aborted", c.aborted},
              {"total", c.total},         {"resultsWritten", c.results_written}};
}

}  // namespace

Result<engine::MapRunRecord*> find_map_run(engine::Core& core, const std::string& arn) {
  if (arn.rfind("arn:", 0) != 0) {
    return Status(ErrorCode::kInvalidArn, "Invalid Arn: 'Invalid ARN prefix: " + arn + "'");
  }
  auto it = core.map_runs.find(arn);
  if (it == core.map_runs.end()) return Status(ErrorCode::kResourceNotFound, "Resource not found: '" + arn + "'");
  return &it->second;
}

std::vector<Json> map_run_executions(const engine::MapRunRecord& run) {
  // The children's ARNs: the execution ARN form of the run's machine ARN
  // (`...:execution:<sm>/<label>:<name>`; EXPRESS `...:express:...:<name>:<name>`).
  std::string prefix = run.machine_arn;
  const std::string marker = ":stateMachine:";
  prefix.replace(prefix.find(marker), marker.size(), run.express_children ? ":express:" : ":execution:");
  std::vector<Json> out;
  for (auto it = run.children.rbegin(); it != run.children.rend(); ++it) {  // newest first
    const engine::MapRunChild& child = *it;
    if (child.start == 0) continue;  // never started
    Json o = Json::object();
    std::string arn = prefix + ":" + child.name;
    if (run.express_children) arn += ":" + child.name;
    o["executionArn"] = std::move(arn);
    o["stateMachineArn"] = run.machine_arn;
    o["name"] = child.name;
    o["status"] = child.status;
    o["startDate"] = timestamp(child.start);
    if (child.stop != 0) o["stopDate"] = timestamp(child.stop);
    o["mapRunArn"] = run.arn;
    o["redriveCount"] = 0;
    out.push_back(std::move(o));
  }
  return out;
}

namespace handlers {

Result<Json> describe_map_run(Context& c, const Json& r) {
  auto run = find_map_run(c.core, str(r, "mapRunArn"));
  if (!run.ok()) return run.status();
  const engine::MapRunRecord& m = **run;
  Json o = Json::object();
  o["mapRunArn"] = m.arn;
  o["executionArn"] = m.execution_arn;
  o["status"] = m.status;
  o["startDate"] = timestamp(m.start);
  if (m.stop != 0) o["stopDate"] = timestamp(m.stop);
  o["maxConcurrency"] = m.max_concurrency;
  o["toleratedFailurePercentage"] = m.tolerated_failure_percentage;
  o["toleratedFailureCount"] = m.tolerated_failure_count;
  o["itemCounts"] = counts_json(m.counts);
  o["executionCounts"] = counts_json(m.counts);
  return o;
}

Result<Json> list_map_runs(Context& c, const Json& r) {
  const std::string arn = str(r, "executionArn");
  STEPFIBER_TRY(engine::validate_arn(arn, "execution"));
  const engine::Execution* ex = c.core.executions.find(arn);
  if (ex == nullptr) return Status(ErrorCode::kExecutionDoesNotExist, "Execution Does Not Exist: '" + arn + "'");
  std::vector<const engine::MapRunRecord*> all;
  if (auto it = c.core.map_runs_of.find(ex->index); it != c.core.map_runs_of.end()) {
    for (const std::string& run : it->second) {
      if (auto m = c.core.map_runs.find(run); m != c.core.map_runs.end()) all.push_back(&m->second);
    }
  }
  auto page = paginate(
      r, "ListMapRuns", arn, all.size(), [&](std::size_t i) { return Json(all[i]->arn); },
      [&](const Json& cursor) -> std::optional<std::size_t> {
        if (!cursor.is_string()) return std::nullopt;
        for (std::size_t i = 0; i < all.size(); ++i) {
          if (all[i]->arn == cursor.get_ref<const std::string&>()) return i + 1;
        }
        return std::nullopt;
      });
  if (!page.ok()) return page.status();
  Json items = Json::array();
  for (std::size_t i = page->begin; i < page->end; ++i) {
    const engine::MapRunRecord& m = *all[i];
    Json o = Json::object();
    o["executionArn"] = m.execution_arn;
    o["mapRunArn"] = m.arn;
    o["stateMachineArn"] = m.machine_arn;
    o["startDate"] = timestamp(m.start);
    if (m.stop != 0) o["stopDate"] = timestamp(m.stop);
    items.push_back(std::move(o));
  }
  Json o = Json::object();
  o["mapRuns"] = std::move(items);
  if (page->next) o["nextToken"] = *page->next;
  return o;
}

Result<Json> update_map_run(Context& c, const Json& r) {
  auto max_concurrency = opt_int(r, "maxConcurrency");
  auto count = opt_int(r, "toleratedFailureCount");
  std::optional<double> percentage;
  if (auto it = r.find("toleratedFailurePercentage"); it != r.end() && it->is_number()) percentage = it->get<double>();
  if (!max_concurrency && !count && !percentage) {
    return Status(ErrorCode::kValidationException,
                  "At least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be "
                  "specified");
  }
  auto run = find_map_run(c.core, str(r, "mapRunArn"));
  if (!run.ok()) return run.status();
  engine::MapRunRecord& m = **run;
  if (max_concurrency) m.max_concurrency = *max_concurrency;
  if (count) m.tolerated_failure_count = *count;
  if (percentage) m.tolerated_failure_percentage = *percentage;
  return Json::object();
}

}  // namespace handlers
}  // namespace stepfiber::api
