// Task-token operations: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.
#include "api/handlers.h"
#include "api/wire.h"
#include "stepfiber/engine.h"

namespace stepfiber::api::handlers {

Result<Json> send_task_success(Context& c, const Json& r) {
  STEPFIBER_TRY(c.engine.send_task_success(str(r, "taskToken"), str(r, "output")));
  return Json::object();
}

Result<Json> send_task_failure(Context& c, const Json& r) {
  STEPFIBER_TRY(c.engine.send_task_failure(str(r, "taskToken"), opt_string(r, "error"), opt_string(r, "cause")));
  return Json::object();
}

Result<Json> send_task_heartbeat(Context& c, const Json& r) {
  STEPFIBER_TRY(c.engine.send_task_heartbeat(str(r, "taskToken")));
  return Json::object();
}

}  // namespace stepfiber::api::handlers
