// A JSONPath Wait state's SecondsPath and TimestampPath values (wait_paths.h).
#include "engine/wait_paths.h"

namespace stepfiber::engine {

std::variant<std::int64_t, std::string> wait_seconds_from_path(const std::string& path, const Json* v) {
  if (v && v->is_number() && !v->is_number_integer()) {
    return "The SecondsPath parameter cannot be parsed as a long value: " + path + " == " + dump_json(*v);
  }
  if (!v || !v->is_number_integer()) return "The SecondsPath parameter does not reference an input value: " + path;
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) {
      return "The SecondsPath parameter cannot be parsed as a long value: " + path + " == " + dump_json(*v);
    }
    return static_cast<std::int64_t>(u);
  }
  const std::int64_t seconds = v->get<std::int64_t>();
  if (seconds < 0) return "The SecondsPath parameter references a negative value: " + path + " == " + dump_json(*v);
  return seconds;
}

std::variant<choice::Timestamp, std::string> wait_timestamp_from_path(const std::string& path, const Json* v) {
  std::optional<choice::Timestamp> ts;
  if (v && v->is_string()) ts = choice::parse_timestamp(v->get_ref<const std::string&>());
  if (ts) return *ts;
  const std::string shown = v ? (v->is_string() ? v->get<std::string>() : dump_json(*v)) : "null";
  return "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: " +
         path + " == " + shown;
}

}  // namespace stepfiber::engine
