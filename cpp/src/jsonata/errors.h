// JSONata errors: jsonata-js's codes, fields and English message templates.
#pragma once

#include <exception>
#include <optional>
#include <string>

#include "jsonata/value.h"

namespace stepfiber::jsonata {

/// One JSONata error (compile or evaluate time), as jsonata-js reports it.
struct Error {
  std::string code;                 ///< e.g. "T2001", "S0201", "U1001"
  std::optional<int> position;      ///< UTF-16 offset in the expression (end of the token)
  Value token;                      ///< the offending token (undefined when none)
  Value value;                      ///< the offending value (undefined when none)
  Value value2;                     ///< second value (T2007, T2009)
  std::optional<int> index;         ///< argument index (signature errors)
  Value exp;                        ///< exponent (D3061)
  std::string type;                 ///< array item type (T0412)
  std::string function_name;        ///< D3140
  std::optional<std::string> user_message;  ///< D3137/D3141 text from $error/$assert

  /// The filled-in message template (jsonata-js populateMessage()).
  std::string message() const;
};

/// The exception the parser and evaluator throw internally; the public API
/// catches it and returns the Error as a value.
struct ErrorException : std::exception {
  explicit ErrorException(Error e) : error(std::move(e)) {}
  const char* what() const noexcept override { return "jsonata error"; }
  Error error;
};

/// Throws an ErrorException with just a code.
[[noreturn]] void throw_error(const char* code);
/// Throws with code and value.
[[noreturn]] void throw_error(const char* code, const Value& value);
/// Throws with code, position and token.
[[noreturn]] void throw_error_at(const char* code, int position, const Value& token);

}  // namespace stepfiber::jsonata
