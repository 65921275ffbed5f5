// The one operation layer: every Step Functions operation, over AWS JSON 1.0.
//
// A request is (operation name, JSON body); the answer is an HTTP status and
// a JSON body exactly as AWS sends it: 200 and the output shape (timestamps
// as epoch-seconds numbers, `{}` when empty), or 400 and
// {"__type": "com.amazonaws.swf.service.v2.model#<Code>", "message": ...}.
// Request checks come from botocore's model (api/model.h, generated).
// The HTTP server (http/), the in-process boto3 route and the Python client
// are doors onto this class; none of them knows an operation.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace stepfiber {
class Engine;
}

namespace stepfiber::api {

/// An operation's answer, ready for the wire.
struct Response {
  int http_status = 200;
  std::string body = "{}";  ///< JSON text
  /// The AWS error code ("" on success), for callers that map it themselves.
  std::string error_code;
};

class Service {
 public:
  /// `engine` must outlive the Service.
  explicit Service(Engine& engine);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  using Reply = std::function<void(Response)>;

  /// Runs `operation` (e.g. "StartExecution", or "AWSStepFunctions.StartExecution"
  /// as the X-Amz-Target header carries it) and calls `reply` exactly once.
  /// Never blocks the caller: the work crosses to the engine thread, where
  /// concurrent requests are drained in batches, and `reply` runs on the
  /// engine thread (or, for a request rejected before it crosses, on the
  /// caller's). Long waits (GetActivityTask's poll, StartSyncExecution) hold
  /// no thread while they wait. `reply` must not block.
  void invoke(std::string_view operation, std::string body, Reply reply);

  /// invoke() and wait for the answer (any thread except the engine's).
  Response call(std::string_view operation, std::string body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stepfiber::api
