// An execution's append-only event log, shaped like GetExecutionHistory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/clock.h"
#include "stepfiber/json.h"

namespace stepfiber::engine {

struct HistoryEvent {
  runtime::Millis timestamp;
  std::int64_t previous_event_id;
  const char* type;     ///< static string, e.g. "TaskScheduled"
  std::string details;  ///< compact JSON object; "" when the event has none
};

/// botocore's member name for an event type's details, e.g.
/// "TaskScheduled" -> "taskScheduledEventDetails", "PassStateEntered" ->
/// "stateEnteredEventDetails".
std::string details_key(const std::string& type);

class History {
 public:
  /// Appends an event; returns its id (1-based).
  std::int64_t add(runtime::Millis ts, std::int64_t prev, const char* type, const Json* details) {
    events_.push_back(HistoryEvent{ts, prev, type, details ? dump_json(*details) : std::string()});
    return static_cast<std::int64_t>(events_.size());
  }
  std::int64_t last_id() const noexcept { return static_cast<std::int64_t>(events_.size()); }
  const std::vector<HistoryEvent>& events() const noexcept { return events_; }

 private:
  std::vector<HistoryEvent> events_;
};

}  // namespace stepfiber::engine
