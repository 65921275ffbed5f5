// Fuzz target: definition text -> parser (simdjson) -> validator -> compiler.
#include <cstddef>
#include <cstdint>

#include "asl/compiler.h"
#include "fuzz_common.h"

using namespace stepfiber;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  asl::CompileResult r = asl::compile_program(fuzz::text(data, size));
  if (r.program == nullptr && r.diagnostics.empty()) fuzz::fail("no program and no diagnostic");
  bool has_error = false;
  for (const auto& d : r.diagnostics) has_error = has_error || d.severity == "ERROR";
  if (r.program != nullptr && has_error) fuzz::fail("a program despite an ERROR diagnostic");
  if (!r.diagnostics.empty()) (void)asl::invalid_definition_message(r.diagnostics);
  return 0;
}
