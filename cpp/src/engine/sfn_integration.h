// Step Functions' own service integrations, served by the engine:
// nested executions (states:startExecution and its .sync, .sync:2 and
// .waitForTaskToken forms) and aws-sdk:sfn startExecution /
// sendTaskSuccess / sendTaskFailure / sendTaskHeartbeat.
#pragma once

#include <cstdint>

#include "asl/program.h"
#include "engine/core.h"
#include "engine/execution.h"
#include "stepfiber/json.h"

namespace stepfiber::engine {

/// Main stack, from a task attempt: performs the integration call for the
/// strand's task in flight. Sets the task's handler outcome (the result, the
/// submission for .sync, or the failure); for .sync, the child's end later
/// delivers the task's final outcome (see notify_parents). Returns false
/// when `t` is not a Step Functions integration.
bool run_sfn_integration(Core& core, Execution& ex, std::uint32_t strand, const asl::TaskSpec& t,
                         const Json& params);

/// Called when `child` ends: completes the .sync tasks waiting on it.
void notify_parents(Core& core, Execution& child);

}  // namespace stepfiber::engine
