// Helpers for the JSONata unit tests: evaluate an expression in one call.
#pragma once

#include <string>

#include "jsonata/jsonata.h"

namespace stepfiber::jsonata::testing {

/// Result of eval(): JSON text of the result, "undefined", or "error CODE".
inline std::string eval(const std::string& expr, const std::string& input = "", EvaluateOptions opts = {},
                        const Bindings& bindings = {}) {
  Error err;
  auto e = Expression::compile(expr, &err);
  if (!e) return "error " + err.code;
  Value in;
  if (!input.empty()) {
    std::string perr;
    if (!from_json_text(input, &in, &perr)) return "bad input";
  }
  Value out;
  if (!opts.now_ms) opts.now_ms = 1700000000000;
  if (!e->evaluate(in, bindings, opts, &out, &err)) return "error " + err.code;
  if (out.is_undefined()) return "undefined";
  return result_to_json_text(out);
}

}  // namespace stepfiber::jsonata::testing
