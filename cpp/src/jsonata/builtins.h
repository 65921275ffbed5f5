// Built-ins implemented outside functions.cpp: picture-string formatting
// (format.cpp, datetime.cpp) and Step Functions' own functions.
#pragma once

#include <vector>

#include "jsonata/evaluator.h"

namespace stepfiber::jsonata {

/// $formatNumber(number, picture, options) (XPath F&O decimal format).
Value builtin_format_number(Evaluator& ev, std::vector<Value>& args, const Value& input, const Env& env);
/// $formatInteger(number, picture).
Value builtin_format_integer(Evaluator& ev, std::vector<Value>& args, const Value& input, const Env& env);
/// $parseInteger(string, picture).
Value builtin_parse_integer(Evaluator& ev, std::vector<Value>& args, const Value& input, const Env& env);
/// $toMillis(timestamp, picture).
Value builtin_to_millis(Evaluator& ev, std::vector<Value>& args, const Value& input, const Env& env);
/// $fromMillis(millis, picture, timezone).
Value builtin_from_millis(Evaluator& ev, std::vector<Value>& args, const Value& input, const Env& env);

/// Step Functions' functions ($partition, $range, $hash, $random, $uuid,
/// $parse); the array ends with an entry whose name is nullptr.
const Builtin* sfn_builtins();

/// jsonata-js round(): half to even, with a decimal precision.
double round_half_even(double value, double precision);

}  // namespace stepfiber::jsonata
