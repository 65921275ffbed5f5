// Wire helpers: timestamp numbers, error bodies and member access.
#include "api/wire.h"

namespace stepfiber::api {

Json timestamp(std::int64_t ms) {
  if (ms % 1000 == 0) return Json(ms / 1000);
  return Json(static_cast<double>(ms) / 1000.0);
}

std::string error_body(const Status& status) {
  std::string ns;
  switch (status.code()) {
    case ErrorCode::kValidationException: ns = "com.amazon.coral.validate#"; break;
    case ErrorCode::kSerializationException:
    case ErrorCode::kUnknownOperationException: ns = "com.amazon.coral.service#"; break;
    default: ns = "com.amazonaws.swf.service.v2.model#"; break;
  }
  Json body = Json::object();
  body["__type"] = ns + std::string(status.code_name());
  body["message"] = status.message();
  return dump_json(body);
}

int error_http_status(const Status& status) {
  // SDKs retry 5xx, so every modelled error is a 400; a closed engine
  // (shutting down) is the one 503.
  return status.code() == ErrorCode::kEngineClosed ? 503 : 400;
}

std::optional<std::string> opt_string(const Json& request, std::string_view member) {
  auto it = request.find(member);
  if (it == request.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string str(const Json& request, std::string_view member) { return opt_string(request, member).value_or(""); }

std::optional<std::int64_t> opt_int(const Json& request, std::string_view member) {
  auto it = request.find(member);
  if (it == request.end() || !it->is_number()) return std::nullopt;
  return static_cast<std::int64_t>(it->get<double>());
}

std::optional<bool> opt_bool(const Json& request, std::string_view member) {
  auto it = request.find(member);
  if (it == request.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

}  // namespace stepfiber::api
