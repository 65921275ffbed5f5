// EvalScope: what payload templates, value expressions, intrinsic functions
// and choice rules evaluate against.
#pragma once

#include <cstdint>
#include <string_view>

#include "stepfiber/json.h"

namespace stepfiber::path {

/// The top-level parts of the Context object (`$$`), as bits, so that a
/// caller builds only the parts an expression reads.
enum ContextPart : std::uint8_t {
  kContextExecution = 1,
  kContextStateMachine = 2,
  kContextState = 4,
  kContextTask = 8,
  kContextMap = 16,
  kContextAll = 31,
};

/// The parts a context path reads, from its text after `$$` (".Task.Token"
/// -> kContextTask). Anything but a plain first name (`$$`, `$$.*`,
/// `$$..x`, `$$['Task']`) reads them all.
inline std::uint8_t context_parts_of(std::string_view after_dollars) {
  if (after_dollars.size() < 2 || after_dollars[0] != '.' || after_dollars[1] == '.') return kContextAll;
  std::string_view name = after_dollars.substr(1);
  name = name.substr(0, name.find_first_of(".["));
  if (name == "Execution") return kContextExecution;
  if (name == "StateMachine") return kContextStateMachine;
  if (name == "State") return kContextState;
  if (name == "Task") return kContextTask;
  if (name == "Map") return kContextMap;
  return kContextAll;
}

/// What a template or choice rule evaluates against.
struct EvalScope {
  const Json& input;    ///< `$`
  const Json& context;  ///< `$$` (the Context object)
  /// Workflow variables visible to the state (`$name`), an object mapping
  /// name -> value; nullptr when there are none.
  const Json* variables = nullptr;
};

}  // namespace stepfiber::path
