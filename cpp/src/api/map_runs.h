// Map Run lookups shared by the map-run handlers and ListExecutions.
// Engine thread only.
#pragma once

#include <string>
#include <vector>

#include "engine/core.h"
#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::api {

/// The Map Run `arn` names (InvalidArn / ResourceNotFound as AWS).
Result<engine::MapRunRecord*> find_map_run(engine::Core& core, const std::string& arn);
/// ListExecutions items for a run's started iterations (its child
/// executions), newest first.
std::vector<Json> map_run_executions(const engine::MapRunRecord& run);

}  // namespace stepfiber::api
