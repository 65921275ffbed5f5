#include "engine/history.h"

#include <cctype>

namespace stepfiber::engine {

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
