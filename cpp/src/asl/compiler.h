// Definition text -> immutable Program, with AWS-shaped diagnostics.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asl/program.h"
#include "stepfiber/status.h"

namespace stepfiber::asl {

/// One problem found in a definition, as ValidateStateMachineDefinition
/// reports it: an AWS code, a message and a JSON-pointer location.
struct Diagnostic {
  std::string code;      ///< e.g. "SCHEMA_VALIDATION_FAILED"
  std::string message;
  std::string location;  ///< e.g. "/States/Wait/Timestamp"; "" when none
  std::string severity = "ERROR";  ///< ERROR | WARNING (asl/validator.h)
};

struct CompileResult {
  std::shared_ptr<const Program> program;  ///< null when diagnostics is non-empty
  std::vector<Diagnostic> diagnostics;
};

/// A key escaped for a JSON pointer (RFC 6901: `~` -> `~0`, `/` -> `~1`).
std::string escape_pointer(const std::string& key);

/// Parses (simdjson, once), validates (asl/validator.h: AWS's diagnostics)
/// and compiles a definition. Definitions AWS accepts but the engine cannot
/// run yet (JSONata, ItemReader, ResultWriter) fail after validation with a
/// "not supported yet" diagnostic.
CompileResult compile_program(std::string_view definition);

/// AWS's InvalidDefinition message for a set of diagnostics:
/// "Invalid State Machine Definition: 'CODE: message at /loc, ...'".
std::string invalid_definition_message(const std::vector<Diagnostic>& diagnostics);

}  // namespace stepfiber::asl
