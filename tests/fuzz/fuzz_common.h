// Shared helpers for the libFuzzer targets (tests/fuzz/CMakeLists.txt).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "stepfiber/json.h"

namespace stepfiber::fuzz {

/// A broken invariant: print it and abort, so libFuzzer saves the input.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// The state input (`$`) every evaluating target reads.
inline const Json& fixed_input() {
  static const Json doc = Json::parse(R"({
    "store": {"book": [
      {"category": "reference", "author": "Rees", "title": "Sayings", "price": 8.95},
      {"category": "fiction", "author": "Waugh", "title": "Sword", "price": 12.99, "tags": ["a", "b"]},
      {"category": "fiction", "author": "Melville", "isbn": "0-553", "price": 8.99, "n": null}],
      "bicycle": {"color": "red", "price": 19.95}},
    "items": [1, 2, 3, -4.5, 1e300, "x", true, null, [], {}],
    "s": "a,b,,c {} \\u00e9", "b64": "aGVsbG8=", "json": "{\"a\":[1,2]}", "n": 42, "f": -0.5,
    "nested": {"a": {"b": {"c": [[0, 1], [2, {"d": "deep"}]]}}}, "empty": {}, "nul": null})");
  return doc;
}

/// The Context object (`$$`).
inline const Json& fixed_context() {
  static const Json ctx = Json::parse(R"({
    "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:m:e", "Name": "e",
                  "Input": {"k": "v"}, "StartTime": "2024-01-01T00:00:00.000Z",
                  "RoleArn": "arn:aws:iam::123456789012:role/r", "RedriveCount": 0},
    "State": {"Name": "S", "EnteredTime": "2024-01-01T00:00:00.000Z", "RetryCount": 0},
    "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "Name": "m"},
    "Task": {"Token": "AAAA"}, "Map": {"Item": {"Index": 1, "Value": {"x": [1, 2]}}}})");
  return ctx;
}

/// Workflow variables (`$name`).
inline const Json& fixed_variables() {
  static const Json vars = Json::parse(R"({"x": 1, "name": "n", "list": [3, 1, 2], "obj": {"k": [true, null]}})");
  return vars;
}

}  // namespace stepfiber::fuzz
