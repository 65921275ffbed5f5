// StepFiber.* extension operations (not in botocore's model): the manual
// clock and the pending-task list, for SDK-only callers such as `curl`.
#include <cmath>

#include "api/handlers.h"
#include "api/wire.h"
#include "engine/core.h"
#include "stepfiber/engine.h"

namespace stepfiber::api::handlers {

void advance_clock(Context& c, const Json& r, Done done) {
  auto it = r.find("seconds");
  if (it == r.end() || !it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0) {
    done(Status(ErrorCode::kValidationException, "'seconds' must be a number of seconds >= 0"));
    return;
  }
  if (!c.core.manual_clock()) {
    done(Status(ErrorCode::kValidationException,
                "The engine clock is not manual: start the server with --clock manual"));
    return;
  }
  if (c.core.advancing()) {
    done(Status(ErrorCode::kValidationException, "Another AdvanceClock is in progress"));
    return;
  }
  const auto target = c.core.now() + static_cast<runtime::Millis>(std::llround(it->get<double>() * 1000.0));
  engine::Core* core = &c.core;
  c.core.begin_advance(target, [core, done = std::move(done)] {
    core->after_round([core, done] { done(Json{{"now", timestamp(core->now())}}); });
  });
}

Result<Json> list_pending_tasks(Context& c, const Json& r) {
  Json items = Json::array();
  for (const auto& t : c.engine.list_pending_tasks(opt_string(r, "executionArn"))) {
    Json o = Json::object();
    o["taskToken"] = t.task_token;
    o["executionArn"] = t.execution_arn;
    o["stateName"] = t.state_name;
    o["resource"] = t.resource;
    o["parameters"] = t.parameters;
    o["scheduledDate"] = timestamp(t.scheduled_date_ms);
    items.push_back(std::move(o));
  }
  return Json{{"tasks", std::move(items)}};
}

}  // namespace stepfiber::api::handlers
