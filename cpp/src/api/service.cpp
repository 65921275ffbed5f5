// Service: resolves the target, reads and checks the body against the
// model, then runs the handler on the engine thread in one posted command.
#include "api/service.h"

#include <exception>

#include "api/deadlines.h"
#include "api/model.h"
#include "api/operations.h"
#include "api/validate.h"
#include "api/wire.h"
#include "engine/core.h"
#include "runtime/reply_latch.h"
#include "stepfiber/engine.h"
#include "stepfiber/json.h"

namespace stepfiber::api {
namespace {

constexpr std::string_view kModelPrefix = "AWSStepFunctions.";
constexpr std::string_view kExtensionPrefix = "StepFiber.";

Response to_response(const Result<Json>& r) {
  Response resp;
  if (r.ok()) {
    resp.http_status = 200;
    resp.body = dump_json(r.value());
  } else {
    resp.http_status = error_http_status(r.status());
    resp.body = error_body(r.status());
    resp.error_code = std::string(r.status().code_name());
  }
  return resp;
}

Response internal_failure(const char* what) {
  Response resp;
  resp.http_status = 500;
  resp.error_code = "InternalFailure";
  Json body = Json::object();
  body["__type"] = "com.amazon.coral.service#InternalFailure";
  body["message"] = std::string("stepfiber internal error: ") + what;
  resp.body = dump_json(body);
  return resp;
}

}  // namespace

struct Service::Impl {
  Engine& engine;
  std::shared_ptr<Deadlines> deadlines = std::make_shared<Deadlines>();
  explicit Impl(Engine& e) : engine(e) {}
};

Service::Service(Engine& engine) : impl_(std::make_unique<Impl>(engine)) {}

Service::~Service() { impl_->deadlines->stop(); }

void Service::invoke(std::string_view operation, std::string body, Reply reply) {
  std::string_view name = operation;
  bool extension = false;
  if (name.starts_with(kModelPrefix)) {
    name.remove_prefix(kModelPrefix.size());
  } else if (name.starts_with(kExtensionPrefix)) {
    name.remove_prefix(kExtensionPrefix.size());
    extension = true;
  }
  const OperationSpec* spec = name.find('.') == std::string_view::npos ? find_operation(name, extension) : nullptr;
  if (spec == nullptr) {
    reply(to_response(Status(ErrorCode::kUnknownOperationException,
                             "The operation '" + std::string(operation) + "' is not recognized")));
    return;
  }
  // The body: JSON text of an object; an empty body reads as {}.
  Json request = Json::object();
  if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
    auto parsed = parse_json(body, ErrorCode::kSerializationException);
    if (!parsed.ok()) {
      reply(to_response(Status(ErrorCode::kSerializationException, parsed.status().message())));
      return;
    }
    if (!parsed->is_object()) {
      reply(to_response(Status(ErrorCode::kSerializationException, "The request body must be a JSON object")));
      return;
    }
    request = std::move(parsed).value();
  }
  if (!extension) {
    const Operation* op = Model::get().operation(name);
    if (op != nullptr && op->input != nullptr) {
      if (Status st = validate_request(*op->input, request); !st.ok()) {
        reply(to_response(st));
        return;
      }
    }
  }
  Engine& eng = impl_->engine;
  engine::Core& core = eng.core();
  auto deadlines = impl_->deadlines;
  auto shared_reply = std::make_shared<Reply>(std::move(reply));
  const bool posted = core.post([&eng, &core, deadlines, spec, shared_reply, request = std::move(request)] {
    Context ctx{eng, core, deadlines};
    try {
      if (spec->sync != nullptr) {
        Response resp = to_response(spec->sync(ctx, request));
        core.after_round([shared_reply, resp = std::move(resp)] { (*shared_reply)(resp); });
      } else {
        spec->async(ctx, request, [shared_reply](Result<Json> r) { (*shared_reply)(to_response(r)); });
      }
    } catch (const std::exception& e) {
      (*shared_reply)(internal_failure(e.what()));
    } catch (...) {
      (*shared_reply)(internal_failure("unknown exception"));
    }
  });
  if (!posted) (*shared_reply)(to_response(Status(ErrorCode::kEngineClosed, "The engine is closed")));
}

Response Service::call(std::string_view operation, std::string body) {
  runtime::ReplyLatch done;
  Response out;
  invoke(operation, std::move(body), [&](Response r) {
    out = std::move(r);
    done.release();
  });
  done.wait();
  return out;
}

}  // namespace stepfiber::api
