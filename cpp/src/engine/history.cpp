#include "engine/history.h"

#include <cctype>

#include "engine/execution.h"

namespace stepfiber::engine {

namespace {

std::string state_entered_details(std::string_view stored) {
  std::string out(stored);
  if (!out.empty() && out.back() == '}') {
    out.pop_back();
    out += R"(,"inputDetails":{"truncated":false}})";
  }
  return out;
}

std::string task_scheduled_details(std::string_view stored, const std::string& region) {
  auto parsed = parse_json(stored);
  if (!parsed.ok() || !parsed->is_object()) return std::string(stored);
  Json d = Json::object();
  for (auto& [key, value] : parsed->items()) {
    d[key] = value;
    if (key == "resource") d["region"] = region;
  }
  return dump_json(d);
}

std::string task_started_details(std::string_view scheduled_details) {
  auto scheduled = parse_json(scheduled_details);
  Json d = Json::object();
  if (scheduled.ok()) {
    for (const char* key : {"resourceType", "resource"}) {
      if (auto it = scheduled->find(key); it != scheduled->end()) d[key] = *it;
    }
  }
  return dump_json(d);
}

std::string execution_started_details(const Execution& ex) {
  const Json details = {{"input", ex.input}, {"inputDetails", {{"truncated", false}}}, {"roleArn", ex.machine->role_arn}};
  return dump_json(details);
}

}  // namespace

std::string rendered_details(const Execution& ex, std::size_t i, const std::string& region) {
  const auto& events = ex.history.events();
  const HistoryEvent& e = events[i];
  const std::string_view type = e.type;
  const std::string_view stored = e.details();
  if (i == 0) return execution_started_details(ex);
  if (type == "TaskStarted" && stored.empty()) {
    const std::int64_t prev = e.previous_event_id();
    return prev >= 1 && prev <= static_cast<std::int64_t>(i) ? task_started_details(events[prev - 1].details())
                                                             : std::string();
  }
  if (stored.empty()) return std::string();
  if (type == "TaskScheduled") return task_scheduled_details(stored, region);
  if (type.ends_with("StateEntered")) return state_entered_details(stored);
  return std::string(stored);
}

std::string details_key(const std::string& type) {
  auto ends_with = [&](const char* suffix) {
    std::string s(suffix);
    return type.size() >= s.size() && type.compare(type.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with("StateEntered")) return "stateEnteredEventDetails";
  if (ends_with("StateExited")) return "stateExitedEventDetails";
  std::string key = type;
  if (!key.empty()) key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
  return key + "EventDetails";
}

}  // namespace stepfiber::engine
