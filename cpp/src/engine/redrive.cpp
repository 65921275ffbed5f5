// RedriveExecution's engine side: where a closed execution restarts (read
// back from its history) and the restart itself.
//
// The restart point is the last root-scope state entered and not exited:
// the state that failed, timed out or was running when the execution was
// stopped. Its input is the one its *StateEntered event recorded, and the
// workflow variables are those the root-scope *StateExited events assigned
// before it (inner scopes cannot assign outer variables, so these are all).
// A Parallel or inline Map there runs again only the branches and iterations
// that did not succeed: the others' outputs were kept when it failed
// (ExecutionExtra::completed_children, frame_branches.cpp). A Distributed
// Map starts a new Map Run.
#include <unordered_map>

#include "engine/core.h"
#include "engine/frame.h"

namespace stepfiber::engine {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Status Core::redrive(Execution& ex) {
  const asl::Scope& root = ex.machine->program->root;
  std::unordered_map<std::string_view, std::uint32_t> root_states;
  for (std::uint32_t i = 0; i < root.states.size(); ++i) root_states.emplace(root.states[i].name, i);

  auto point = std::make_unique<ExecutionExtra::RedrivePoint>();
  point->state = root.start;
  point->input = ex.input;
  Json variables;  // null until something is assigned
  for (const HistoryEvent& e : ex.history.events()) {
    const std::string_view type = e.type;
    const bool entered = ends_with(type, "StateEntered");
    const bool exited = ends_with(type, "StateExited");
    if (!entered && !exited) continue;
    auto details = parse_json(e.details());
    if (!details.ok() || !details->is_object()) continue;
    const Json& d = *details;
    auto name = d.find("name");
    if (name == d.end() || !name->is_string()) continue;
    auto state = root_states.find(name->get_ref<const std::string&>());
    if (state == root_states.end()) continue;  // a state inside a branch or iteration
    if (entered) {
      point->state = state->second;
      auto input = d.find("input");
      point->input = input != d.end() && input->is_string() ? input->get<std::string>() : "{}";
      continue;
    }
    auto assigned = d.find("assignedVariables");
    if (assigned != d.end() && assigned->is_object()) {
      if (!variables.is_object()) variables = Json::object();
      for (auto it = assigned->begin(); it != assigned->end(); ++it) {
        auto v = it->is_string() ? parse_json(it->get_ref<const std::string&>()) : Result<Json>(*it);
        if (v.ok()) variables[it.key()] = std::move(v).value();
      }
    }
  }
  if (variables.is_object()) point->variables = dump_json(variables);

  const ExecutionStatus old = ex.status;
  --ended[static_cast<std::size_t>(old)];
  ExecutionExtra& x = ex.extra();
  x.redrive_point = std::move(point);
  x.error.reset();
  x.cause.reset();
  x.output.clear();
  x.redrive_count += 1;
  x.redrive_date = now();
  ex.status = ExecutionStatus::kRunning;
  ex.stop = 0;
  ex.abandoned = false;
  ex.fiber_done = false;
  Strand& main = *ex.strands[0];
  main.cancelled = false;
  main.finished = false;
  main.task.reset();
  Json details = {{"redriveCount", x.redrive_count}};
  ex.history.add(x.redrive_date, ex.history.last_id(), "ExecutionRedriven", &details);
  // The machine's TimeoutSeconds counts again from the redrive.
  if (auto timeout = ex.machine->program->timeout_seconds) {
    timers.arm(x.redrive_date + *timeout * 1000, ex.index, 0, x.redrive_count, true);
  }
  spawn(ex);
  return {};
}

}  // namespace stepfiber::engine
