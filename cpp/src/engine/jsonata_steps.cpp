// The JSONata data-flow steps shared by executions and TestState (see
// jsonata_steps.h). Moved here from frame_jsonata.cpp unchanged in behaviour.
#include "engine/jsonata_steps.h"

#include <cmath>
#include <utility>

#include "choice/timestamp.h"

namespace stepfiber::engine {
namespace {

using asl::JsonataValue;
using asl::StateError;

bool is_expr(const JsonataValue& v) { return v.kind == JsonataValue::Kind::kExpr; }

/// "The JSONata expression 'x' specified for the field 'F' returned an
/// unexpected result type. Expected 'T', but was 'U' for value: V".
std::string unexpected_type(const JsonataValue& v, const std::string& field, const char* expected, const Json& got) {
  return "The JSONata expression '" + v.text + "' specified for the field '" + field +
         "' returned an unexpected result type. Expected '" + expected + "', but was '" +
         asl::jsonata_type_name(got) + "' for value: " + dump_json(got);
}

bool whole(const Json& v) {
  return v.is_number() && std::isfinite(v.get<double>()) && std::floor(v.get<double>()) == v.get<double>();
}

}  // namespace

std::optional<StateError> JsonataSteps::outputs(const JsonataValue* output, const JsonataValue* assign,
                                                const asl::JsonataScope& scope, Json& out,
                                                std::optional<Json>& assigned) const {
  if (assign) {
    auto r = eval(*assign, "Assign", scope);
    if (!r.ok()) return r.err;
    assigned = std::move(*r.value);
  }
  if (output) {
    auto r = eval(*output, "Output", scope);
    if (!r.ok()) return r.err;
    out = std::move(*r.value);
  }
  return std::nullopt;
}

asl::Eval<std::size_t> JsonataSteps::choose(const asl::ChoiceSpec& c, const asl::JsonataState& j,
                                            const asl::JsonataScope& scope) const {
  using R = asl::Eval<std::size_t>;
  for (std::size_t i = 0; i < c.choices.size() && i < j.choices.size(); ++i) {
    const JsonataValue& cond = j.choices[i].condition;
    auto r = eval(cond, "Condition", scope);
    if (!r.ok()) return R::failure(r.err);
    if (!r.value->is_boolean()) {
      const std::string detail = is_expr(cond)
                                     ? unexpected_type(cond, "Condition", "boolean", *r.value)
                                     : "The field 'Condition' must be a boolean, but was '" + dump_json(*r.value) + "'";
      return R::failure(error("Condition", detail));
    }
    if (r.value->get<bool>()) return R::success(i);
  }
  return R::success(c.choices.size());
}

std::optional<StateError> JsonataSteps::fail_fields(const asl::FailSpec& f, const asl::JsonataState& j,
                                                    const asl::JsonataScope& scope, std::optional<std::string>& error_out,
                                                    std::optional<std::string>& cause_out) const {
  auto resolve = [&](const std::optional<std::string>& literal, const std::optional<JsonataValue>& e,
                     const char* field, std::optional<std::string>& out) -> std::optional<StateError> {
    out = literal;
    if (!e) return std::nullopt;
    auto r = eval(*e, field, scope);
    if (!r.ok()) return r.err;
    if (!r.value->is_string()) return error(field, unexpected_type(*e, field, "string", *r.value));
    out = r.value->get<std::string>();
    return std::nullopt;
  };
  if (auto e = resolve(f.error, j.error, "Error", error_out)) return e;
  return resolve(f.cause, j.cause, "Cause", cause_out);
}

std::optional<StateError> JsonataSteps::wait_fields(const asl::JsonataState& j, const Json& input,
                                                    std::optional<std::int64_t>& seconds,
                                                    std::optional<std::string>& timestamp) const {
  if (!j.seconds && !j.timestamp) return std::nullopt;
  auto sc = scope(input, nullptr, nullptr, nullptr);
  if (j.seconds) {
    auto r = eval(*j.seconds, "Seconds", sc);
    if (!r.ok()) return r.err;
    const Json& v = *r.value;
    if (!whole(v) || v.get<double>() < 0 || v.get<double>() > 99999999) {
      return error("Seconds", unexpected_type(*j.seconds, "Seconds", "integer", v));
    }
    seconds = static_cast<std::int64_t>(v.get<double>());
  }
  if (j.timestamp) {
    auto r = eval(*j.timestamp, "Timestamp", sc);
    if (!r.ok()) return r.err;
    const Json& v = *r.value;
    if (!v.is_string()) return error("Timestamp", unexpected_type(*j.timestamp, "Timestamp", "string", v));
    timestamp = v.get<std::string>();
    if (!choice::parse_timestamp(*timestamp)) {
      return error("Timestamp",
                   "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " +
                       *timestamp);
    }
  }
  return std::nullopt;
}

std::optional<StateError> JsonataSteps::arguments(const asl::JsonataState& j, const Json& input, Json& params,
                                                  std::optional<std::int64_t>& timeout,
                                                  std::optional<std::int64_t>& heartbeat) const {
  if (!j.arguments && !j.timeout_seconds && !j.heartbeat_seconds) return std::nullopt;
  auto sc = scope(input, nullptr, nullptr, nullptr);
  if (j.arguments) {
    auto r = eval(*j.arguments, "Arguments", sc);
    if (!r.ok()) return r.err;
    params = std::move(*r.value);
  }
  auto seconds = [&](const std::optional<JsonataValue>& e, const char* field,
                     std::optional<std::int64_t>& out) -> std::optional<StateError> {
    if (!e) return std::nullopt;
    auto r = eval(*e, field, sc);
    if (!r.ok()) return r.err;
    const Json& v = *r.value;
    if (!whole(v) || v.get<double>() < 1 || v.get<double>() > 99999999) {
      return error(field, unexpected_type(*e, field, "integer", v));
    }
    out = static_cast<std::int64_t>(v.get<double>());
    return std::nullopt;
  };
  if (auto e = seconds(j.timeout_seconds, "TimeoutSeconds", timeout)) return e;
  return seconds(j.heartbeat_seconds, "HeartbeatSeconds", heartbeat);
}

std::optional<StateError> JsonataSteps::map_items(const asl::JsonataState& j, const Json& input,
                                                  std::vector<Json>& out) const {
  Json items;
  if (j.items) {
    auto r = eval(*j.items, "Items", scope(input, nullptr, nullptr, nullptr));
    if (!r.ok()) return r.err;
    items = std::move(*r.value);
    if (!items.is_array()) {
      if (is_expr(*j.items)) return error("Items", unexpected_type(*j.items, "Items", "array", items));
      return error("Items", "Map state input must be an array but was: " + dump_json(items));
    }
  } else {
    items = input;
    if (!items.is_array()) return error("Items", "Map state input must be an array but was: " + dump_json(items));
  }
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!j.item_selector) {
      out.push_back(std::move(items[i]));
      continue;
    }
    Json item = {{"Index", i}, {"Value", items[i]}};
    auto r = eval(*j.item_selector, "ItemSelector", scope(input, nullptr, nullptr, &item));
    if (!r.ok()) return r.err;
    out.push_back(std::move(*r.value));
  }
  return std::nullopt;
}

