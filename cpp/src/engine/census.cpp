// Census: per-program, per-state counters of where RUNNING executions stand.
#include "engine/census.h"

#include <algorithm>
#include <variant>

#include "engine/execution.h"

namespace stepfiber::engine {
namespace {

std::uint64_t& wait_counter(StateCounts& c, CensusWait w) {
  switch (w) {
    case CensusWait::kToken: return c.token;
    case CensusWait::kTimer: return c.timer;
    case CensusWait::kRetry:
    case CensusWait::kNone: break;
  }
  return c.retry;
}

}  // namespace

void states_depth_first(const asl::Scope& scope, std::vector<const asl::State*>& out) {
  for (const asl::State& st : scope.states) {
    out.push_back(&st);
    if (const auto* p = std::get_if<asl::ParallelSpec>(&st.spec)) {
      for (const asl::Scope& b : p->branches) states_depth_first(b, out);
    } else if (const auto* m = std::get_if<asl::MapSpec>(&st.spec)) {
      for (const asl::Scope& b : m->processor) states_depth_first(b, out);
    }
  }
}

ProgramCensus* Census::find(const Execution& ex) const {
  if (!ex.machine || !ex.machine->program) return nullptr;
  auto it = by_program_.find(ex.machine->program.get());
  return it == by_program_.end() ? nullptr : it->second.get();
}

void Census::started(const Execution& ex) {
  if (!ex.machine || !ex.machine->program) return;
  auto& slot = by_program_[ex.machine->program.get()];
  if (!slot) {
    slot = std::make_unique<ProgramCensus>();
    slot->machine_arn = ex.machine->arn;
    slot->program = ex.machine->program;
    states_depth_first(slot->program->root, slot->states);
    for (std::uint32_t i = 0; i < slot->states.size(); ++i) slot->ids.emplace(slot->states[i], i);
    slot->counts.resize(slot->states.size());
    by_machine_[slot->machine_arn].push_back(slot.get());
  }
  ++slot->executions;
}

void Census::leave_strand(ProgramCensus* pc, Execution& ex, std::uint32_t strand) {
  if (strand >= ex.strands.size()) return;
  Strand& s = *ex.strands[strand];
  if (s.census_state == asl::kNoState) return;
  if (pc != nullptr && s.census_state < pc->counts.size()) {
    StateCounts& c = pc->counts[s.census_state];
    if (s.census_wait != CensusWait::kNone) --wait_counter(c, s.census_wait);
    --c.running;
  }
  s.census_state = asl::kNoState;
  s.census_wait = CensusWait::kNone;
}

void Census::ended(Execution& ex) {
  ProgramCensus* pc = find(ex);
  for (std::uint32_t i = 0; i < ex.strands.size(); ++i) leave_strand(pc, ex, i);
  if (pc == nullptr || pc->executions == 0) return;
  if (--pc->executions > 0) return;
  // No execution stands on this program any more: free its counters (a
  // strand standing in a state always belongs to a counted execution).
  auto& list = by_machine_[pc->machine_arn];
  list.erase(std::remove(list.begin(), list.end(), pc), list.end());
  if (list.empty()) by_machine_.erase(pc->machine_arn);
  by_program_.erase(pc->program.get());
}

void Census::enter(Execution& ex, std::uint32_t strand, const asl::State& st) {
  if (ex.abandoned || ex.status != ExecutionStatus::kRunning || strand >= ex.strands.size()) return;
  ProgramCensus* pc = find(ex);
  if (pc == nullptr) return;
  auto id = pc->ids.find(&st);
  if (id == pc->ids.end()) return;
  leave_strand(pc, ex, strand);
  Strand& s = *ex.strands[strand];
  s.census_state = id->second;
  s.census_wait = CensusWait::kNone;
  ++pc->counts[id->second].running;
}

void Census::leave(Execution& ex, std::uint32_t strand) {
  if (strand >= ex.strands.size() || ex.strands[strand]->census_state == asl::kNoState) return;
  leave_strand(find(ex), ex, strand);
}

void Census::begin_wait(Execution& ex, std::uint32_t strand, CensusWait what) {
  if (strand >= ex.strands.size() || what == CensusWait::kNone) return;
  Strand& s = *ex.strands[strand];
  if (s.census_state == asl::kNoState) return;
  ProgramCensus* pc = find(ex);
  if (pc == nullptr || s.census_state >= pc->counts.size()) return;
  StateCounts& c = pc->counts[s.census_state];
  if (s.census_wait != CensusWait::kNone) --wait_counter(c, s.census_wait);
  s.census_wait = what;
  ++wait_counter(c, what);
}

void Census::end_wait(Execution& ex, std::uint32_t strand) {
  if (strand >= ex.strands.size()) return;
  Strand& s = *ex.strands[strand];
  if (s.census_state == asl::kNoState || s.census_wait == CensusWait::kNone) return;
  ProgramCensus* pc = find(ex);
  if (pc != nullptr && s.census_state < pc->counts.size()) --wait_counter(pc->counts[s.census_state], s.census_wait);
  s.census_wait = CensusWait::kNone;
}

std::vector<const ProgramCensus*> Census::of_machine(const std::string& arn) const {
  std::vector<const ProgramCensus*> out;
  auto it = by_machine_.find(arn);
  if (it != by_machine_.end()) out.assign(it->second.begin(), it->second.end());
  return out;
}

}  // namespace stepfiber::engine
