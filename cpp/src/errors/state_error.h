// ASL runtime errors as data (house rule 2b): they flow through Retry/Catch
// and into history, and are never C++ exceptions.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace stepfiber::asl {

struct StateError {
  std::string error;                 ///< e.g. "States.Runtime"
  std::optional<std::string> cause;  ///< absent when the error has no cause
};

inline StateError make_error(std::string error, std::string cause) {
  return StateError{std::move(error), std::move(cause)};
}

/// A value or an ASL StateError.
template <typename T>
struct Eval {
  std::optional<T> value;
  StateError err;
  bool ok() const { return value.has_value(); }
  static Eval success(T v) { return Eval{std::move(v), {}}; }
  static Eval failure(StateError e) { return Eval{std::nullopt, std::move(e)}; }
};

}  // namespace stepfiber::asl
