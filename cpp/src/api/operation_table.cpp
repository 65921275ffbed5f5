// The operation table: each model operation and extension, its handler and
// the input members it reads or deliberately ignores. The model-coverage
// test (tests/python/test_api_model.py) fails when botocore's model has an
// operation or input member that is neither.
#include "api/handlers.h"

namespace stepfiber::api {
namespace {

using namespace handlers;

constexpr std::string_view kNoTrace = "X-Ray trace headers are validated and dropped";

std::vector<OperationSpec> build() {
  std::vector<OperationSpec> t;
  auto sync = [&](std::string_view name, SyncHandler h, std::vector<std::string_view> reads,
                  std::vector<std::pair<std::string_view, std::string_view>> ignored = {}) {
    t.push_back(OperationSpec{name, h, nullptr, std::move(reads), std::move(ignored), false});
  };
  auto async = [&](std::string_view name, AsyncHandler h, std::vector<std::string_view> reads,
                   std::vector<std::pair<std::string_view, std::string_view>> ignored = {}) {
    t.push_back(OperationSpec{name, nullptr, h, std::move(reads), std::move(ignored), false});
  };
  // State machines.
  sync("CreateStateMachine", create_state_machine,
       // The configurations are kept and echoed by Describe; nothing is logged, traced or encrypted locally.
       {"name", "definition", "roleArn", "type", "tags", "publish", "versionDescription", "loggingConfiguration",
        "tracingConfiguration", "encryptionConfiguration"});
  sync("DescribeStateMachine", describe_state_machine, {"stateMachineArn"},
       {{"includedData", "definitions are never redacted locally"}});
  sync("UpdateStateMachine", update_state_machine,
       {"stateMachineArn", "definition", "roleArn", "loggingConfiguration", "tracingConfiguration", "publish",
        "versionDescription", "encryptionConfiguration"});
  sync("DeleteStateMachine", delete_state_machine, {"stateMachineArn"});
  sync("ListStateMachines", list_state_machines, {"maxResults", "nextToken"});
  sync("ValidateStateMachineDefinition", validate_state_machine_definition,
       {"definition", "type", "severity", "maxResults"});
  sync("DescribeStateMachineForExecution", describe_state_machine_for_execution, {"executionArn"},
       {{"includedData", "definitions are never redacted locally"}});
  // Versions and aliases.
  sync("PublishStateMachineVersion", publish_state_machine_version, {"stateMachineArn", "revisionId", "description"});
  sync("ListStateMachineVersions", list_state_machine_versions, {"stateMachineArn", "nextToken", "maxResults"});
  sync("DeleteStateMachineVersion", delete_state_machine_version, {"stateMachineVersionArn"});
  sync("CreateStateMachineAlias", create_state_machine_alias, {"description", "name", "routingConfiguration"});
  sync("DescribeStateMachineAlias", describe_state_machine_alias, {"stateMachineAliasArn"});
  sync("UpdateStateMachineAlias", update_state_machine_alias, {"stateMachineAliasArn", "description", "routingConfiguration"});
  sync("DeleteStateMachineAlias", delete_state_machine_alias, {"stateMachineAliasArn"});
  sync("ListStateMachineAliases", list_state_machine_aliases, {"stateMachineArn", "nextToken", "maxResults"});
  // Executions.
  sync("StartExecution", start_execution_with_mocks, {"stateMachineArn", "name", "input"}, {{"traceHeader", kNoTrace}});
  async("StartSyncExecution", start_sync_execution_with_mocks, {"stateMachineArn", "name", "input"},
        {{"traceHeader", kNoTrace}, {"includedData", "outputs are never redacted locally"}});
  sync("StopExecution", stop_execution, {"executionArn", "error", "cause"});
  sync("DescribeExecution", describe_execution, {"executionArn"},
       {{"includedData", "outputs are never redacted locally"}});
  sync("ListExecutions", list_executions,
       {"stateMachineArn", "statusFilter", "maxResults", "nextToken", "mapRunArn", "redriveFilter"});
  sync("GetExecutionHistory", get_execution_history,
       {"executionArn", "maxResults", "reverseOrder", "nextToken", "includeExecutionData"});
  async("RedriveExecution", redrive_execution, {"executionArn", "clientToken"});
  // Activities.
  sync("CreateActivity", create_activity_with_tags, {"name", "tags", "encryptionConfiguration"});
  sync("DescribeActivity", describe_activity, {"activityArn"});
  sync("DeleteActivity", delete_activity_and_tags, {"activityArn"});
  sync("ListActivities", list_activities, {"maxResults", "nextToken"});
  async("GetActivityTask", get_activity_task, {"activityArn", "workerName"});
  // Task tokens.
  sync("SendTaskSuccess", send_task_success, {"taskToken", "output"});
  sync("SendTaskFailure", send_task_failure, {"taskToken", "error", "cause"});
  sync("SendTaskHeartbeat", send_task_heartbeat, {"taskToken"});
  // Map runs.
  sync("DescribeMapRun", describe_map_run, {"mapRunArn"});
  sync("ListMapRuns", list_map_runs, {"executionArn", "maxResults", "nextToken"});
  sync("UpdateMapRun", update_map_run, {"mapRunArn", "maxConcurrency", "toleratedFailurePercentage", "toleratedFailureCount"});
  // Tags.
  sync("TagResource", tag_resource, {"resourceArn", "tags"});
  sync("UntagResource", untag_resource, {"resourceArn", "tagKeys"});
  sync("ListTagsForResource", list_tags_for_resource, {"resourceArn"});
  // Testing.
  sync("TestState", test_state,
       {"definition", "roleArn", "input", "inspectionLevel", "revealSecrets", "variables", "stateName", "mock",
        "context", "stateConfiguration"});
  // Extensions (X-Amz-Target: StepFiber.<Name>).
  t.push_back(OperationSpec{"AdvanceClock", nullptr, advance_clock, {"seconds"}, {}, true});
  t.push_back(OperationSpec{"ListPendingTasks", list_pending_tasks, nullptr, {"executionArn"}, {}, true});
  t.push_back(OperationSpec{"DescribeStateMachineCensus", describe_state_machine_census, nullptr,
                            {"stateMachineArn"}, {}, true});
  t.push_back(OperationSpec{"LoadMockConfig", load_mock_config, nullptr, {"config", "source"}, {}, true});
  return t;
}

}  // namespace

const std::vector<OperationSpec>& operation_table() {
  static const std::vector<OperationSpec> table = build();
  return table;
}

const OperationSpec* find_operation(std::string_view name, bool extension) {
  for (const auto& op : operation_table()) {
    if (op.name == name && op.extension == extension) return &op;
  }
  return nullptr;
}

}  // namespace stepfiber::api
