// The immutable compiled form of a state machine definition (house rule 4):
// built once by compile_program() at CreateStateMachine and shared by every
// execution through std::shared_ptr<const Program>.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "choice/choice_rule.h"
#include "path/json_path.h"
#include "payload/payload_template.h"
#include "intrinsics/value_expr.h"
#include "stepfiber/json.h"

namespace stepfiber::asl {

inline constexpr std::uint32_t kNoState = std::numeric_limits<std::uint32_t>::max();

enum class StateType { kPass, kTask, kChoice, kWait, kSucceed, kFail, kParallel, kMap };

/// "Task", "Pass", ... as in ASL and in history event names.
const char* state_type_name(StateType type) noexcept;

/// InputPath / OutputPath: absent (= `$`), explicit null, or a path.
struct SelectPath {
  enum class Kind { kDefault, kNull, kPath } kind = Kind::kDefault;
  path::JsonPath path;      ///< on the state's data (kPath, not context)
  bool context = false;     ///< the path reads `$$`
  std::optional<path::ValueExpr> variable;  ///< `$name...`: reads a workflow variable
};

/// ResultPath: absent (= `$`), null (discard the result), or a reference path.
struct ResultPathSpec {
  enum class Kind { kDefault, kNull, kPath } kind = Kind::kDefault;
  path::ReferencePath path;
};

struct Retrier {
  std::vector<std::string> error_equals;
  double interval_seconds = 1;
  std::int64_t max_attempts = 3;
  double backoff_rate = 2.0;
  std::optional<double> max_delay_seconds;
  bool jitter_full = false;
};

struct Catcher {
  std::vector<std::string> error_equals;
  ResultPathSpec result_path;
  std::optional<path::PayloadTemplate> assign;  ///< replaces the state's Assign
  std::uint32_t next = kNoState;
};

/// How a Task's Resource is reported in history (see resource_kind()).
enum class ResourceKind {
  kServiceIntegration,  ///< arn:aws:states:::<service>:<api>[.pattern]
  kLambdaFunction,      ///< arn:aws:lambda:<region>:<acct>:function:<name>
  kActivity,            ///< arn:aws:states:<region>:<acct>:activity:<name>
  kOther,               ///< any other ARN: reported as a Task
};

struct Scope;
struct JsonataState;  // asl/jsonata_fields.h

/// Retry/Catch, shared by Task, Parallel and Map.
struct ErrorHandling {
  std::vector<Retrier> retry;
  std::vector<Catcher> catch_;
};

/// Step Functions' own integrations, served by the engine itself.
enum class Integration {
  kNone,
  kStartExecution,        ///< arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]
  kSdkStartExecution,     ///< arn:aws:states:::aws-sdk:sfn:startExecution
  kSdkSendTaskSuccess,    ///< arn:aws:states:::aws-sdk:sfn:sendTaskSuccess
  kSdkSendTaskFailure,    ///< arn:aws:states:::aws-sdk:sfn:sendTaskFailure
  kSdkSendTaskHeartbeat,  ///< arn:aws:states:::aws-sdk:sfn:sendTaskHeartbeat
};

struct TaskSpec {
  std::string resource;           ///< the ARN as written
  Integration integration = Integration::kNone;
  bool sync = false;              ///< .sync or .sync:2: wait for the job to finish
  bool sync_v2 = false;           ///< .sync:2: JSON (not text) Input/Output
  ResourceKind kind = ResourceKind::kOther;
  std::string resource_type;      ///< history "resourceType", e.g. "sqs"
  std::string resource_name;      ///< history "resource", e.g. "sendMessage.waitForTaskToken"
  bool wait_for_task_token = false;
  std::optional<path::PayloadTemplate> parameters;
  std::optional<path::PayloadTemplate> result_selector;
  std::optional<std::int64_t> timeout_seconds;
  std::optional<path::ValueExpr> timeout_seconds_path;
  std::optional<std::int64_t> heartbeat_seconds;
  std::optional<path::ValueExpr> heartbeat_seconds_path;
  ErrorHandling errors;
};

struct PassSpec {
  std::optional<path::PayloadTemplate> parameters;
  std::optional<Json> result;
};

struct ChoiceBranch {
  choice::ChoiceRule rule;
  std::optional<path::PayloadTemplate> assign;  ///< replaces the state's Assign
  std::uint32_t next = kNoState;
};

struct ChoiceSpec {
  std::vector<ChoiceBranch> choices;
  std::uint32_t default_next = kNoState;
};

struct WaitSpec {
  std::optional<std::int64_t> seconds;
  std::optional<std::string> timestamp;
  std::optional<path::ValueExpr> seconds_path;
  std::optional<path::ValueExpr> timestamp_path;
};

struct SucceedSpec {};

struct FailSpec {
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::optional<path::ValueExpr> error_path;  ///< reference path, variable or intrinsic
  std::optional<path::ValueExpr> cause_path;
};

struct ParallelSpec {
  std::optional<path::PayloadTemplate> parameters;
  std::optional<path::PayloadTemplate> result_selector;
  std::vector<Scope> branches;
  ErrorHandling errors;
};

/// A number given literally or through a reference path (the *Path form).
/// Integer fields hold whole values; ToleratedFailurePercentage may not.
struct IntOrPath {
  std::optional<double> value;
  std::optional<path::ValueExpr> path;
  bool present() const { return value || path; }
};

struct MapSpec {
  std::optional<path::ValueExpr> items_path;           ///< default `$`
  std::optional<path::PayloadTemplate> item_selector;  ///< or legacy Parameters
  std::optional<path::PayloadTemplate> result_selector;
  std::vector<Scope> processor;                        ///< exactly one
  bool distributed = false;  ///< ProcessorConfig.Mode DISTRIBUTED: iterations are child executions
  bool express_children = false;  ///< ProcessorConfig.ExecutionType EXPRESS
  std::string label;              ///< Label (Distributed Map): part of the Map Run ARN
  IntOrPath max_concurrency;
  IntOrPath tolerated_failure_count;
  IntOrPath tolerated_failure_percentage;
  // ItemBatcher
  bool batched = false;
  IntOrPath max_items_per_batch;
  IntOrPath max_input_bytes_per_batch;
  std::optional<path::PayloadTemplate> batch_input;
  ErrorHandling errors;
};

struct State {
  std::string name;
  StateType type = StateType::kPass;
  std::uint32_t next = kNoState;  ///< kNoState with end == true
  bool end = false;
  SelectPath input_path;
  SelectPath output_path;
  ResultPathSpec result_path;
  std::optional<path::PayloadTemplate> assign;  ///< workflow variables to set
  /// QueryLanguage JSONata: the state's compiled expressions (null in JSONPath).
  std::shared_ptr<const JsonataState> jsonata;
  std::variant<PassSpec, TaskSpec, ChoiceSpec, WaitSpec, SucceedSpec, FailSpec, ParallelSpec, MapSpec> spec;
};

/// One `StartAt` + `States` block (the machine, a branch, a Map processor).
struct Scope {
  std::vector<State> states;
  std::uint32_t start = 0;
};

struct Program {
  Scope root;
  std::optional<std::int64_t> timeout_seconds;
};

}  // namespace stepfiber::asl
