// Fuzz target: json::jackson_syntax_error (Jackson's wording for a JSON
// syntax error; execution input is a wire input). Invariants: no crash or
// hang on any bytes, and a text the parser accepts is never reported as an
// error.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "json/jackson_errors.h"

using namespace stepfiber;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::text(data, size);
  const auto message = json::jackson_syntax_error(text);
  if (message && parse_json(text).ok()) fuzz::fail("a valid document reported as a syntax error");
  return 0;
}
