// TestState's check of a mocked result against its integration's result shape
// (see integration_shapes.h). The table is parsed once, on first use.
#include "engine/integration_shapes.h"

#include <map>
#include <set>
#include <vector>

#include "jsonata/unicode.h"

namespace stepfiber::engine {
namespace {

#include "engine/integration_shapes_generated.inc"

struct Shape {
  enum class Type { kStructure, kList, kMap, kString, kTimestamp, kBlob, kNumber, kBoolean, kDocument };
  Type type = Type::kDocument;
  std::map<std::string, const Shape*> members;  ///< by the name Step Functions prints
  std::vector<std::string> required;
  std::optional<double> min, max;
  std::set<std::string> enums;
  const Shape* element = nullptr;  ///< a list's member, a map's value
};

struct Table {
  std::map<std::string, Shape> shapes;
  std::map<std::string, const Shape*> outputs;  ///< integration key -> result shape (null: no output)
};

Shape::Type type_named(const std::string& t) {
  using T = Shape::Type;
  static const std::map<std::string, T> types{
      {"structure", T::kStructure}, {"list", T::kList},       {"map", T::kMap},         {"string", T::kString},
      {"timestamp", T::kTimestamp}, {"blob", T::kBlob},       {"integer", T::kNumber},  {"long", T::kNumber},
      {"float", T::kNumber},        {"double", T::kNumber},   {"boolean", T::kBoolean}, {"document", T::kDocument}};
  auto it = types.find(t);
  return it == types.end() ? T::kDocument : it->second;
}

const Table& table() {
  static const Table t = [] {
    Table out;
    const Json doc = Json::parse(kIntegrationShapesJson);
    for (const auto& [name, s] : doc.at("shapes").items()) out.shapes[name].type = type_named(s.at("type"));
    auto ref = [&](const Json& name) -> const Shape* { return &out.shapes.at(name.get<std::string>()); };
    for (const auto& [name, s] : doc.at("shapes").items()) {
      Shape& shape = out.shapes[name];
      if (s.contains("members")) {
        for (const auto& [m, target] : s.at("members").items()) shape.members[m] = ref(target);
      }
      if (s.contains("required")) shape.required = s.at("required").get<std::vector<std::string>>();
      if (s.contains("min")) shape.min = s.at("min").get<double>();
      if (s.contains("max")) shape.max = s.at("max").get<double>();
      if (s.contains("enum")) shape.enums = s.at("enum").get<std::set<std::string>>();
      if (s.contains("member")) shape.element = ref(s.at("member"));
      if (s.contains("value")) shape.element = ref(s.at("value"));
    }
    for (const auto& [key, integration] : doc.at("integrations").items()) {
      const Json& output = integration.at("output");
      out.outputs[key] = output.is_string() ? ref(output) : nullptr;
    }
    return out;
  }();
  return t;
}

const char* kPrefix = "Mock result schema validation error: ";

class Checker {
 public:
  explicit Checker(bool strict) : strict_(strict) {}

  std::optional<std::string> check(const Json& v, const Shape& s, const std::string& field) const {
    using T = Shape::Type;
    if (v.is_null() || s.type == T::kDocument) return std::nullopt;
    switch (s.type) {
      case T::kStructure: return structure(v, s, field);
      case T::kList:
        if (!v.is_array()) return must(field, "an array");
        for (const Json& item : v) {
          if (auto e = check(item, *s.element, field)) return e;
        }
        return std::nullopt;
      case T::kMap:
        if (!v.is_object()) return must(field, "an object");
        for (const auto& [k, item] : v.items()) {
          (void)k;
          if (auto e = check(item, *s.element, field)) return e;
        }
        return std::nullopt;
      case T::kString:
      case T::kTimestamp:
      case T::kBlob: return text(v, s, field);
      case T::kNumber:
        if (!v.is_number()) return must(field, "a number");
        if (s.min && v.get<double>() < *s.min) return said(field, "is less than the minimum value");
        if (s.max && v.get<double>() > *s.max) return said(field, "exceeds the maximum value");
        return std::nullopt;
      case T::kBoolean:
        if (!v.is_boolean()) return must(field, "a boolean");
        return std::nullopt;
      case T::kDocument: break;
    }
    return std::nullopt;
  }

 private:
  std::optional<std::string> structure(const Json& v, const Shape& s, const std::string& field) const {
    if (!v.is_object()) {
      if (field.empty()) return std::string(kPrefix) + "The mock result must be a JSON object";
      return must(field, "an object");
    }
    if (strict_) {
      for (const std::string& r : s.required) {
        if (!v.contains(r)) return std::string(kPrefix) + "Required field '" + r + "' is missing";
      }
    }
    for (const auto& [k, item] : v.items()) {
      auto m = s.members.find(k);
      if (m == s.members.end()) continue;  // not in the API's shape: accepted
      if (auto e = check(item, *m->second, k)) return e;
    }
    return std::nullopt;
  }

  std::optional<std::string> text(const Json& v, const Shape& s, const std::string& field) const {
    if (!v.is_string()) return must(field, "a string");
    const std::string& str = v.get_ref<const std::string&>();
    if (!s.enums.empty() && !s.enums.count(str)) return said(field, "is not an expected value");
    if (s.type == Shape::Type::kTimestamp) return std::nullopt;
    const auto n = static_cast<double>(jsonata::code_point_length(str));
    if (s.min && n < *s.min) return said(field, "is smaller than the minimum length");
    if (s.max && n > *s.max) return said(field, "exceeds the maximum length");
    return std::nullopt;
  }

  static std::string said(const std::string& field, const char* what) {
    return std::string(kPrefix) + "Field '" + field + "' " + what;
  }
  static std::string must(const std::string& field, const char* type) {
    if (field.empty()) return std::string(kPrefix) + "The mock result must be " + type;
    return said(field, (std::string("must be ") + type).c_str());
  }

  bool strict_;
};

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::optional<std::string> integration_key(const std::string& resource) {
  // arn:<partition>:states:::<service>:<action>[.<pattern>]
  if (resource.rfind("arn:", 0) != 0) return std::nullopt;
  const auto states = resource.find(":states:::");
  if (states == std::string::npos || resource.find(':', 4) != states) return std::nullopt;
  std::string key = resource.substr(states + 10);
  for (const char* pattern : {".sync", ".sync:2", ".waitForTaskToken"}) {
    if (ends_with(key, pattern)) return std::nullopt;
  }
  return key;
}

bool has_result_shape(const std::string& key) {
  auto it = table().outputs.find(key);
  return it != table().outputs.end() && it->second != nullptr;
}

std::optional<std::string> check_mock_result(const std::string& key, const Json& result, FieldValidationMode mode) {
  if (mode == FieldValidationMode::kNone) return std::nullopt;
  auto it = table().outputs.find(key);
  if (it == table().outputs.end() || !it->second) return std::nullopt;
  return Checker(mode == FieldValidationMode::kStrict).check(result, *it->second, "");
}

const char* integration_shapes_botocore_version() { return kShapesBotocoreVersion; }

}  // namespace stepfiber::engine
