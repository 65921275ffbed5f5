// State machine operations: Create/Describe/Update/Delete/List,
// ValidateStateMachineDefinition and DescribeStateMachineForExecution.
#include <algorithm>

#include "api/handlers.h"
#include "api/pager.h"
#include "api/versioning.h"
#include "api/wire.h"
#include "engine/arn.h"
#include "engine/core.h"
#include "stepfiber/engine.h"

namespace stepfiber::api::handlers {
namespace {

Json machine_list_item(const StateMachineInfo& i) {
  Json o = Json::object();
  o["stateMachineArn"] = i.state_machine_arn;
  o["name"] = i.name;
  o["type"] = i.type;
  o["creationDate"] = timestamp(i.creation_date_ms);
  return o;
}

}  // namespace

Result<Json> create_state_machine(Context& c, const Json& r) {
  const bool publish = opt_bool(r, "publish").value_or(false);
  const auto version_description = opt_string(r, "versionDescription");
  if (version_description && !publish) {
    return Status(ErrorCode::kValidationException, "Version description can only be set when publish is true");
  }
  const bool tagged = r.contains("tags") && r.at("tags").is_array() && !r.at("tags").empty();
  const std::string arn = engine::state_machine_arn(c.core.options().region, c.core.options().account, str(r, "name"));
  if (tagged) STEPFIBER_TRY(merge_tags(c.core, arn, r.at("tags"), true));
  const bool existed = c.core.machines.count(arn) > 0;
  auto info = c.engine.create_state_machine(str(r, "name"), str(r, "definition"), str(r, "roleArn"),
                                            opt_string(r, "type").value_or("STANDARD"));
  if (!info.ok()) return info.status();
  if (tagged && !existed) STEPFIBER_TRY(merge_tags(c.core, info->state_machine_arn, r.at("tags"), false));
  Json o = Json::object();
  o["stateMachineArn"] = info->state_machine_arn;
  o["creationDate"] = timestamp(info->creation_date_ms);
  if (publish) {
    auto v = publish_version(c.core, info->state_machine_arn, version_description, std::nullopt);
    if (!v.ok()) return v.status();
    o["stateMachineVersionArn"] = (*v)->machine->version_arn;
  }
  return o;
}

Result<Json> describe_state_machine(Context& c, const Json& r) {
  // A version ARN describes the version; an alias ARN is not a machine.
  if (auto split = split_machine_arn(str(r, "stateMachineArn")); split && !split->qualifier.empty()) {
    const std::string arn = str(r, "stateMachineArn");
    STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
    const engine::StateMachineVersion* v = find_version(c.core, *split);
    if (v == nullptr || !c.core.machines.count(split->base)) return machine_does_not_exist(arn);
    const engine::StateMachineRecord& m = *v->machine;
    Json o = Json::object();
    o["stateMachineArn"] = m.version_arn;
    o["name"] = m.name;
    o["status"] = "ACTIVE";
    o["definition"] = m.definition;
    o["roleArn"] = m.role_arn;
    o["type"] = m.type;
    o["creationDate"] = timestamp(v->created);
    if (!m.version_description.empty()) o["description"] = m.version_description;
    if (!m.revision_id.empty()) o["revisionId"] = m.revision_id;
    return o;
  }
  auto info = c.engine.describe_state_machine(str(r, "stateMachineArn"));
  if (!info.ok()) return info.status();
  Json o = Json::object();
  o["stateMachineArn"] = info->state_machine_arn;
  o["name"] = info->name;
  o["status"] = info->status;
  o["definition"] = info->definition;
  o["roleArn"] = info->role_arn;
  o["type"] = info->type;
  o["creationDate"] = timestamp(info->creation_date_ms);
  if (!info->revision_id.empty()) o["revisionId"] = info->revision_id;
  return o;
}

Result<Json> update_state_machine(Context& c, const Json& r) {
  auto definition = opt_string(r, "definition");
  auto role = opt_string(r, "roleArn");
  const bool logging = r.contains("loggingConfiguration") && !r["loggingConfiguration"].is_null();
  const bool tracing = r.contains("tracingConfiguration") && !r["tracingConfiguration"].is_null();
  if (!definition && !role && !logging && !tracing) {
    return Status(ErrorCode::kMissingRequiredParameter,
                  "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must "
                  "be specified");
  }
  const bool publish = opt_bool(r, "publish").value_or(false);
  const auto version_description = opt_string(r, "versionDescription");
  if (version_description && !publish) {
    return Status(ErrorCode::kValidationException, "Version description can only be set when publish is true");
  }
  const std::string arn = str(r, "stateMachineArn");
  Json o = Json::object();
  // Publishing an update that changes nothing makes no new revision: AWS
  // answers with the version of the current one and no revisionId.
  auto current = c.core.machines.find(arn);
  const bool unchanged = publish && current != c.core.machines.end() && !logging && !tracing &&
                         (!definition || *definition == current->second->definition) &&
                         (!role || *role == current->second->role_arn);
  if (unchanged) {
    o["updateDate"] = timestamp(c.core.now());
  } else {
    auto up = c.engine.update_state_machine(arn, definition, role);
    if (!up.ok()) return up.status();
    o["updateDate"] = timestamp(up->update_date_ms);
    o["revisionId"] = up->revision_id;
  }
  if (publish) {
    auto v = publish_version(c.core, arn, version_description, std::nullopt);
    if (!v.ok()) return v.status();
    o["stateMachineVersionArn"] = (*v)->machine->version_arn;
  }
  return o;
}

Result<Json> delete_state_machine(Context& c, const Json& r) {
  STEPFIBER_TRY(c.engine.delete_state_machine(str(r, "stateMachineArn")));
  forget_machine(c.core, str(r, "stateMachineArn"));  // its versions, aliases and tags go with it
  return Json::object();
}

Result<Json> list_state_machines(Context& c, const Json& r) {
  const std::vector<StateMachineInfo> all = c.engine.list_state_machines();  // sorted by name
  auto page = paginate(
      r, "ListStateMachines", "", all.size(), [&](std::size_t i) { return Json(all[i].name); },
      [&](const Json& cursor) -> std::optional<std::size_t> {
        if (!cursor.is_string()) return std::nullopt;
        const std::string name = cursor.get<std::string>();
        auto it = std::upper_bound(all.begin(), all.end(), name,
                                   [](const std::string& n, const StateMachineInfo& i) { return n < i.name; });
        return static_cast<std::size_t>(it - all.begin());
      });
  if (!page.ok()) return page.status();
  Json items = Json::array();
  for (std::size_t i = page->begin; i < page->end; ++i) items.push_back(machine_list_item(all[i]));
  Json o = Json::object();
  o["stateMachines"] = std::move(items);
  if (page->next) o["nextToken"] = *page->next;
  return o;
}

Result<Json> validate_state_machine_definition(Context& c, const Json& r) {
  auto v = c.engine.validate_state_machine_definition(str(r, "definition"), opt_string(r, "type").value_or("STANDARD"),
                                                      opt_string(r, "severity").value_or("ERROR"),
                                                      opt_int(r, "maxResults").value_or(0));
  if (!v.ok()) return v.status();
  Json diags = Json::array();
  for (const auto& d : v->diagnostics) {
    Json j = Json::object();
    j["severity"] = d.severity;
    j["code"] = d.code;
    j["message"] = d.message;
    if (!d.location.empty()) j["location"] = d.location;
    diags.push_back(std::move(j));
  }
  Json o = Json::object();
  o["result"] = v->result;
  o["diagnostics"] = std::move(diags);
  o["truncated"] = v->truncated;
  return o;
}

Result<Json> describe_state_machine_for_execution(Context& c, const Json& r) {
  const std::string arn = str(r, "executionArn");
  STEPFIBER_TRY(c.engine.describe_execution(arn).status());  // InvalidArn, ExecutionDoesNotExist
  const engine::Execution* ex = c.core.executions.find(arn);
  if (ex == nullptr) return Status(ErrorCode::kExecutionDoesNotExist, "Execution Does Not Exist: '" + arn + "'");
  // The definition the execution runs: its own record, even after an update.
  const engine::StateMachineRecord& m = *ex->machine;
  Json o = Json::object();
  o["stateMachineArn"] = m.arn;
  o["name"] = m.name;
  o["definition"] = m.definition;
  o["roleArn"] = m.role_arn;
  o["updateDate"] = timestamp(m.created);
  if (!m.revision_id.empty()) o["revisionId"] = m.revision_id;
  return o;
}

}  // namespace stepfiber::api::handlers
