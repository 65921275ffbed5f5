// AWS names and ARNs for state machines and executions: building them and
// validating what callers pass in, with AWS's error codes and messages.
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

/// Checks `arn` is a Step Functions ARN of `resource_type` ("stateMachine"
/// or "execution"). Error: InvalidArn with AWS's message.
Status validate_arn(std::string_view arn, std::string_view resource_type);

}  // namespace stepfiber::engine
