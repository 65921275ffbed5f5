// TestState: one state run in isolation (engine/test_state.h).
#include "api/handlers.h"
#include "engine/core.h"
#include "engine/test_state.h"

namespace stepfiber::api::handlers {

Result<Json> test_state(Context& c, const Json& request) {
  return engine::run_test_state(c.core.options(), c.core.now(), request);
}

}  // namespace stepfiber::api::handlers
