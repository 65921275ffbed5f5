// Request checks from the model: types first, then every constraint.
#include "api/validate.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

// g++ 12 at -O3 reports a false -Wrestrict inside std::string's operator+
// on short literals (GCC PR 105651); the concatenations here are plain.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

namespace stepfiber::api {
namespace {

/// Code points in a UTF-8 string (AWS counts characters, not bytes).
std::size_t char_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string number_text(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return dump_json(Json(v));
}

const char* json_kind(const Json& v) {
  if (v.is_object()) return "Start of structure or map found where not expected.";
  if (v.is_array()) return "Start of list found where not expected.";
  if (v.is_string()) return "STRING_VALUE can not be converted to the member's type.";
  if (v.is_boolean()) return "BOOLEAN_VALUE can not be converted to the member's type.";
  return "NUMBER_VALUE can not be converted to the member's type.";
}

bool fits(const Shape& s, const Json& v) {
  using T = Shape::Type;
  switch (s.type) {
    case T::kStructure:
    case T::kMap: return v.is_object();
    case T::kList: return v.is_array();
    case T::kString:
    case T::kBlob: return v.is_string();
    case T::kBoolean: return v.is_boolean();
    case T::kInteger:
    case T::kLong: return v.is_number_integer() || v.is_number_unsigned() ||
                          (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
    case T::kFloat:
    case T::kDouble:
    case T::kTimestamp: return v.is_number();
  }
  return false;
}

/// Stage 1: the first member whose JSON type does not fit.
Status check_types(const Shape& s, const Json& v, const std::string& path) {
  if (v.is_null()) return {};
  if (!fits(s, v)) {
    std::string msg = json_kind(v);
    if (!path.empty()) msg += " (at '" + path + "')";
    return Status(ErrorCode::kSerializationException, msg);
  }
  if (s.type == Shape::Type::kStructure) {
    for (const auto& m : s.members) {
      auto it = v.find(m.name);
      if (it == v.end()) continue;
      STEPFIBER_TRY(check_types(*m.shape, *it, path.empty() ? m.name : path + "." + m.name));
    }
  } else if (s.type == Shape::Type::kList) {
    std::size_t i = 0;
    for (const auto& e : v) STEPFIBER_TRY(check_types(*s.member, e, path + "." + std::to_string(++i) + ".member"));
  } else if (s.type == Shape::Type::kMap) {
    for (const auto& [k, e] : v.items()) STEPFIBER_TRY(check_types(*s.value, e, path + "." + k + ".member"));
  }
  return {};
}

/// A value as AWS's service prints it in a constraint message: Java's
/// toString of the request object (recorded for a list of structures:
/// "[RoutingConfigurationListItem(stateMachineVersionArn=arn:..., weight=50), ...]").
/// Structures print every model member in model order (absent ones as null),
/// lists "[a, b]", maps "{k=v}", strings unquoted.
std::string java_text(const Shape* s, const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return number_text(v.get<double>());
  std::string out;
  if (v.is_array()) {
    out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out += ", ";
      out += java_text(s ? s->member : nullptr, v[i]);
    }
    return out + "]";
  }
  if (s && s->type == Shape::Type::kStructure) {
    out = s->name + "(";
    bool first = true;
    for (const Member& m : s->members) {
      if (!first) out += ", ";
      first = false;
      auto it = v.find(m.name);
      out += m.name + "=" + (it == v.end() ? std::string("null") : java_text(m.shape, *it));
    }
    return out + ")";
  }
  out = "{";
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!first) out += ", ";
    first = false;
    out += it.key() + "=" + java_text(s ? s->value : nullptr, it.value());
  }
  return out + "}";
}

struct Collector {
  std::vector<std::string> errors;

  void add(const Shape& s, const Json* v, const std::string& path, const std::string& constraint) {
    std::string value;
    if (v == nullptr || v->is_null()) {
      value = "null ";
    } else if (s.sensitive) {
      value = "";
    } else if (v->is_string()) {
      value = "'" + v->get<std::string>() + "' ";
    } else if (v->is_number()) {
      value = "'" + number_text(v->get<double>()) + "' ";
    } else {
      value = "'" + java_text(&s, *v) + "' ";
    }
    errors.push_back("Value " + value + "at '" + path + "' failed to satisfy constraint: " + constraint);
  }
};

std::string bound(double b) { return number_text(b); }

void check_constraints(const Shape& s, const Json& v, const std::string& path, Collector& out) {
  using T = Shape::Type;
  switch (s.type) {
    case T::kString:
    case T::kBlob: {
      const std::string& text = v.get_ref<const std::string&>();
      const double len = static_cast<double>(char_length(text));
      if (s.min && len < *s.min) {
        out.add(s, &v, path, "Member must have length greater than or equal to " + bound(*s.min));
      } else if (s.max && len > *s.max) {
        out.add(s, &v, path, "Member must have length less than or equal to " + bound(*s.max));
      } else if (s.pattern && !s.pattern->matches(text)) {
        out.add(s, &v, path, "Member must satisfy regular expression pattern: " + s.pattern->source());
      }
      if (!s.enum_values.empty() &&
          std::find(s.enum_values.begin(), s.enum_values.end(), text) == s.enum_values.end()) {
        std::string set;
        for (const auto& e : s.enum_values) set += (set.empty() ? "" : ", ") + e;
        out.add(s, &v, path, "Member must satisfy enum value set: [" + set + "]");
      }
      break;
    }
    case T::kInteger:
    case T::kLong:
    case T::kFloat:
    case T::kDouble: {
      const double x = v.get<double>();
      if (s.min && x < *s.min) out.add(s, &v, path, "Member must have value greater than or equal to " + bound(*s.min));
      else if (s.max && x > *s.max) out.add(s, &v, path, "Member must have value less than or equal to " + bound(*s.max));
      break;
    }
    case T::kList: {
      const double n = static_cast<double>(v.size());
      if (s.min && n < *s.min) out.add(s, &v, path, "Member must have length greater than or equal to " + bound(*s.min));
      else if (s.max && n > *s.max) out.add(s, &v, path, "Member must have length less than or equal to " + bound(*s.max));
      std::size_t i = 0;
      for (const auto& e : v) {
        ++i;
        if (!e.is_null()) check_constraints(*s.member, e, path + "." + std::to_string(i) + ".member", out);
      }
      break;
    }
    case T::kMap: {
      for (const auto& [k, e] : v.items()) {
        if (!e.is_null()) check_constraints(*s.value, e, path + "." + k + ".member", out);
      }
      break;
    }
    case T::kStructure: {
      for (const auto& m : s.members) {
        const std::string sub = path.empty() ? m.name : path + "." + m.name;
        auto it = v.find(m.name);
        if (it == v.end() || it->is_null()) {
          if (m.required) out.add(*m.shape, nullptr, sub, "Member must not be null");
          continue;
        }
        check_constraints(*m.shape, *it, sub, out);
      }
      break;
    }
    case T::kBoolean:
    case T::kTimestamp: break;
  }
}

}  // namespace

Status validate_request(const Shape& input, const Json& request) {
  STEPFIBER_TRY(check_types(input, request, ""));
  Collector c;
  check_constraints(input, request, "", c);
  if (c.errors.empty()) return {};
  std::string msg = std::to_string(c.errors.size()) + (c.errors.size() == 1 ? " validation error" : " validation errors") +
                    " detected: ";
  for (std::size_t i = 0; i < c.errors.size(); ++i) msg += (i ? "; " : "") + c.errors[i];
  return Status(ErrorCode::kValidationException, msg);
}

}  // namespace stepfiber::api
