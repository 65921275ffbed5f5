// Declarations of every operation handler (one ops_*.cpp per resource
// kind); operation_table.cpp routes names to them.
#pragma once

#include "api/operations.h"

namespace stepfiber::api::handlers {

// State machines (ops_state_machines.cpp).
Result<Json> create_state_machine(Context&, const Json&);
Result<Json> describe_state_machine(Context&, const Json&);
Result<Json> update_state_machine(Context&, const Json&);
Result<Json> delete_state_machine(Context&, const Json&);
Result<Json> list_state_machines(Context&, const Json&);
Result<Json> validate_state_machine_definition(Context&, const Json&);
Result<Json> describe_state_machine_for_execution(Context&, const Json&);

// Executions (ops_executions.cpp).
Result<Json> start_execution(Context&, const Json&);
void start_sync_execution(Context&, const Json&, Done);
Result<Json> describe_execution(Context&, const Json&);
Result<Json> list_executions(Context&, const Json&);
Result<Json> stop_execution(Context&, const Json&);
Result<Json> get_execution_history(Context&, const Json&);

// Activities (ops_activities.cpp).
Result<Json> create_activity(Context&, const Json&);
Result<Json> describe_activity(Context&, const Json&);
Result<Json> delete_activity(Context&, const Json&);
Result<Json> list_activities(Context&, const Json&);
void get_activity_task(Context&, const Json&, Done);

// Task tokens (ops_tasks.cpp).
Result<Json> send_task_success(Context&, const Json&);
Result<Json> send_task_failure(Context&, const Json&);
Result<Json> send_task_heartbeat(Context&, const Json&);

// Versions (ops_versions.cpp).
Result<Json> publish_state_machine_version(Context&, const Json&);
Result<Json> list_state_machine_versions(Context&, const Json&);
Result<Json> delete_state_machine_version(Context&, const Json&);

// Aliases (ops_aliases.cpp).
Result<Json> create_state_machine_alias(Context&, const Json&);
Result<Json> describe_state_machine_alias(Context&, const Json&);
Result<Json> update_state_machine_alias(Context&, const Json&);
Result<Json> delete_state_machine_alias(Context&, const Json&);
Result<Json> list_state_machine_aliases(Context&, const Json&);

// Redrive (ops_redrive.cpp).
void redrive_execution(Context&, const Json&, Done);

// Map runs (ops_map_runs.cpp).
Result<Json> describe_map_run(Context&, const Json&);
Result<Json> list_map_runs(Context&, const Json&);
Result<Json> update_map_run(Context&, const Json&);

// Tags (ops_tags.cpp), and CreateActivity/DeleteActivity with their tags.
Result<Json> tag_resource(Context&, const Json&);
Result<Json> untag_resource(Context&, const Json&);
Result<Json> list_tags_for_resource(Context&, const Json&);
Result<Json> create_activity_with_tags(Context&, const Json&);
Result<Json> delete_activity_and_tags(Context&, const Json&);

// Testing (ops_testing.cpp).
Result<Json> test_state(Context&, const Json&);

// MockConfigFile test cases (ops_mock_config.cpp): StartExecution and
// StartSyncExecution on `stateMachineArn#TestCase`, and StepFiber.LoadMockConfig.
Result<Json> start_execution_with_mocks(Context&, const Json&);
void start_sync_execution_with_mocks(Context&, const Json&, Done);
Result<Json> load_mock_config(Context&, const Json&);

// Extensions, StepFiber.* targets (ops_extensions.cpp).
void advance_clock(Context&, const Json&, Done);
Result<Json> list_pending_tasks(Context&, const Json&);

// Census extension, StepFiber.DescribeStateMachineCensus (ops_census.cpp).
Result<Json> describe_state_machine_census(Context&, const Json&);

}  // namespace stepfiber::api::handlers
