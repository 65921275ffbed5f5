// JSONPath as AWS Step Functions evaluates it (Jayway JsonPath semantics),
// compiled once at definition time and evaluated many times.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::path {

/// The most nodes one JsonPath::select may visit or produce, counting the
/// paths nested in its filters. Repeated deep scans (`$..*..*..*`) or filters
/// that scan per item grow exponentially; a select that would pass this
/// throws SelectLimitExceeded instead of running for minutes. A `$..*` over
/// the largest AWS payload (256 KiB) needs well under a tenth of it.
inline constexpr std::size_t kMaxSelectSteps = std::size_t{1} << 22;

/// Thrown by JsonPath::select when it passes kMaxSelectSteps. The engine
/// reports it as States.Runtime, naming the path.
class SelectLimitExceeded : public std::runtime_error {
 public:
  explicit SelectLimitExceeded(const std::string& path)
      : std::runtime_error("The JSONPath '" + path + "' selects too much: evaluating it visited more than " +
                           std::to_string(kMaxSelectSteps) + " nodes") {}
};

/// One compiled JSONPath such as `$.a.b[0]`, `$['x y']`, `$.items[*].id`,
/// `$..name`, `$.a[1:3]`, `$.a[0,2]`, `$.a[?(@.price < 10)]`.
class JsonPath {
 public:
  /// Compiles `text` (must start with `$`). Error: ErrorCode::kInvalidDefinition
  /// with a message naming the path and the problem.
  static Result<JsonPath> compile(std::string_view text);

  /// Evaluates against `root`.
  /// - Definite path (only names / single indexes): the one value, or nullopt
  ///   when it does not exist.
  /// - Indefinite path (wildcard, slice, index union, deep scan, filter, a
  ///   name union that is not last): a JSON array of every match, in
  ///   document order (possibly empty).
  /// - A name union as the last segment (`$.a['x','y']`) is definite, as in
  ///   Jayway: one object holding the listed keys that exist.
  /// Throws SelectLimitExceeded when an indefinite path would visit more
  /// than kMaxSelectSteps nodes.
  std::optional<Json> select(const Json& root) const;

  bool is_definite() const noexcept { return definite_; }
  const std::string& text() const noexcept { return text_; }

  /// Jayway's normalised bracket form, e.g. `$['a']['b'][0]`, used in AWS
  /// error messages ("No results for path: $['x']").
  std::string normalized() const;

  /// For a definite path that selects nothing from `root`: Jayway's reason,
  /// e.g. "No results for path: $['x']" or "Missing property in path $['a']",
  /// as AWS quotes it in "Invalid path '<text>' : <reason>". Empty when the
  /// path matches or is indefinite.
  std::string explain_no_match(const Json& root) const;

  struct Segment;  // defined in json_path.cpp
  JsonPath();
  ~JsonPath();
  JsonPath(const JsonPath&);
  JsonPath& operator=(const JsonPath&);
  JsonPath(JsonPath&&) noexcept;
  JsonPath& operator=(JsonPath&&) noexcept;

 private:
  std::string text_;
  friend struct JsonPathAccess;  // internals shared inside json_path.cpp
  std::vector<Segment> segments_;
  bool definite_ = true;
  char root_ = '$';  // '@' for the relative paths inside filters
};

/// A Reference Path (ResultPath and friends): `$` or a chain of names and
/// non-negative indexes that identifies exactly one node.
class ReferencePath {
 public:
  /// Error kInvalidDefinition for anything that is not a valid reference path.
  static Result<ReferencePath> compile(std::string_view text);

  /// Writes `value` into `target` at this path (ResultPath semantics): `$`
  /// replaces the whole target; missing intermediate objects are created.
  /// Returns false when the path cannot be applied (e.g. target is a string
  /// and the path is `$.x`, or an index is out of range) -> the caller raises
  /// States.ResultPathMatchFailure.
  bool assign(Json& target, Json value) const;

  /// The value at this path, or nullopt.
  std::optional<Json> get(const Json& root) const;

  bool is_root() const noexcept { return steps_.empty(); }
  const std::string& text() const noexcept { return text_; }

 private:
  struct Step {
    bool is_index = false;
    std::string name;
    std::size_t index = 0;
  };
  std::string text_;
  std::vector<Step> steps_;
};

}  // namespace stepfiber::path
