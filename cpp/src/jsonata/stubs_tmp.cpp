#include "jsonata/builtins.h"
namespace stepfiber::jsonata {
Value builtin_format_number(Evaluator&, std::vector<Value>&, const Value&, const Env&) { return Value(); }
Value builtin_format_integer(Evaluator&, std::vector<Value>&, const Value&, const Env&) { return Value(); }
Value builtin_parse_integer(Evaluator&, std::vector<Value>&, const Value&, const Env&) { return Value(); }
Value builtin_to_millis(Evaluator&, std::vector<Value>&, const Value&, const Env&) { return Value(); }
Value builtin_from_millis(Evaluator&, std::vector<Value>&, const Value&, const Env&) { return Value(); }
const Builtin* sfn_builtins() { static const Builtin end{nullptr, nullptr, 0, nullptr, false}; return &end; }
}
