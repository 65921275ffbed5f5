// The operation table: every operation the layer routes, and how.
//
// A handler runs on the engine thread, inside one posted command: the public
// Engine methods it calls run inline there (Core::post_and_wait detects the
// engine thread), so an operation costs one crossing however many engine
// calls it makes. A synchronous handler returns its output (JSON, before
// the wire's timestamp conversion: use wire.h's helpers) or a Status; an
// asynchronous one answers through `done` later, holding no thread.
// Requests reaching a handler have passed the model's checks
// (api/validate.h), so required members are present and typed.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber {
class Engine;
namespace engine {
class Core;
}
}  // namespace stepfiber

namespace stepfiber::api {

class Deadlines;

/// What a handler may use.
struct Context {
  Engine& engine;
  engine::Core& core;  ///< engine-thread state (the handler runs there)
  /// Wall-clock callbacks for long polls (shared: a posted callback may
  /// outlive the Service; after Service::~Service it is a no-op).
  std::shared_ptr<Deadlines> deadlines;
};

using Done = std::function<void(Result<Json>)>;
using SyncHandler = Result<Json> (*)(Context&, const Json& request);
using AsyncHandler = void (*)(Context&, const Json& request, Done done);

struct OperationSpec {
  std::string_view name;
  SyncHandler sync = nullptr;
  AsyncHandler async = nullptr;
  /// Input members the handler reads.
  std::vector<std::string_view> reads;
  /// Input members accepted and deliberately not used: (member, why).
  std::vector<std::pair<std::string_view, std::string_view>> ignored;
  /// True for StepFiber.* extensions (not in botocore's model).
  bool extension = false;
};

/// Every routed operation, model operations first (operation_table.cpp).
const std::vector<OperationSpec>& operation_table();
/// The spec for `name` ("StartExecution"), or nullptr.
const OperationSpec* find_operation(std::string_view name, bool extension);

}  // namespace stepfiber::api
