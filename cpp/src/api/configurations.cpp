// Logging, tracing and encryption configurations (configurations.h).
#include "api/configurations.h"

namespace stepfiber::api {
namespace {

const Json* member(const Json& request, const char* name) {
  auto it = request.find(name);
  return it == request.end() || it->is_null() || !it->is_object() ? nullptr : &*it;
}

Json stored_or(const std::string& stored, const char* fallback) {
  if (!stored.empty()) {
    auto parsed = parse_json(stored);
    if (parsed.ok()) return std::move(parsed).value();
  }
  return *parse_json(fallback);
}

}  // namespace

Result<std::optional<Json>> logging_configuration(const Json& request) {
  const Json* given = member(request, "loggingConfiguration");
  if (!given) return std::optional<Json>();
  Json out = Json::object();
  out["level"] = given->contains("level") ? (*given)["level"] : Json("OFF");
  out["includeExecutionData"] = given->contains("includeExecutionData") ? (*given)["includeExecutionData"] : Json(false);
  std::size_t destinations = 0;
  if (given->contains("destinations") && (*given)["destinations"].is_array()) {
    out["destinations"] = (*given)["destinations"];
    destinations = out["destinations"].size();
  }
  if (destinations > 1 || (out["level"] != "OFF" && destinations != 1)) {
    return Status(ErrorCode::kInvalidLoggingConfiguration,
                  "Invalid Logging Configuration: Must specify exactly one Log Destination.");
  }
  return std::optional<Json>(std::move(out));
}

std::optional<Json> tracing_configuration(const Json& request) {
  const Json* given = member(request, "tracingConfiguration");
  if (!given) return std::nullopt;
  Json out = Json::object();
  out["enabled"] = given->contains("enabled") ? (*given)["enabled"] : Json(false);
  return out;
}

std::optional<Json> encryption_configuration(const Json& request) {
  const Json* given = member(request, "encryptionConfiguration");
  if (!given) return std::nullopt;
  return *given;
}

Json logging_or_default(const std::string& stored) {
  return stored_or(stored, R"({"level":"OFF","includeExecutionData":false})");
}
Json tracing_or_default(const std::string& stored) { return stored_or(stored, R"({"enabled":false})"); }
Json encryption_or_default(const std::string& stored) { return stored_or(stored, R"({"type":"AWS_OWNED_KEY"})"); }

}  // namespace stepfiber::api
