// Function signatures (`<s-nn?:s>`): parsed once into a small matcher that
// validates and coerces call arguments as jsonata-js's signature.js does.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jsonata/value.h"

namespace stepfiber::jsonata {

/// A compiled function signature.
class Signature {
 public:
  /// Parses a signature. On failure returns nullptr and sets the error code
  /// (S0401/S0402), the offset in the signature and the offending value.
  static std::shared_ptr<const Signature> parse(std::string_view text, std::string* code, int* offset,
                                                Value* value);
  /// Parses a built-in's signature (must be valid).
  static std::shared_ptr<const Signature> builtin(std::string_view text);

  /// Validates `args` against the signature, filling context arguments (`-`)
  /// from `context` and wrapping single values for array parameters. Throws
  /// ErrorException (T0410, T0411, T0412).
  std::vector<Value> validate(const std::vector<Value>& args, const Value& context) const;

  /// Number of declared parameters.
  std::size_t param_count() const { return params_.size(); }
  const std::string& definition() const { return definition_; }

 private:
  struct Param {
    std::string symbols;  // accepted type symbols, 'm' = missing
    std::string context_symbols;
    char type = 0;        // s n b l o a f j x or '(' for a choice
    std::string subtype;
    int min = 1, max = 1;
    bool context = false;
  };
  bool match(std::size_t pi, std::size_t pos, std::string_view sig, bool anchored, std::size_t limit,
             std::vector<int>& counts, std::size_t* end) const;
  std::vector<Param> params_;
  std::string definition_;
};

/// The signature type symbol of a value (s n b l o a f m).
char signature_symbol(const Value& v);

}  // namespace stepfiber::jsonata
