// EvalScope: what payload templates, value expressions, intrinsic functions
// and choice rules evaluate against.
#pragma once

#include "stepfiber/json.h"

namespace stepfiber::path {

/// What a template or choice rule evaluates against.
struct EvalScope {
  const Json& input;    ///< `$`
  const Json& context;  ///< `$$` (the Context object)
  /// Workflow variables visible to the state (`$name`), an object mapping
  /// name -> value; nullptr when there are none.
  const Json* variables = nullptr;
};

}  // namespace stepfiber::path
