#include "engine/arn.h"

#include <string>

#include "json/jackson_errors.h"

namespace stepfiber::engine {

Status validate_name(std::string_view name) {
  static constexpr std::string_view kForbidden = "<>{}[]?*\"#%\\^|~`$&,;:/";
  bool ok = !name.empty() && name.size() <= 80;
  for (unsigned char c : name) {
    if (!ok) break;
    if (c <= 0x20 || c == 0x7f || kForbidden.find(static_cast<char>(c)) != std::string_view::npos) ok = false;
  }
  if (!ok) return Status(ErrorCode::kInvalidName, "Invalid Name: '" + std::string(name) + "'");
  return {};
}

std::string state_machine_arn(const std::string& region, const std::string& account, const std::string& name) {
  return "arn:aws:states:" + region + ":" + account + ":stateMachine:" + name;
}

std::string activity_arn(const std::string& region, const std::string& account, const std::string& name) {
  return "arn:aws:states:" + region + ":" + account + ":activity:" + name;
}

std::string execution_arn(const std::string& sm_arn, const std::string& name) {
  // arn:aws:states:<r>:<a>:stateMachine:<sm> -> ...:execution:<sm>:<name>
  std::string prefix = sm_arn;
  const std::string marker = ":stateMachine:";
  auto pos = prefix.find(marker);
  return prefix.substr(0, pos) + ":execution:" + prefix.substr(pos + marker.size()) + ":" + name;
}

Status validate_arn(std::string_view arn, std::string_view resource_type) {
  const std::string text(arn);
  if (arn.rfind("arn:", 0) != 0) {
    return Status(ErrorCode::kInvalidArn, "Invalid Arn: 'Invalid ARN prefix: " + text + "'");
  }
  // arn:partition:states:region:account:resourceType:name[:name]
  std::size_t fields = 0, start = 0;
  std::string parts[8];
  for (std::size_t i = 0; i <= arn.size() && fields < 8; ++i) {
    if (i == arn.size() || (arn[i] == ':' && fields < 7)) {
      parts[fields++] = std::string(arn.substr(start, i - start));
      start = i + 1;
    }
  }
  if (fields < 7 || parts[2] != "states") {
    return Status(ErrorCode::kInvalidArn, "Invalid Arn: 'Resource type not valid in this context: " + text + "'");
  }
  // EXPRESS executions have ":express:" ARNs; stepfiber keeps them
  // describable (AWS logs them to CloudWatch instead).
  const bool express_execution = resource_type == "execution" && parts[5] == "express";
  if (parts[5] != resource_type && !express_execution) {
    return Status(ErrorCode::kInvalidArn,
                  "Invalid Arn: 'Resource type not valid in this context: " + parts[5] + "'");
  }
  return {};
}

Status invalid_execution_input(std::string_view text, const Status& parse) {
  std::string why;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    why = "Invalid execution input.";
  } else if (auto jackson = json::jackson_syntax_error(text)) {
    why = std::move(*jackson);
  } else {
    why = parse.message();
  }
  return Status(ErrorCode::kInvalidExecutionInput, "Invalid State Machine Execution Input: '" + why + "'");
}

}  // namespace stepfiber::engine
