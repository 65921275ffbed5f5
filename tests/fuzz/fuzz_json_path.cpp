// Fuzz target: JsonPath and ReferencePath compile, then select / get /
// assign / explain on a small fixed document.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "path/json_path.h"

using namespace stepfiber;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::text(data, size);
  const Json& doc = fuzz::fixed_input();
  if (auto p = path::JsonPath::compile(text); p.ok()) {
    try {
      auto v = p->select(doc);
      if (!p->is_definite() && (!v || !v->is_array())) fuzz::fail("indefinite path did not give an array");
      (void)p->normalized();
      (void)p->explain_no_match(doc);
      if (v) (void)p->select(*v);  // the result as a document
    } catch (const path::SelectLimitExceeded&) {
      // The documented way out of an exponential path; anything else escapes.
    }
  }
  if (auto r = path::ReferencePath::compile(text); r.ok()) {
    auto got = r->get(doc);
    Json target = doc;
    const bool assigned = r->assign(target, Json{{"written", true}});
    if (assigned) {
      auto back = r->get(target);
      if (!back || *back != Json{{"written", true}}) fuzz::fail("assign then get did not read back the value");
    }
    Json scalar = "just a string";
    (void)r->assign(scalar, Json(1));
    Json null_target;
    (void)r->assign(null_target, Json::array());
    (void)got;
  }
  return 0;
}
