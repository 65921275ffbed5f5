// Where running executions stand, per state (DescribeStateMachineCensus):
// counters kept as fibers enter and leave states and start and end their
// waits, so a census costs O(states), never O(executions). Engine thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "asl/program.h"

namespace stepfiber::engine {

struct Execution;

/// What a strand standing in a state waits on (Strand::census_wait).
enum class CensusWait : std::uint8_t { kNone, kToken, kTimer, kRetry };

/// One state's counts. `running` counts strands: one per execution for a
/// state of the machine's own scope, one per branch or iteration inside a
/// Parallel or Map. The other three are subsets of `running`.
struct StateCounts {
  std::uint64_t running = 0;
  std::uint64_t token = 0;  ///< parked on a task token (.waitForTaskToken) or an activity
  std::uint64_t timer = 0;  ///< in a Wait state's timer
  std::uint64_t retry = 0;  ///< backing off before a Retry
};

/// The counts of one compiled program: a machine's revision or version.
/// Executions keep the program they started with, so after an update the
/// old program's counts live on until its last execution ends.
struct ProgramCensus {
  std::string machine_arn;
  std::shared_ptr<const asl::Program> program;
  std::vector<const asl::State*> states;  ///< every state, depth first (nested scopes included)
  std::unordered_map<const asl::State*, std::uint32_t> ids;
  std::vector<StateCounts> counts;  ///< by id
  std::uint64_t executions = 0;     ///< RUNNING executions on this program (stopped ones excluded)
};

class Census {
 public:
  /// An execution's fiber was spawned (start or redrive).
  void started(const Execution& ex);
  /// The execution stopped RUNNING (ended, or abandoned from outside):
  /// its strands leave their states at once.
  void ended(Execution& ex);
  /// A strand of a RUNNING execution stands in `st` (until leave()).
  void enter(Execution& ex, std::uint32_t strand, const asl::State& st);
  void leave(Execution& ex, std::uint32_t strand);
  /// The strand, standing in a state, starts or ends a wait.
  void begin_wait(Execution& ex, std::uint32_t strand, CensusWait what);
  void end_wait(Execution& ex, std::uint32_t strand);
  /// The programs of the machine `arn` that have RUNNING executions.
  std::vector<const ProgramCensus*> of_machine(const std::string& arn) const;
  /// How many programs are counted (tests: entries are freed when unused).
  std::size_t programs() const noexcept { return by_program_.size(); }

 private:
  ProgramCensus* find(const Execution& ex) const;
  void leave_strand(ProgramCensus* pc, Execution& ex, std::uint32_t strand);

  std::unordered_map<const asl::Program*, std::unique_ptr<ProgramCensus>> by_program_;
  std::unordered_map<std::string, std::vector<ProgramCensus*>> by_machine_;
};

/// Every state of `scope`, depth first: a Parallel's branches and a Map's
/// processor follow their state.
void states_depth_first(const asl::Scope& scope, std::vector<const asl::State*>& out);

/// A strand stands in a state for this guard's life (Frame::run_scope).
class CensusPosition {
 public:
  CensusPosition(Census& c, Execution& ex, std::uint32_t strand, const asl::State& st)
      : c_(c), ex_(ex), strand_(strand) {
    c_.enter(ex_, strand_, st);
  }
  ~CensusPosition() { c_.leave(ex_, strand_); }
  CensusPosition(const CensusPosition&) = delete;
  CensusPosition& operator=(const CensusPosition&) = delete;

 private:
  Census& c_;
  Execution& ex_;
  std::uint32_t strand_;
};

/// A strand waits (token, Wait timer, retry back-off) for this guard's life.
class CensusWaiting {
 public:
  CensusWaiting(Census& c, Execution& ex, std::uint32_t strand, CensusWait what) : c_(c), ex_(ex), strand_(strand) {
    c_.begin_wait(ex_, strand_, what);
  }
  ~CensusWaiting() { c_.end_wait(ex_, strand_); }
  CensusWaiting(const CensusWaiting&) = delete;
  CensusWaiting& operator=(const CensusWaiting&) = delete;

 private:
  Census& c_;
  Execution& ex_;
  std::uint32_t strand_;
};

}  // namespace stepfiber::engine
