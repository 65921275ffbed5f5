// Activity operations: Create/Describe/Delete/List, and GetActivityTask's
// long poll, which waits on the engine with no thread held.
#include <algorithm>
#include <memory>

#include "api/configurations.h"
#include "api/deadlines.h"
#include "api/handlers.h"
#include "api/pager.h"
#include "api/wire.h"
#include "engine/arn.h"
#include "engine/core.h"
#include "stepfiber/engine.h"

namespace stepfiber::api::handlers {
namespace {

/// GetActivityTask's long poll, as AWS: 60 seconds.
constexpr double kLongPollSeconds = 60.0;

Json activity_body(const ActivityInfo& i) {
  Json o = Json::object();
  o["activityArn"] = i.activity_arn;
  o["name"] = i.name;
  o["creationDate"] = timestamp(i.creation_date_ms);
  return o;
}

Json task_body(const std::optional<ActivityTask>& task) {
  Json o = Json::object();
  if (task) {
    o["taskToken"] = task->task_token;
    o["input"] = task->input;
  }
  return o;
}

}  // namespace

Result<Json> create_activity(Context& c, const Json& r) {
  const bool existed =
      c.core.activities.count(engine::activity_arn(c.core.options().region, c.core.options().account, str(r, "name"))) > 0;
  auto a = c.engine.create_activity(str(r, "name"));
  if (!a.ok()) return a.status();
  if (auto encryption = encryption_configuration(r); encryption && !existed) {
    if (auto it = c.core.activities.find(a->activity_arn); it != c.core.activities.end()) {
      it->second.encryption_configuration = dump_json(*encryption);
    }
  }
  Json o = Json::object();
  o["activityArn"] = a->activity_arn;
  o["creationDate"] = timestamp(a->creation_date_ms);
  return o;
}

Result<Json> describe_activity(Context& c, const Json& r) {
  auto a = c.engine.describe_activity(str(r, "activityArn"));
  if (!a.ok()) return a.status();
  Json o = activity_body(*a);
  auto it = c.core.activities.find(a->activity_arn);
  o["encryptionConfiguration"] = encryption_or_default(it != c.core.activities.end() ? it->second.encryption_configuration : "");
  return o;
}

Result<Json> delete_activity(Context& c, const Json& r) {
  STEPFIBER_TRY(c.engine.delete_activity(str(r, "activityArn")));
  return Json::object();
}

Result<Json> list_activities(Context& c, const Json& r) {
  std::vector<ActivityInfo> all = c.engine.list_activities();
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  auto page = paginate(
      r, "ListActivities", "", all.size(), [&](std::size_t i) { return Json(all[i].name); },
      [&](const Json& cursor) -> std::optional<std::size_t> {
        if (!cursor.is_string()) return std::nullopt;
        const std::string name = cursor.get<std::string>();
        auto it = std::upper_bound(all.begin(), all.end(), name,
                                   [](const std::string& n, const ActivityInfo& i) { return n < i.name; });
        return static_cast<std::size_t>(it - all.begin());
      });
  if (!page.ok()) return page.status();
  Json items = Json::array();
  for (std::size_t i = page->begin; i < page->end; ++i) items.push_back(activity_body(all[i]));
  Json o = Json::object();
  o["activities"] = std::move(items);
  if (page->next) o["nextToken"] = *page->next;
  return o;
}

void get_activity_task(Context& c, const Json& r, Done done) {
  const std::string arn = str(r, "activityArn");
  if (Status st = engine::validate_arn(arn, "activity"); !st.ok()) {
    done(st);
    return;
  }
  auto it = c.core.activities.find(arn);
  if (it == c.core.activities.end()) {
    done(Status(ErrorCode::kActivityDoesNotExist, "Activity Does Not Exist: '" + arn + "'"));
    return;
  }
  auto poller = std::make_shared<engine::ActivityPoller>();
  poller->worker_name = opt_string(r, "workerName").value_or("");
  if (c.core.hand_over_activity(it->second, *poller)) {
    poller->notified = true;
    // ActivityStarted is recorded; answer once this round has run.
    c.core.after_round([done = std::move(done), task = poller->task] { done(task_body(task)); });
    return;
  }
  engine::ActivityPoller* raw = poller.get();  // the callback must not own its poller (a cycle)
  poller->on_ready = [raw, done = std::move(done)] { done(task_body(raw->task)); };
  it->second.pollers.push_back(poller);
  // Extension: `pollSeconds` shortens the poll (tests); AWS's is 60 s.
  double seconds = kLongPollSeconds;
  if (auto p = r.find("pollSeconds"); p != r.end() && p->is_number()) seconds = std::clamp(p->get<double>(), 0.0, 60.0);
  engine::Core* core = &c.core;
  c.deadlines->after(seconds, [core, poller, arn] {
    (void)core->post([core, poller, arn] {
      if (poller->notified) return;
      if (auto a = core->activities.find(arn); a != core->activities.end()) std::erase(a->second.pollers, poller);
      poller->notify();  // no task: answers {}
    });
  });
}

}  // namespace stepfiber::api::handlers
