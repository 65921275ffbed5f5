// botocore's stepfunctions model, as tables the operation layer reads.
//
// Built once from model_generated.inc (generate_model.py), never by hand:
// operations with their input/output shapes and error codes, and every
// shape's type and constraints (lengths, ranges, patterns, enums,
// required members, sensitivity).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace stepfiber::api {

struct Shape;

/// One member of a structure shape.
struct Member {
  std::string name;
  const Shape* shape = nullptr;
  bool required = false;
};

/// A compiled `pattern` constraint (Java regex syntax, whole-string match).
class Pattern {
 public:
  explicit Pattern(std::string source);
  ~Pattern();
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;
  /// True when all of `text` matches.
  bool matches(std::string_view text) const;
  const std::string& source() const noexcept { return source_; }

 private:
  std::string source_;
  void* code_ = nullptr;  ///< pcre2_code_8*
};

struct Shape {
  enum class Type { kStructure, kString, kInteger, kLong, kBoolean, kTimestamp, kList, kMap, kBlob, kFloat, kDouble };
  std::string name;
  Type type = Type::kStructure;
  std::vector<Member> members;  ///< structure, in model order
  std::optional<double> min, max;
  std::unique_ptr<Pattern> pattern;
  std::vector<std::string> enum_values;
  bool sensitive = false;
  bool exception = false;
  const Shape* member = nullptr;  ///< list element
  const Shape* key = nullptr;     ///< map key
  const Shape* value = nullptr;   ///< map value

  const Member* find_member(std::string_view name) const noexcept;
};

struct Operation {
  std::string name;
  const Shape* input = nullptr;   ///< nullptr: no input members
  const Shape* output = nullptr;  ///< nullptr: answers {}
  std::vector<std::string> errors;
  std::string host_prefix;  ///< "sync-" for StartSyncExecution and TestState
};

class Model {
 public:
  /// The model compiled into this library (built on first use; thread-safe).
  static const Model& get();

  const Operation* operation(std::string_view name) const noexcept;
  const Shape* shape(std::string_view name) const noexcept;
  const std::vector<const Operation*>& operations() const noexcept { return ordered_ops_; }
  /// botocore's version the model was generated from.
  const std::string& botocore_version() const noexcept { return botocore_version_; }
  /// The pruned model as JSON text (for the Python client's response shaping).
  const std::string& json_text() const noexcept { return text_; }
  std::string_view target_prefix() const noexcept { return target_prefix_; }

 private:
  Model();
  std::string text_;
  std::string botocore_version_;
  std::string target_prefix_;
  std::unordered_map<std::string, std::unique_ptr<Shape>> shapes_;
  std::unordered_map<std::string, std::unique_ptr<Operation>> ops_;
  std::vector<const Operation*> ordered_ops_;
};

}  // namespace stepfiber::api
