#include "engine/sfn_integration.h"

#include <string>
#include <utility>

#include "choice/timestamp.h"

namespace stepfiber::engine {
namespace {

using asl::Integration;

/// The SDK exception name of an API error, e.g. InvalidToken ->
/// "InvalidTokenException".
std::string exception_name(const Status& st) { return std::string(st.code_name()) + "Exception"; }

/// How the optimized integration reports an API error.
TaskOutcome optimized_error(const Status& st) {
  TaskOutcome o;
  o.error = "StepFunctions." + exception_name(st);
  o.cause = st.message() + " (Service: AWSStepFunctions; Status Code: 400; Error Code: " +
            std::string(st.code_name()) + "; Request ID: " + uuid4() + "; Proxy: null)";
  return o;
}

/// How an aws-sdk:sfn call reports an API error.
TaskOutcome sdk_error(const Status& st) {
  TaskOutcome o;
  o.error = "Sfn." + exception_name(st);
  o.cause = st.message() + " (Service: Sfn, Status Code: 400, Request ID: " + uuid4() + ") (SDK Attempt Count: 1)";
  return o;
}

/// The Java SDK's response metadata that optimized request-response
/// integrations include in their result.
void add_sdk_metadata(Json& result, const Execution& child) {
  const std::string request_id = uuid4();
  const std::string date = choice::format_timestamp_millis(child.start);
  // StartExecution's JSON 1.0 body: executionArn and startDate (epoch seconds).
  const std::string body_length = std::to_string(std::string(R"({"executionArn":"","startDate":1.718034567123E9})").size() +
                                                 child.arn.size());
  result["SdkHttpMetadata"] = {
      {"AllHttpHeaders",
       {{"x-amzn-RequestId", {request_id}},
        {"connection", {"keep-alive"}},
        {"Content-Length", {body_length}},
        {"Date", {date}},
        {"Content-Type", {"application/x-amz-json-1.0"}}}},
      {"HttpHeaders",
       {{"connection", "keep-alive"},
        {"Content-Length", body_length},
        {"Content-Type", "application/x-amz-json-1.0"},
        {"Date", date},
        {"x-amzn-RequestId", request_id}}},
      {"HttpStatusCode", 200}};
  result["SdkResponseMetadata"] = {{"RequestId", request_id}};
}

TaskOutcome success(Json output) {
  TaskOutcome o;
  o.success = true;
  o.output = std::move(output);
  return o;
}

/// The execution input a StartExecution call carries: a JSON value, JSON
/// text, or nothing ("{}").
std::string input_text(const Json& params) {
  if (!params.contains("Input") || params["Input"].is_null()) return "{}";
  const Json& in = params["Input"];
  return in.is_string() ? in.get<std::string>() : dump_json(in);
}

std::optional<std::string> optional_string(const Json& params, const char* key) {
  if (!params.contains(key) || !params[key].is_string()) return std::nullopt;
  return params[key].get<std::string>();
}

/// DescribeExecution as the .sync integrations return it (keys sorted, as
/// AWS prints them). v2 (.sync:2) carries Input/Output as JSON.
nlohmann::json describe_for_parent(const Execution& child, bool v2) {
  nlohmann::json d;
  d["ExecutionArn"] = child.arn;
  d["Name"] = std::string(child.name());
  d["StateMachineArn"] = child.machine->arn;
  d["Status"] = status_name(child.status);
  d["StartDate"] = child.start;
  d["StopDate"] = child.stop;
  d["InputDetails"] = {{"Included", true}};
  auto parsed_or_text = [&](const std::string& text) -> nlohmann::json {
    if (!v2) return text;
    auto p = parse_json(text);
    return p.ok() ? nlohmann::json::parse(dump_json(*p)) : nlohmann::json(text);
  };
  d["Input"] = parsed_or_text(child.input);
  if (child.status == ExecutionStatus::kSucceeded) {
    d["Output"] = parsed_or_text(child.output());
    d["OutputDetails"] = {{"Included", true}};
  }
  if (child.error()) d["Error"] = *child.error();
  if (child.cause()) d["Cause"] = *child.cause();
  // Redrive fields: in every success output recorded since the redrive
  // launch (Nov 2023); failure causes were recorded only before it.
  if (child.status == ExecutionStatus::kSucceeded) {
    d["RedriveCount"] = 0;
    d["RedriveStatus"] = "NOT_REDRIVABLE";
    d["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven";
  }
  return d;
}

}  // namespace

bool run_sfn_integration(Core& core, Execution& ex, std::uint32_t strand, const asl::TaskSpec& t,
                         const Json& params) {
  if (t.integration == Integration::kNone) return false;
  TaskInFlight& task = *ex.strands[strand]->task;
  task.handler_call = kEngineCall;
  const bool sdk = t.integration != Integration::kStartExecution;
  switch (t.integration) {
    case Integration::kStartExecution:
    case Integration::kSdkStartExecution: {
      auto arn = optional_string(params, "StateMachineArn");
      if (!arn) {
        Status st(ErrorCode::kValidationException, "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null");
        task.handler_outcome = sdk ? sdk_error(st) : optimized_error(st);
        return true;
      }
      auto child = core.create_execution(*arn, optional_string(params, "Name"), input_text(params), false);
      if (!child.ok()) {
        task.handler_outcome = sdk ? sdk_error(child.status()) : optimized_error(child.status());
        return true;
      }
      Execution& c = **child;
      Json started = {{"ExecutionArn", c.arn},
                      {"StartDate", sdk ? Json(choice::format_timestamp_millis(c.start)) : Json(c.start)}};
      if (!sdk && !t.sync && !t.wait_for_task_token) add_sdk_metadata(started, c);
      if (t.sync) c.extra().parents.push_back(ParentLink{ex.index, strand, task.epoch, t.sync_v2});
      task.handler_outcome = success(std::move(started));
      return true;
    }
    case Integration::kSdkSendTaskSuccess:
    case Integration::kSdkSendTaskFailure:
    case Integration::kSdkSendTaskHeartbeat: {
      const std::string token = optional_string(params, "TaskToken").value_or("");
      Status st;
      if (t.integration == Integration::kSdkSendTaskHeartbeat) {
        auto found = core.tokens.find(token);
        if (found.status == runtime::TokenRegistry::Lookup::kInvalid) st = invalid_token();
        else if (found.status == runtime::TokenRegistry::Lookup::kClosed) st = task_timed_out();
        else if (Execution* owner = core.execution_at(found.execution);
                 owner != nullptr && found.strand < owner->strands.size()) {
          Strand& s = *owner->strands[found.strand];
          if (s.task && s.task->heartbeat_seconds) s.task->heartbeat_deadline = core.now() + s.task->heartbeat_seconds * 1000;
        }
      } else {
        TaskOutcome outcome;
        if (t.integration == Integration::kSdkSendTaskSuccess) {
          const std::string text = optional_string(params, "Output").value_or("null");
          auto parsed = parse_json(text, ErrorCode::kInvalidOutput);
          // AWS checks the token before the output (recorded: a bad token
          // with non-JSON output answers InvalidToken).
          auto found = core.tokens.find(token);
          if (found.status == runtime::TokenRegistry::Lookup::kInvalid) {
            st = invalid_token();
          } else if (found.status == runtime::TokenRegistry::Lookup::kClosed) {
            st = task_timed_out();
          } else if (!parsed.ok()) {
            st = Status(ErrorCode::kInvalidOutput, "Invalid Output: '" + parsed.status().message() + "'");
          } else {
            outcome = success(std::move(parsed).value());
          }
        } else {
          outcome.error = optional_string(params, "Error");
          outcome.cause = optional_string(params, "Cause");
        }
        if (st.ok()) st = core.deliver_token(token, std::move(outcome));
      }
      task.handler_outcome = st.ok() ? success(Json::object()) : sdk_error(st);
      return true;
    }
    case Integration::kNone: break;
  }
  return false;
}

void notify_parents(Core& core, Execution& child) {
  if (child.extra_if() == nullptr) return;
  for (const ParentLink& link : child.extra_if()->parents) {
    Execution* found = core.execution_at(link.execution);
    if (found == nullptr) continue;
    Execution& parent = *found;
    if (parent.abandoned || link.strand >= parent.strands.size()) continue;
    Strand& s = *parent.strands[link.strand];
    if (!s.task || s.task->epoch != link.epoch || s.task->token_outcome) continue;
    TaskOutcome o;
    const nlohmann::json described = describe_for_parent(child, link.v2);
    if (child.status == ExecutionStatus::kSucceeded) {
      o.success = true;
      o.output = *parse_json(described.dump());
    } else {
      o.error = "States.TaskFailed";
      o.cause = described.dump();
    }
    s.task->token_outcome = std::move(o);
    s.waiter.wake(link.epoch);
  }
  child.extra_if()->parents.clear();
}

}  // namespace stepfiber::engine
