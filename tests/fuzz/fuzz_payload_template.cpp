// Fuzz target: JSON text -> PayloadTemplate::compile -> evaluate on a fixed
// input, Context object and variables.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "payload/payload_template.h"

using namespace stepfiber;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto json = parse_json(fuzz::text(data, size));
  if (!json.ok()) return 0;
  auto tmpl = path::PayloadTemplate::compile(*json, "Parameters");
  if (!tmpl.ok()) return 0;
  const path::EvalScope with_vars{fuzz::fixed_input(), fuzz::fixed_context(), &fuzz::fixed_variables()};
  auto r = tmpl->evaluate(with_vars);
  if (r.ok()) (void)dump_json(*r.value);
  else if (r.err.error.empty()) fuzz::fail("a failure without an error name");
  const Json empty = Json::object();
  const path::EvalScope bare{empty, empty, nullptr};
  (void)tmpl->evaluate(bare);
  return 0;
}
