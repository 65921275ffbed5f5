// State machine versions: PublishStateMachineVersion, ListStateMachineVersions,
// DeleteStateMachineVersion, and the qualified-ARN helpers (versioning.h)
// that Create/UpdateStateMachine(publish), aliases and executions share.
#include <algorithm>
#include <random>

#include "api/handlers.h"
#include "api/pager.h"
#include "api/versioning.h"
#include "api/wire.h"
#include "engine/arn.h"
#include "engine/core.h"

namespace stepfiber::api {
namespace {

/// AWS: up to 1000 versions per state machine.
constexpr std::size_t kMaxVersions = 1000;

bool same_revision(const engine::StateMachineRecord& a, const engine::StateMachineRecord& b) {
  return a.revision_id == b.revision_id && a.definition == b.definition && a.role_arn == b.role_arn &&
         a.type == b.type;
}

}  // namespace

std::optional<MachineArn> split_machine_arn(std::string_view arn) {
  static constexpr std::string_view kMarker = ":stateMachine:";
  const auto pos = arn.find(kMarker);
  if (pos == std::string_view::npos || arn.rfind("arn:", 0) != 0) return std::nullopt;
  const std::string_view rest = arn.substr(pos + kMarker.size());
  const auto colon = rest.find(':');
  MachineArn out;
  if (colon == std::string_view::npos) {
    out.base = std::string(arn);
  } else {
    out.base = std::string(arn.substr(0, pos + kMarker.size() + colon));
    out.qualifier = std::string(rest.substr(colon + 1));
    if (out.qualifier.empty() || out.qualifier.find(':') != std::string::npos) return std::nullopt;
  }
  if (out.base.size() == pos + kMarker.size()) return std::nullopt;  // no name
  return out;
}

Status machine_does_not_exist(const std::string& arn) {
  return Status(ErrorCode::kStateMachineDoesNotExist, "State Machine Does Not Exist: '" + arn + "'");
}

const engine::StateMachineVersion* find_version(engine::Core& core, const MachineArn& arn) {
  if (!arn.is_version() || arn.qualifier.size() > 9) return nullptr;
  auto m = core.versioning.find(arn.base);
  if (m == core.versioning.end()) return nullptr;
  auto v = m->second.versions.find(static_cast<std::uint32_t>(std::stoul(arn.qualifier)));
  return v == m->second.versions.end() ? nullptr : &v->second;
}

engine::StateMachineAlias* find_alias(engine::Core& core, const MachineArn& arn) {
  if (!arn.is_alias()) return nullptr;
  auto m = core.versioning.find(arn.base);
  if (m == core.versioning.end()) return nullptr;
  auto a = m->second.aliases.find(arn.qualifier);
  return a == m->second.aliases.end() ? nullptr : &a->second;
}

Result<const engine::StateMachineVersion*> publish_version(engine::Core& core, const std::string& machine_arn,
                                                           const std::optional<std::string>& description,
                                                           const std::optional<std::string>& revision_id) {
  auto it = core.machines.find(machine_arn);
  if (it == core.machines.end()) return machine_does_not_exist(machine_arn);
  const engine::StateMachineRecord& current = *it->second;
  if (revision_id && *revision_id != current.revision_id) {
    return Status(ErrorCode::kConflictException, "Failed to publish the State Machine version for revision " +
                                                     *revision_id + ". The current State Machine revision is " +
                                                     current.revision_id + ".");
  }
  engine::MachineVersions& mv = core.versioning[machine_arn];
  // Idempotent: the current revision may have been published already.
  for (auto v = mv.versions.rbegin(); v != mv.versions.rend(); ++v) {
    if (same_revision(*v->second.machine, current)) return &v->second;
  }
  if (mv.versions.size() >= kMaxVersions) {
    return Status(ErrorCode::kServiceQuotaExceededException,
                  "Failed to publish the State Machine version: the state machine has reached the maximum of " +
                      std::to_string(kMaxVersions) + " versions.");
  }
  const std::uint32_t number = ++mv.last_number;  // never reused, even after deletions
  auto rec = std::make_shared<engine::StateMachineRecord>(current);
  rec->version_arn = machine_arn + ":" + std::to_string(number);
  rec->version_description = description.value_or("");
  engine::StateMachineVersion& v = mv.versions[number];
  v.machine = std::move(rec);
  v.created = core.now();
  return &v;
}

Result<std::shared_ptr<const engine::StateMachineRecord>> resolve_for_start(engine::Core& core,
                                                                            const std::string& arn,
                                                                            std::string& alias_arn) {
  auto split = split_machine_arn(arn);
  if (!split) return machine_does_not_exist(arn);
  if (split->qualifier.empty()) {
    auto it = core.machines.find(arn);
    if (it == core.machines.end()) return machine_does_not_exist(arn);
    return std::shared_ptr<const engine::StateMachineRecord>(it->second);
  }
  if (split->is_version()) {
    const engine::StateMachineVersion* v = find_version(core, *split);
    if (v == nullptr || !core.machines.count(split->base)) return machine_does_not_exist(arn);
    return v->machine;
  }
  const engine::StateMachineAlias* a = find_alias(core, *split);
  if (a == nullptr || a->routing.empty() || !core.machines.count(split->base)) return machine_does_not_exist(arn);
  // Weighted choice between the alias's (one or two) versions.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::int64_t pick = std::uniform_int_distribution<std::int64_t>(0, 99)(rng);
  std::int64_t acc = 0;
  std::string chosen = a->routing.back().first;
  for (const auto& [version, weight] : a->routing) {
    acc += weight;
    if (pick < acc) {
      chosen = version;
      break;
    }
  }
  auto vsplit = split_machine_arn(chosen);
  const engine::StateMachineVersion* v = vsplit ? find_version(core, *vsplit) : nullptr;
  if (v == nullptr) return machine_does_not_exist(chosen);
  alias_arn = a->arn;
  return v->machine;
}

void forget_machine(engine::Core& core, const std::string& machine_arn) {
  core.versioning.erase(machine_arn);
  core.tags.erase(machine_arn);
}

namespace handlers {

Result<Json> publish_state_machine_version(Context& c, const Json& r) {
  const std::string arn = str(r, "stateMachineArn");
  STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
  auto split = split_machine_arn(arn);
  if (!split || !split->qualifier.empty()) return machine_does_not_exist(arn);
  auto v = publish_version(c.core, arn, opt_string(r, "description"), opt_string(r, "revisionId"));
  if (!v.ok()) return v.status();
  Json o = Json::object();
  o["creationDate"] = timestamp((*v)->created);
  o["stateMachineVersionArn"] = (*v)->machine->version_arn;
  return o;
}

Result<Json> list_state_machine_versions(Context& c, const Json& r) {
  const std::string arn = str(r, "stateMachineArn");
  STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
  // Newest first: descending version numbers.
  std::vector<std::pair<std::uint32_t, const engine::StateMachineVersion*>> all;
  if (auto it = c.core.versioning.find(arn); it != c.core.versioning.end()) {
    for (auto v = it->second.versions.rbegin(); v != it->second.versions.rend(); ++v) all.emplace_back(v->first, &v->second);
  }
  auto page = paginate(
      r, "ListStateMachineVersions", arn, all.size(), [&](std::size_t i) { return Json(all[i].first); },
      [&](const Json& cursor) -> std::optional<std::size_t> {
        if (!cursor.is_number_integer()) return std::nullopt;
        const auto n = cursor.get<std::int64_t>();
        std::size_t i = 0;
        while (i < all.size() && static_cast<std::int64_t>(all[i].first) >= n) ++i;
        return i;
      });
  if (!page.ok()) return page.status();
  Json items = Json::array();
  for (std::size_t i = page->begin; i < page->end; ++i) {
    items.push_back(Json{{"stateMachineVersionArn", all[i].second->machine->version_arn},
                         {"creationDate", timestamp(all[i].second->created)}});
  }
  Json o = Json::object();
  o["stateMachineVersions"] = std::move(items);
  if (page->next) o["nextToken"] = *page->next;
  return o;
}

Result<Json> delete_state_machine_version(Context& c, const Json& r) {
  const std::string arn = str(r, "stateMachineVersionArn");
  STEPFIBER_TRY(engine::validate_arn(arn, "stateMachine"));
  auto split = split_machine_arn(arn);
  if (!split || !split->is_version()) {
    return Status(ErrorCode::kValidationException, "Invalid State Machine Version Arn: '" + arn + "'");
  }
  auto m = c.core.versioning.find(split->base);
  if (m == c.core.versioning.end()) return Json::object();  // deleting what is gone succeeds
  std::vector<std::string> referencing;
  for (const auto& [name, alias] : m->second.aliases) {
    for (const auto& [version, weight] : alias.routing) {
      if (version == arn) referencing.push_back(name);
    }
  }
  if (!referencing.empty()) {
    std::string names;
    for (const auto& n : referencing) names += (names.empty() ? "" : ", ") + n;
    return Status(ErrorCode::kConflictException,
                  "Version to be deleted must not be referenced by an alias. Current list of aliases referencing "
                  "this version: [" + names + "]");
  }
  if (split->qualifier.size() <= 9) m->second.versions.erase(static_cast<std::uint32_t>(std::stoul(split->qualifier)));
  return Json::object();
}

}  // namespace handlers
}  // namespace stepfiber::api
