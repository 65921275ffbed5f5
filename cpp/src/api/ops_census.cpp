// StepFiber.DescribeStateMachineCensus: where a machine's RUNNING executions
// stand now, per state, from the engine's census counters (O(states)).
#include <string>
#include <unordered_map>

#include "api/handlers.h"
#include "api/wire.h"
#include "engine/arn.h"
#include "engine/core.h"

namespace stepfiber::api::handlers {
namespace {

Json state_item(const asl::State& st, const engine::StateCounts& c) {
  Json o = Json::object();
  o["name"] = st.name;
  o["type"] = asl::state_type_name(st.type);
  o["running"] = c.running;
  o["waitingForToken"] = c.token;
  o["waiting"] = c.timer;
  o["retrying"] = c.retry;
  return o;
}

void add_counts(engine::StateCounts& into, const engine::StateCounts& c) {
  into.running += c.running;
  into.token += c.token;
  into.timer += c.timer;
  into.retry += c.retry;
}

}  // namespace

Result<Json> describe_state_machine_census(Context& c, const Json& r) {
  auto arn = opt_string(r, "stateMachineArn");
  if (!arn || arn->empty()) {
    return Status(ErrorCode::kValidationException, "'stateMachineArn' is required: the state machine's ARN");
  }
  STEPFIBER_TRY(engine::validate_arn(*arn, "stateMachine"));
  auto machine = c.core.machines.find(*arn);
  if (machine == c.core.machines.end()) {
    return Status(ErrorCode::kStateMachineDoesNotExist, "State Machine Does Not Exist: '" + *arn + "'");
  }
  const asl::Program& current = *machine->second->program;
  const auto programs = c.core.census.of_machine(*arn);
  // The current definition's states, in depth-first order; the counts of
  // executions still on older revisions or on versions are added by state
  // name (names are unique machine-wide); states they have that the current
  // definition lacks follow, marked "retired".
  std::vector<const asl::State*> order;
  std::unordered_map<std::string, engine::StateCounts> by_name;
  std::uint64_t running = 0;
  const engine::ProgramCensus* current_census = nullptr;
  for (const engine::ProgramCensus* pc : programs) {
    if (pc->program.get() == &current) current_census = pc;
  }
  if (current_census != nullptr) {
    order = current_census->states;
  } else {
    engine::states_depth_first(current.root, order);
  }
  for (const asl::State* st : order) {
    by_name[st->name];
  }
  std::vector<const asl::State*> retired;
  for (const engine::ProgramCensus* pc : programs) {
    running += pc->executions;
    for (std::size_t i = 0; i < pc->states.size(); ++i) {
      const asl::State* st = pc->states[i];
      auto [it, fresh] = by_name.try_emplace(st->name);
      if (fresh) retired.push_back(st);
      add_counts(it->second, pc->counts[i]);
    }
  }
  Json states = Json::array();
  for (const asl::State* st : order) states.push_back(state_item(*st, by_name[st->name]));
  for (const asl::State* st : retired) {
    Json item = state_item(*st, by_name[st->name]);
    item["retired"] = true;
    states.push_back(std::move(item));
  }
  Json o = Json::object();
  o["stateMachineArn"] = *arn;
  o["running"] = running;
  o["revisions"] = programs.size();
  o["states"] = std::move(states);
  o["date"] = timestamp(c.core.now());
  return o;
}

}  // namespace stepfiber::api::handlers
