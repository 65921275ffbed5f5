// Fuzz target: JSONata expression text -> Expression::compile -> evaluate on
// a fixed document with tight time, memory and stack guards (with the Step
// Functions functions on, and again off). No crash, no hang past the guards.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "jsonata/jsonata.h"

using namespace stepfiber;

namespace {

const jsonata::Value& fixed_document() {
  static const jsonata::Value doc = [] {
    jsonata::Value v;
    std::string err;
    jsonata::from_json_text(
        R"({"Account":{"Name":"Firefly","Order":[{"ID":"o1","Product":[{"Name":"Hat","Price":34.45,"Qty":2,)"
        R"("Tags":["a","b"]},{"Name":"Cloak","Price":107.99,"Qty":1}]},{"ID":"o2","Product":[{"Name":"Hat",)"
        R"("Price":34.45,"Qty":4}]}]},"n":[3,1,2,1e21,-0.5],"s":"h\u00e9llo \ud83d\ude00","t":true,"z":null,)"
        R"("10":"ten","2":"two","d":"2018-03-23T10:33:36.617Z"})",
        &v, &err);
    return v;
  }();
  return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  const std::string expr(fuzz::text(data, size));
  jsonata::Error err;
  auto e = jsonata::Expression::compile(expr, &err);
  if (!e) {
    if (err.code.empty()) fuzz::fail("a compile error without a code");
    (void)err.message();
    return 0;
  }
  for (bool sfn : {true, false}) {
    jsonata::EvaluateOptions opts;
    opts.sfn_functions = sfn;
    opts.now_ms = 1521801216617;
    opts.limits.timelimit_ms = 200;
    opts.limits.memory_bytes = 32 * 1024 * 1024;
    opts.limits.stack_bytes = 1024 * 1024;
    opts.limits.depth = 2000;
    jsonata::Value out;
    if (e->evaluate(fixed_document(), {{"v", jsonata::Value::number(1)}}, opts, &out, &err)) {
      (void)jsonata::result_to_json_text(out);
    } else {
      if (err.code.empty()) fuzz::fail("an evaluation error without a code");
      (void)err.message();
    }
  }
  return 0;
}
