// Static validation of a state machine definition, as AWS's
// ValidateStateMachineDefinition and CreateStateMachine see it.
//
// One pass over the parsed definition, in both query languages (JSONPath and
// JSONata), that checks what AWS checks before anything runs: the document
// shape, field legality per state type and per query language, value types
// and bounds (retriers, timeouts, Map tolerances), transitions (missing
// targets, unreachable states, terminal states), the syntax of paths,
// payload templates and intrinsic calls, RFC 3339 timestamps, Task
// resources, Map labels and the EXPRESS restrictions. Every problem becomes
// a Diagnostic with AWS's code, message wording and JSON-pointer location.
//
// The validator does not need the engine to support a feature: a JSONata
// definition AWS accepts validates OK here even though the engine cannot run
// it yet (the compiler reports that separately, at create time).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "asl/compiler.h"
#include "stepfiber/json.h"

namespace stepfiber::asl {

struct ValidateOptions {
  std::string type = "STANDARD";  ///< STANDARD | EXPRESS (EXPRESS adds its restrictions)
  bool warnings = false;          ///< also report WARNING diagnostics
};

/// Every diagnostic for a definition text, errors first in document order.
/// Parse failures give INVALID_JSON_DESCRIPTION (Jackson-style message and
/// location) or SCHEMA_VALIDATION_FAILED "Definition must be a valid JSON
/// object" (blank text or a non-object document).
std::vector<Diagnostic> validate_definition(std::string_view definition, const ValidateOptions& options = {});

inline std::vector<Diagnostic> validate_definition(const std::string& definition,
                                                   const ValidateOptions& options = {}) {
  return validate_definition(std::string_view(definition), options);
}
inline std::vector<Diagnostic> validate_definition(const char* definition, const ValidateOptions& options = {}) {
  return validate_definition(std::string_view(definition), options);
}

/// The same on an already parsed definition.
std::vector<Diagnostic> validate_definition(const Json& definition, const ValidateOptions& options = {});

/// ValidateStateMachineDefinition's answer.
struct ValidationReport {
  std::string result;  ///< "OK" | "FAIL" (OK even with warnings)
  std::vector<Diagnostic> diagnostics;
  bool truncated = false;
};

/// Runs validate_definition and applies AWS's response rules: `severity`
/// ERROR (default) reports errors only, WARNING errors and warnings;
/// `max_results` 0 means 100; `truncated` says diagnostics were cut.
ValidationReport validation_report(std::string_view definition, const std::string& type,
                                   const std::string& severity, std::size_t max_results);

}  // namespace stepfiber::asl