std::optional<StateError> JsonataSteps::map_limits(const asl::JsonataState& j, const Json& input,
                                                   std::optional<double>& mc, std::optional<double>& tc,
                                                   std::optional<double>& tp) const {
  if (!j.max_concurrency && !j.tolerated_failure_count && !j.tolerated_failure_percentage) return std::nullopt;
  auto sc = scope(input, nullptr, nullptr, nullptr);
  auto number = [&](const std::optional<JsonataValue>& e, const char* field, bool fractional,
                    std::optional<double>& out) -> std::optional<StateError> {
    if (!e) return std::nullopt;
    auto r = eval(*e, field, sc);
    if (!r.ok()) return r.err;
    const Json& v = *r.value;
    const bool ok = v.is_number() && std::isfinite(v.get<double>()) && (fractional || whole(v));
    if (!ok) return error(field, unexpected_type(*e, field, fractional ? "number" : "integer", v));
    out = v.get<double>();
    return std::nullopt;
  };
  if (auto e = number(j.max_concurrency, "MaxConcurrency", false, mc)) return e;
  if (auto e = number(j.tolerated_failure_count, "ToleratedFailureCount", false, tc)) return e;
  return number(j.tolerated_failure_percentage, "ToleratedFailurePercentage", true, tp);
}

}  // namespace stepfiber::engine
