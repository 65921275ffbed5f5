// Qualified state machine ARNs (`...:stateMachine:<name>:<version>` and
// `...:stateMachine:<name>:<alias>`) and the version/alias store behind
// them, shared by the version, alias, execution and state machine handlers.
// Engine thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core.h"
#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::api {

/// A state machine ARN split at its qualifier.
struct MachineArn {
  std::string base;       ///< "...:stateMachine:<name>"
  std::string qualifier;  ///< "" (unqualified), "<n>" (version) or "<alias>"
  bool is_version() const noexcept {
    return !qualifier.empty() && qualifier.find_first_not_of("0123456789") == std::string::npos;
  }
  bool is_alias() const noexcept { return !qualifier.empty() && !is_version(); }
};

/// Splits `arn` (nullopt when it is not `...:stateMachine:<name>[:<q>]`).
std::optional<MachineArn> split_machine_arn(std::string_view arn);

/// AWS's StateMachineDoesNotExist for `arn`.
Status machine_does_not_exist(const std::string& arn);

/// The published version `arn` names, or nullptr.
const engine::StateMachineVersion* find_version(engine::Core& core, const MachineArn& arn);
/// The alias `arn` names, or nullptr.
engine::StateMachineAlias* find_alias(engine::Core& core, const MachineArn& arn);

/// Publishes the machine's current revision (idempotent: an existing
/// version of that revision is returned). `revision_id` must match the
/// current revision (ConflictException). Quota: 1000 versions.
Result<const engine::StateMachineVersion*> publish_version(engine::Core& core, const std::string& machine_arn,
                                                           const std::optional<std::string>& description,
                                                           const std::optional<std::string>& revision_id);

/// The record an execution started on `arn` runs (and, through an alias,
/// the alias ARN): the live revision, a version, or an alias's version
/// picked by weight. Errors as StartExecution's.
Result<std::shared_ptr<const engine::StateMachineRecord>> resolve_for_start(engine::Core& core,
                                                                            const std::string& arn,
                                                                            std::string& alias_arn);

/// Tags (ops_tags.cpp): merges `list` ([{key, value}]) into `arn`'s tags;
/// TooManyTags past 50. `check_only`: only checks the count.
Status merge_tags(engine::Core& core, const std::string& arn, const Json& list, bool check_only);

/// Drops a deleted machine's versions, aliases and tags.
void forget_machine(engine::Core& core, const std::string& machine_arn);

}  // namespace stepfiber::api
