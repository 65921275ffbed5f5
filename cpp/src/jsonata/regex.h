// JavaScript regular expressions for JSONata, on PCRE2's 16-bit library:
// a small rewrite layer maps JS (non-`u`) syntax onto PCRE2, and offsets are
// UTF-16 units as in JavaScript.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stepfiber::jsonata {

/// A compiled, immutable, thread-safe regular expression.
class Regex {
 public:
  /// One match: [start, end) in UTF-16 units; groups unset are nullopt.
  struct Match {
    std::size_t start = 0;
    std::size_t end = 0;
    std::vector<std::optional<std::pair<std::size_t, std::size_t>>> groups;
  };

  /// Compiles a JS pattern (UTF-8 source) with flags from "im". Returns
  /// nullptr and sets *error when PCRE2 rejects it.
  static std::shared_ptr<const Regex> compile(std::string_view pattern, std::string_view flags, std::string* error);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  /// Searches `subject` from `from`; true and *m filled on a match.
  bool exec(std::u16string_view subject, std::size_t from, Match* m) const;
  /// The JS source text of the pattern.
  const std::string& source() const { return source_; }

 private:
  Regex() = default;
  std::string source_;
  void* code_ = nullptr;  // pcre2_code_16*
};

/// Rewrites JS regex syntax to PCRE2 syntax (exposed for tests).
std::u16string rewrite_js_regex(std::u16string_view js);

}  // namespace stepfiber::jsonata
