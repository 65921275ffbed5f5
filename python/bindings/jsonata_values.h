// Python objects <-> jsonata::Value, directly (no JSON text in between).
//
// The mapping is the one json.dumps / json.loads give, so results are the
// same as a round trip through JSON text:
//   - dict (keys str, or int/float/bool/None printed as json.dumps prints
//     them), list and tuple, str, int, float, bool, None;
//   - the caller's `undefined` sentinel is JavaScript's undefined;
//   - numbers come back as int when integral and below 1e21 (where
//     JavaScript prints digits, so json.loads would give an int), else float;
//   - strings are WTF-8 inside the engine, so lone surrogates survive.
// Both directions need the GIL.
#pragma once

#include <pybind11/pybind11.h>

#include "jsonata/value.h"

namespace stepfiber_python {

/// Converts a JSON-like Python object. `undefined` is the sentinel that
/// stands for JavaScript's undefined. Raises TypeError for an object json.dumps
/// would refuse, ValueError past `max_depth` nesting (which also stops
/// circular references).
stepfiber::jsonata::Value to_jsonata_value(pybind11::handle obj, pybind11::handle undefined, int max_depth = 10000);

/// Converts an engine value to Python. Undefined becomes `undefined`;
/// undefined object members are skipped and undefined array items become
/// None (JSON.stringify); functions become "".
pybind11::object from_jsonata_value(const stepfiber::jsonata::Value& v, pybind11::handle undefined);

}  // namespace stepfiber_python
