// State machine aliases: Create/Describe/Update/Delete/ListStateMachineAliases.
// An alias routes StartExecution to one or two versions by weight
// (versioning.h: resolve_for_start).
#include <algorithm>

#include "api/handlers.h"
#include "api/pager.h"
#include "api/versioning.h"
#include "api/wire.h"
#include "engine/arn.h"
#include "engine/core.h"

namespace stepfiber::api::handlers {
namespace {

/// AWS: up to 100 aliases per state machine.
constexpr std::size_t kMaxAliases = 100;

using Routing = std::vector<std::pair<std::string, std::int64_t>>;

Status alias_not_found() {
  return Status(ErrorCode::kResourceNotFound, "Request references a resource that does not exist.");
}

std::string joined(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

/// Reads and checks routingConfiguration (AWS's messages); sets `machine`
/// to the state machine its versions belong to.
Result<Routing> read_routing(engine::Core& core, const Json& list, std::string& machine) {
  Routing routing;
  std::vector<std::string> arns, weights;
  for (const Json& item : list) {
    routing.emplace_back(item.value("stateMachineVersionArn", std::string()),
                         item.value("weight", std::int64_t{0}));
    arns.push_back(routing.back().first);
    weights.push_back(std::to_string(routing.back().second));
  }
  std::vector<MachineArn> split;
  for (const auto& arn : arns) {
    auto s = split_machine_arn(arn);
    if (!s || !s->is_version()) {
      return Status(ErrorCode::kValidationException,
                    "Routing configuration must contain state machine version ARNs. Received: " + joined(arns));
    }
    split.push_back(*s);
  }
  for (std::size_t i = 0; i < split.size(); ++i) {
    for (std::size_t j = i + 1; j < split.size(); ++j) {
      if (split[i].base != split[j].base) {
        return Status(ErrorCode::kValidationException,
                      "Routing configuration must contain state machine version ARNs of the same state machine. "
                      "Received: " + joined(arns));
      }
      if (arns[i] == arns[j]) {
        return Status(ErrorCode::kValidationException,
                      "Routing configuration must contain distinct state machine version ARNs. Received: " +
                          joined(arns));
      }
    }
  }
  std::int64_t sum = 0;
  for (const auto& [arn, weight] : routing) sum += weight;
  if (sum != 100) {
    return Status(ErrorCode::kValidationException,
                  "Sum of routing configuration weights must equal 100. Received: " + joined(weights));
  }
  for (const auto& s : split) {
    if (!core.machines.count(s.base) || find_version(core, s) == nullptr) return alias_not_found();
  }
  machine = split.front().base;
  return routing;
}

Json routing_json(const Routing& routing) {
  Json out = Json::array();
  for (const auto& [arn, weight] : routing) out.push_back(Json{{"stateMachineVersionArn", arn}, {"weight", weight}});
  return out;
}

/// The alias an ARN names (InvalidArn / ResourceNotFound as AWS).
Result<engine::StateMachineAlias*> alias_of(engine::Core& core, const std::string& arn) {
  STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
  auto split = split_machine_arn(arn);
  if (!split || !split->is_alias()) return alias_not_found();
  engine::StateMachineAlias* a = find_alias(core, *split);
  if (a == nullptr) return alias_not_found();
  return a;
}

}  // namespace

Result<Json> create_state_machine_alias(Context& c, const Json& r) {
  const std::string name = str(r, "name");
  const auto description = opt_string(r, "description");
  std::string machine;
  auto routing = read_routing(c.core, r.at("routingConfiguration"), machine);
  if (!routing.ok()) return routing.status();
  engine::MachineVersions& mv = c.core.versioning[machine];
  if (auto it = mv.aliases.find(name); it != mv.aliases.end()) {
    // Idempotent for the same description and routing.
    if (it->second.description == description.value_or("") && it->second.routing == *routing) {
      return Json{{"stateMachineAliasArn", it->second.arn}, {"creationDate", timestamp(it->second.created)}};
    }
    return Status(ErrorCode::kConflictException,
                  "Failed to create alias because an alias with the same name and a different routing "
                  "configuration already exists.");
  }
  if (mv.aliases.size() >= kMaxAliases) {
    return Status(ErrorCode::kServiceQuotaExceededException,
                  "Failed to create alias: the state machine has reached the maximum of " +
                      std::to_string(kMaxAliases) + " aliases.");
  }
  engine::StateMachineAlias& a = mv.aliases[name];
  a.arn = machine + ":" + name;
  a.name = name;
  a.description = description.value_or("");
  a.routing = std::move(*routing);
  a.created = a.updated = c.core.now();
  return Json{{"stateMachineAliasArn", a.arn}, {"creationDate", timestamp(a.created)}};
}

Result<Json> describe_state_machine_alias(Context& c, const Json& r) {
  auto a = alias_of(c.core, str(r, "stateMachineAliasArn"));
  if (!a.ok()) return a.status();
  const engine::StateMachineAlias& alias = **a;
  Json o = Json::object();
  o["stateMachineAliasArn"] = alias.arn;
  o["name"] = alias.name;
  if (!alias.description.empty()) o["description"] = alias.description;
  o["routingConfiguration"] = routing_json(alias.routing);
  o["creationDate"] = timestamp(alias.created);
  o["updateDate"] = timestamp(alias.updated);
  return o;
}

Result<Json> update_state_machine_alias(Context& c, const Json& r) {
  const auto description = opt_string(r, "description");
  const bool has_routing = r.contains("routingConfiguration") && r["routingConfiguration"].is_array();
  if (!description && !has_routing) {
    return Status(ErrorCode::kValidationException,
                  "Either the description or the routingConfiguration must be specified");
  }
  auto a = alias_of(c.core, str(r, "stateMachineAliasArn"));
  if (!a.ok()) return a.status();
  engine::StateMachineAlias& alias = **a;
  if (has_routing) {
    std::string machine;
    auto routing = read_routing(c.core, r.at("routingConfiguration"), machine);
    if (!routing.ok()) return routing.status();
    if (machine + ":" + alias.name != alias.arn) {
      return Status(ErrorCode::kValidationException,
                    "Routing configuration must contain state machine version ARNs of the alias's state machine");
    }
    alias.routing = std::move(*routing);
  }
  if (description) alias.description = *description;
  alias.updated = c.core.now();
  return Json{{"updateDate", timestamp(alias.updated)}};
}

Result<Json> delete_state_machine_alias(Context& c, const Json& r) {
  const std::string arn = str(r, "stateMachineAliasArn");
  STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
  auto split = split_machine_arn(arn);
  if (!split || !split->is_alias()) return alias_not_found();
  if (auto m = c.core.versioning.find(split->base); m != c.core.versioning.end()) {
    m->second.aliases.erase(split->qualifier);  // deleting what is gone succeeds
  }
  return Json::object();
}

Result<Json> list_state_machine_aliases(Context& c, const Json& r) {
  const std::string arn = str(r, "stateMachineArn");
  STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
  auto split = split_machine_arn(arn);
  if (!split || split->is_alias() || !c.core.machines.count(split->base)) return machine_does_not_exist(arn);
  if (split->is_version() && find_version(c.core, *split) == nullptr) {
    return Status(ErrorCode::kResourceNotFound, "Request references a resource that does not exist.");
  }
  // Oldest first (as recorded on AWS); a version ARN lists the aliases routing to it.
  std::vector<const engine::StateMachineAlias*> all;
  if (auto m = c.core.versioning.find(split->base); m != c.core.versioning.end()) {
    for (const auto& [name, alias] : m->second.aliases) {
      const bool routes = std::any_of(alias.routing.begin(), alias.routing.end(),
                                      [&](const auto& route) { return route.first == arn; });
      if (!split->is_version() || routes) all.push_back(&alias);
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const auto* a, const auto* b) { return a->created < b->created; });
  auto page = paginate(
      r, "ListStateMachineAliases", arn, all.size(), [&](std::size_t i) { return Json(all[i]->name); },
      [&](const Json& cursor) -> std::optional<std::size_t> {
        if (!cursor.is_string()) return std::nullopt;
        for (std::size_t i = 0; i < all.size(); ++i) {
          if (all[i]->name == cursor.get_ref<const std::string&>()) return i + 1;
        }
        return std::nullopt;
      });
  if (!page.ok()) return page.status();
  Json items = Json::array();
  for (std::size_t i = page->begin; i < page->end; ++i) {
    items.push_back(Json{{"stateMachineAliasArn", all[i]->arn}, {"creationDate", timestamp(all[i]->created)}});
  }
  Json o = Json::object();
  o["stateMachineAliases"] = std::move(items);
  if (page->next) o["nextToken"] = *page->next;
  return o;
}

}  // namespace stepfiber::api::handlers
