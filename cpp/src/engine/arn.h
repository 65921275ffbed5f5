// AWS names and ARNs for state machines and executions: building them and
// validating what callers pass in (names, ARNs, execution input), with AWS's
// error codes and messages.
#pragma once

#include <string>
#include <string_view>

#include "stepfiber/status.h"

namespace stepfiber::engine {

/// 1..80 characters, none of whitespace, control characters or
/// `< > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /`. Error: InvalidName.
Status validate_name(std::string_view name);

std::string state_machine_arn(const std::string& region, const std::string& account, const std::string& name);
std::string execution_arn(const std::string& state_machine_arn, const std::string& name);
std::string activity_arn(const std::string& region, const std::string& account, const std::string& name);

/// Checks `arn` is a Step Functions ARN of `resource_type` ("stateMachine"
/// or "execution"). Error: InvalidArn with AWS's message.
Status validate_arn(std::string_view arn, std::string_view resource_type);

/// InvalidExecutionInput for an execution input `text` that does not parse
/// (`parse` is the parser's failure): "Invalid State Machine Execution Input:
/// '<why>'", where <why> is Jackson's wording when known, "Invalid execution
/// input." for a blank text (both recorded), else the parser's message.
Status invalid_execution_input(std::string_view text, const Status& parse);

}  // namespace stepfiber::engine
