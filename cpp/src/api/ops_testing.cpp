// TestState. Not implemented yet: it answers an AWS-shaped error that says
// so (never UnknownOperationException), so SDK callers see a clear reason.
#include "api/handlers.h"

namespace stepfiber::api::handlers {

Result<Json> test_state(Context&, const Json&) {
  return Status(ErrorCode::kUnsupportedOperation,
                "TestState is not supported by stepfiber yet; run the state in an execution instead");
}

}  // namespace stepfiber::api::handlers
