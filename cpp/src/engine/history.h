// An execution's append-only event log, shaped like GetExecutionHistory.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/clock.h"
#include "stepfiber/json.h"

namespace stepfiber::engine {

/// One event, 32 bytes plus its details text: a parked execution holds
/// several, so the text is an exact-size array rather than a std::string.
class HistoryEvent {
 public:
  HistoryEvent(runtime::Millis ts, std::int64_t prev, const char* type, std::string_view details)
      : timestamp(ts), type(type), previous_event_id_(static_cast<std::int32_t>(prev)),
        size_(static_cast<std::uint32_t>(details.size())) {
    if (!details.empty()) {
      text_ = std::make_unique_for_overwrite<char[]>(details.size());
      std::memcpy(text_.get(), details.data(), details.size());
    }
  }
  runtime::Millis timestamp;
  const char* type;  ///< static string, e.g. "TaskScheduled"
  /// Compact JSON object; empty when the event has none.
  std::string_view details() const noexcept { return {text_.get(), size_}; }
  /// Ids stay far below 2^31: a history holds at most 25,000 events.
  std::int64_t previous_event_id() const noexcept { return previous_event_id_; }

 private:
  std::unique_ptr<char[]> text_;
  std::int32_t previous_event_id_;
  std::uint32_t size_;
};

/// botocore's member name for an event type's details, e.g.
/// "TaskScheduled" -> "taskScheduledEventDetails", "PassStateEntered" ->
/// "stateEnteredEventDetails".
std::string details_key(const std::string& type);

class History {
 public:
  /// Appends an event; returns its id (1-based).
  std::int64_t add(runtime::Millis ts, std::int64_t prev, const char* type, const Json* details) {
    events_.emplace_back(ts, prev, type, details ? dump_json(*details) : std::string());
    return static_cast<std::int64_t>(events_.size());
  }
  /// Appends an event whose details are already compact JSON text.
  std::int64_t add_text(runtime::Millis ts, std::int64_t prev, const char* type, std::string_view details) {
    events_.emplace_back(ts, prev, type, details);
    return static_cast<std::int64_t>(events_.size());
  }
  std::int64_t last_id() const noexcept { return static_cast<std::int64_t>(events_.size()); }
  const std::vector<HistoryEvent>& events() const noexcept { return events_; }

 private:
  std::vector<HistoryEvent> events_;
};

}  // namespace stepfiber::engine
