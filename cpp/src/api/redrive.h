// Redrive eligibility, shared by RedriveExecution and DescribeExecution's
// redriveStatus. Engine thread only.
#pragma once

#include <optional>
#include <string>

#include "engine/core.h"

namespace stepfiber::api {

/// Why a STANDARD execution cannot be redriven now (AWS's
/// redriveStatusReason), or nullopt when it can.
std::optional<std::string> not_redrivable_reason(const engine::Core& core, const engine::Execution& ex);

}  // namespace stepfiber::api
