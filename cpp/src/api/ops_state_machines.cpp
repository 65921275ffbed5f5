// State machine operations: Create/Describe/Update/Delete/List,
// ValidateStateMachineDefinition and DescribeStateMachineForExecution.
#include <algorithm>

#include "api/configurations.h"
#include "api/handlers.h"
#include "api/pager.h"
#include "api/versioning.h"
#include "api/wire.h"
#include "asl/variable_references.h"
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

/// Keeps the request's logging, tracing and encryption configurations on the
/// machine's current record (before a version is published from it).
void store_configurations(Context& c, const std::string& arn, const std::optional<Json>& logging,
                          const std::optional<Json>& tracing, const std::optional<Json>& encryption) {
  auto it = c.core.machines.find(arn);
  if (it == c.core.machines.end()) return;
  engine::StateMachineRecord& m = *it->second;
  if (logging) m.logging_configuration = dump_json(*logging);
  if (tracing) m.tracing_configuration = dump_json(*tracing);
  if (encryption) m.encryption_configuration = dump_json(*encryption);
}

/// What every Describe of a machine shows besides its definition: the
/// configurations (AWS's defaults when none were given) and, when a state
/// reads a variable, `variableReferences`.
void add_describe_extras(Json& o, const engine::StateMachineRecord& m) {
  o["loggingConfiguration"] = logging_or_default(m.logging_configuration);
  o["tracingConfiguration"] = tracing_or_default(m.tracing_configuration);
  o["encryptionConfiguration"] = encryption_or_default(m.encryption_configuration);
  if (auto definition = parse_json(m.definition); definition.ok()) {
    Json refs = asl::variable_references(*definition);
    if (!refs.empty()) o["variableReferences"] = std::move(refs);
  }
}

}  // namespace

Result<Json> create_state_machine(Context& c, const Json& r) {
  const bool publish = opt_bool(r, "publish").value_or(false);
  const auto version_description = opt_string(r, "versionDescription");
  if (version_description && !publish) {
    return Status(ErrorCode::kValidationException, "Version description can only be set when publish is true");
  }
  auto logging = logging_configuration(r);
  if (!logging.ok()) return logging.status();
  const bool tagged = r.contains("tags") && r.at("tags").is_array() && !r.at("tags").empty();
  const std::string arn = engine::state_machine_arn(c.core.options().region, c.core.options().account, str(r, "name"));
  if (tagged) STEPFIBER_TRY(merge_tags(c.core, arn, r.at("tags"), true));
  const bool existed = c.core.machines.count(arn) > 0;
  auto info = c.engine.create_state_machine(str(r, "name"), str(r, "definition"), str(r, "roleArn"),
                                            opt_string(r, "type").value_or("STANDARD"));
  if (!info.ok()) return info.status();
  if (tagged && !existed) STEPFIBER_TRY(merge_tags(c.core, info->state_machine_arn, r.at("tags"), false));
  if (!existed) {
    store_configurations(c, info->state_machine_arn, *logging, tracing_configuration(r), encryption_configuration(r));
  }
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
    add_describe_extras(o, m);
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
  if (auto m = c.core.machines.find(info->state_machine_arn); m != c.core.machines.end()) add_describe_extras(o, *m->second);
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
  auto logging_config = logging_configuration(r);
  if (!logging_config.ok()) return logging_config.status();
  const auto tracing_config = tracing_configuration(r);
  const auto encryption_config = encryption_configuration(r);
  const std::string arn = str(r, "stateMachineArn");
  Json o = Json::object();
  // An update that changes nothing makes no new revision (recorded): AWS
  // answers with the current revision (none when publishing: then only the
  // version it publishes).
  auto current = c.core.machines.find(arn);
  const auto same = [&](const std::optional<Json>& given, const std::string& stored) {
    return !given || dump_json(*given) == stored;
  };
  const bool unchanged = current != c.core.machines.end() &&
                         (!definition || *definition == current->second->definition) &&
                         (!role || *role == current->second->role_arn) &&
                         same(*logging_config, current->second->logging_configuration) &&
                         same(tracing_config, current->second->tracing_configuration) &&
                         same(encryption_config, current->second->encryption_configuration) &&
                         (publish || !current->second->revision_id.empty());
  if (unchanged) {
    o["updateDate"] = timestamp(c.core.now());
    if (!publish) o["revisionId"] = current->second->revision_id;
  } else {
    auto up = c.engine.update_state_machine(arn, definition, role);
    if (!up.ok()) return up.status();
    store_configurations(c, arn, *logging_config, tracing_config, encryption_config);
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
  add_describe_extras(o, m);
  return o;
}

}  // namespace stepfiber::api::handlers
