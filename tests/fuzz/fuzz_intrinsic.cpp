// Fuzz target: intrinsic function text -> Intrinsic::compile -> evaluate on
// a fixed input, Context object and variables.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "intrinsics/intrinsic.h"

using namespace stepfiber;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto call = intrinsics::Intrinsic::compile(fuzz::text(data, size), "value.$");
  if (!call.ok()) return 0;
  const path::EvalScope scope{fuzz::fixed_input(), fuzz::fixed_context(), &fuzz::fixed_variables()};
  auto r = call->evaluate(scope);
  if (r.ok()) (void)dump_json(*r.value);
  else if (r.err.error.empty()) fuzz::fail("a failure without an error name");
  return 0;
}
