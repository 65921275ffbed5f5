// ChoiceRule: compiled JSONPath-mode Choice rules (And/Or/Not and comparison operators) and their evaluation.
#include "choice/choice_rule.h"

#include "intrinsics/value_expr.h"

#include <cstdint>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "errors/error_names.h"
#include "choice/timestamp.h"
#include "path/json_path.h"

namespace stepfiber::choice {
namespace {

enum class Family { kString, kNumeric, kTimestamp, kBoolean, kStringMatches, kTypeTest };
enum class Cmp { kEquals, kLessThan, kGreaterThan, kLessThanEquals, kGreaterThanEquals };
enum class TypeTest { kIsNull, kIsPresent, kIsNumeric, kIsString, kIsBoolean, kIsTimestamp };

struct OperatorInfo {
  std::string_view name;
  Family family;
  Cmp cmp;
  bool path;  // the `...Path` variant
  TypeTest test;
};

constexpr OperatorInfo kOperators[] = {
    {"StringEquals", Family::kString, Cmp::kEquals, false, {}},
    {"StringEqualsPath", Family::kString, Cmp::kEquals, true, {}},
    {"StringLessThan", Family::kString, Cmp::kLessThan, false, {}},
    {"StringLessThanPath", Family::kString, Cmp::kLessThan, true, {}},
    {"StringGreaterThan", Family::kString, Cmp::kGreaterThan, false, {}},
    {"StringGreaterThanPath", Family::kString, Cmp::kGreaterThan, true, {}},
    {"StringLessThanEquals", Family::kString, Cmp::kLessThanEquals, false, {}},
    {"StringLessThanEqualsPath", Family::kString, Cmp::kLessThanEquals, true, {}},
    {"StringGreaterThanEquals", Family::kString, Cmp::kGreaterThanEquals, false, {}},
    {"StringGreaterThanEqualsPath", Family::kString, Cmp::kGreaterThanEquals, true, {}},
    {"NumericEquals", Family::kNumeric, Cmp::kEquals, false, {}},
    {"NumericEqualsPath", Family::kNumeric, Cmp::kEquals, true, {}},
    {"NumericLessThan", Family::kNumeric, Cmp::kLessThan, false, {}},
    {"NumericLessThanPath", Family::kNumeric, Cmp::kLessThan, true, {}},
    {"NumericGreaterThan", Family::kNumeric, Cmp::kGreaterThan, false, {}},
    {"NumericGreaterThanPath", Family::kNumeric, Cmp::kGreaterThan, true, {}},
    {"NumericLessThanEquals", Family::kNumeric, Cmp::kLessThanEquals, false, {}},
    {"NumericLessThanEqualsPath", Family::kNumeric, Cmp::kLessThanEquals, true, {}},
    {"NumericGreaterThanEquals", Family::kNumeric, Cmp::kGreaterThanEquals, false, {}},
    {"NumericGreaterThanEqualsPath", Family::kNumeric, Cmp::kGreaterThanEquals, true, {}},
    {"TimestampEquals", Family::kTimestamp, Cmp::kEquals, false, {}},
    {"TimestampEqualsPath", Family::kTimestamp, Cmp::kEquals, true, {}},
    {"TimestampLessThan", Family::kTimestamp, Cmp::kLessThan, false, {}},
    {"TimestampLessThanPath", Family::kTimestamp, Cmp::kLessThan, true, {}},
    {"TimestampGreaterThan", Family::kTimestamp, Cmp::kGreaterThan, false, {}},
    {"TimestampGreaterThanPath", Family::kTimestamp, Cmp::kGreaterThan, true, {}},
    {"TimestampLessThanEquals", Family::kTimestamp, Cmp::kLessThanEquals, false, {}},
    {"TimestampLessThanEqualsPath", Family::kTimestamp, Cmp::kLessThanEquals, true, {}},
    {"TimestampGreaterThanEquals", Family::kTimestamp, Cmp::kGreaterThanEquals, false, {}},
    {"TimestampGreaterThanEqualsPath", Family::kTimestamp, Cmp::kGreaterThanEquals, true, {}},
    {"BooleanEquals", Family::kBoolean, Cmp::kEquals, false, {}},
    {"BooleanEqualsPath", Family::kBoolean, Cmp::kEquals, true, {}},
    {"StringMatches", Family::kStringMatches, Cmp::kEquals, false, {}},
    {"IsNull", Family::kTypeTest, Cmp::kEquals, false, TypeTest::kIsNull},
    {"IsPresent", Family::kTypeTest, Cmp::kEquals, false, TypeTest::kIsPresent},
    {"IsNumeric", Family::kTypeTest, Cmp::kEquals, false, TypeTest::kIsNumeric},
    {"IsString", Family::kTypeTest, Cmp::kEquals, false, TypeTest::kIsString},
    {"IsBoolean", Family::kTypeTest, Cmp::kEquals, false, TypeTest::kIsBoolean},
    {"IsTimestamp", Family::kTypeTest, Cmp::kEquals, false, TypeTest::kIsTimestamp},
};

const OperatorInfo* find_operator(std::string_view name) {
  for (const auto& op : kOperators) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

/// A `$...` or `$$...` path.
struct RulePath {
  std::string text;
  path::JsonPath path;
  bool context = false;
  std::optional<path::ValueExpr> variable;  ///< `$name...`: a workflow variable
};

/// `StringMatches` pattern: literal runs separated by `*`.
struct Glob {
  std::vector<std::string> parts;  // parts.size() == stars + 1
  bool open_escape = false;        // trailing lone backslash
};

Glob compile_glob(std::string_view pattern) {
  Glob g;
  g.parts.emplace_back();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 >= pattern.size()) {
        g.open_escape = true;
        break;
      }
      g.parts.back().push_back(pattern[++i]);
    } else if (c == '*') {
      g.parts.emplace_back();
    } else {
      g.parts.back().push_back(c);
    }
  }
  return g;
}

bool glob_match(const Glob& g, std::string_view s) {
  const auto& parts = g.parts;
  if (parts.size() == 1) return s == parts[0];
  // Anchor the first and last literal, then find the middle ones greedily
  // left to right (leftmost match is always safe with only `*` wildcards).
  const std::string& first = parts.front();
  const std::string& last = parts.back();
  if (s.size() < first.size() + last.size()) return false;
  if (s.substr(0, first.size()) != first) return false;
  if (s.substr(s.size() - last.size()) != last) return false;
  std::size_t pos = first.size();
  const std::size_t end = s.size() - last.size();
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p.empty()) continue;
    const std::size_t found = s.substr(0, end).find(p, pos);
    if (found == std::string_view::npos) return false;
    pos = found + p.size();
  }
  return true;
}

int compare_numbers(const Json& a, const Json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    const bool au = a.is_number_unsigned();
    const bool bu = b.is_number_unsigned();
    if (!au && !bu) {
      const auto x = a.get<std::int64_t>();
      const auto y = b.get<std::int64_t>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (au && bu) {
      const auto x = a.get<std::uint64_t>();
      const auto y = b.get<std::uint64_t>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    const auto s = au ? b.get<std::int64_t>() : a.get<std::int64_t>();
    const auto u = au ? a.get<std::uint64_t>() : b.get<std::uint64_t>();
    int r = 0;
    if (s < 0 || static_cast<std::uint64_t>(s) < u) {
      r = -1;
    } else if (static_cast<std::uint64_t>(s) > u) {
      r = 1;
    }
    return au ? -r : r;
  }
  const double x = a.get<double>();
  const double y = b.get<double>();
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool apply_cmp(Cmp cmp, int order) {
  switch (cmp) {
    case Cmp::kEquals: return order == 0;
    case Cmp::kLessThan: return order < 0;
    case Cmp::kGreaterThan: return order > 0;
    case Cmp::kLessThanEquals: return order <= 0;
    case Cmp::kGreaterThanEquals: return order >= 0;
  }
  return false;
}

const char* type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    default: return "a number";
  }
}

}  // namespace

struct ChoiceRule::Node {
  enum class Kind { kAnd, kOr, kNot, kCompare };
  Kind kind = Kind::kCompare;
  std::vector<Node> children;  // And / Or / Not
  // kCompare
  const OperatorInfo* op = nullptr;
  RulePath variable;
  Json literal;                        // literal comparand
  std::optional<RulePath> comparand;   // `...Path` comparand
  std::optional<Timestamp> timestamp;  // parsed Timestamp* literal
  Glob glob;                           // StringMatches
};

ChoiceRule::ChoiceRule() = default;
ChoiceRule::~ChoiceRule() = default;
ChoiceRule::ChoiceRule(ChoiceRule&&) noexcept = default;
ChoiceRule& ChoiceRule::operator=(ChoiceRule&&) noexcept = default;

namespace {

using Node = ChoiceRule::Node;

Status fail(const std::string& location, const std::string& problem) {
  return Status(ErrorCode::kInvalidDefinition, "Invalid Choice rule at " + location + ": " + problem);
}

Status compile_path(const Json& value, const std::string& field, const std::string& location, RulePath& out) {
  if (!value.is_string()) {
    return fail(location, "'" + field + "' must be a string holding a JSONPath but was " + type_name(value));
  }
  const std::string& text = value.get_ref<const std::string&>();
  const bool context = text.rfind("$$", 0) == 0;
  if (path::is_variable_reference(text)) {
    auto expr = path::ValueExpr::compile(text, field);
    if (!expr.ok()) return fail(location, "'" + field + "' is not a valid variable reference: " + expr.status().message());
    out.text = text;
    out.variable = std::move(expr).value();
    return Status();
  }
  auto compiled = path::JsonPath::compile(context ? std::string_view(text).substr(1) : std::string_view(text));
  if (!compiled.ok()) {
    return fail(location, "'" + field + "' is not a valid JSONPath: " + compiled.status().message());
  }
  out.text = text;
  out.path = std::move(compiled.value());
  out.context = context;
  return Status();
}

Status compile_node(const Json& rule, const std::string& location, bool nested, int depth, Node& out) {
  if (depth > 64) return fail(location, "rules are nested too deeply");
  if (!rule.is_object()) return fail(location, "a rule must be an object but was " + std::string(type_name(rule)));

  const Json* variable = nullptr;
  std::vector<std::pair<std::string, const Json*>> operators;
  for (auto it = rule.begin(); it != rule.end(); ++it) {
    const std::string& key = it.key();
    if (key == "Variable") {
      variable = &it.value();
    } else if (key == "And" || key == "Or" || key == "Not" || find_operator(key) != nullptr) {
      operators.emplace_back(key, &it.value());
    } else if (key == "Comment") {
      continue;
    } else if (!nested && (key == "Next" || key == "Assign")) {
      continue;  // handled by the Choice state itself
    } else if (key == "Next") {
      return fail(location, "'Next' is not allowed inside a nested rule");
    } else {
      return fail(location, "unknown field '" + key + "'");
    }
  }
  if (operators.empty()) {
    return fail(location, variable ? "no comparison operator" : "no comparison operator and no And/Or/Not");
  }
  if (operators.size() > 1) {
    return fail(location, "more than one operator ('" + operators[0].first + "' and '" + operators[1].first + "')");
  }
  const std::string& name = operators[0].first;
  const Json& operand = *operators[0].second;

  if (name == "And" || name == "Or") {
    if (variable) return fail(location, "'Variable' is not allowed with '" + name + "'");
    if (!operand.is_array() || operand.empty()) {
      return fail(location, "'" + name + "' must be a non-empty array of rules");
    }
    out.kind = name == "And" ? Node::Kind::kAnd : Node::Kind::kOr;
    for (std::size_t i = 0; i < operand.size(); ++i) {
      Node child;
      STEPFIBER_TRY(compile_node(operand[i], location + "/" + name + "/" + std::to_string(i), true, depth + 1, child));
      out.children.push_back(std::move(child));
    }
    return Status();
  }
  if (name == "Not") {
    if (variable) return fail(location, "'Variable' is not allowed with 'Not'");
    if (!operand.is_object()) return fail(location, "'Not' must be a single rule object");
    out.kind = Node::Kind::kNot;
    Node child;
    STEPFIBER_TRY(compile_node(operand, location + "/Not", true, depth + 1, child));
    out.children.push_back(std::move(child));
    return Status();
  }

  const OperatorInfo* op = find_operator(name);
  if (!variable) return fail(location, "'" + name + "' needs a 'Variable'");
  out.kind = Node::Kind::kCompare;
  out.op = op;
  STEPFIBER_TRY(compile_path(*variable, "Variable", location, out.variable));
  if (op->path) {
    RulePath p;
    STEPFIBER_TRY(compile_path(operand, name, location, p));
    out.comparand = std::move(p);
    return Status();
  }
  auto wrong = [&](const char* expected) {
    return fail(location, "'" + name + "' must be " + expected + " but was " + type_name(operand));
  };
  switch (op->family) {
    case Family::kString:
      if (!operand.is_string()) return wrong("a string");
      break;
    case Family::kStringMatches:
      if (!operand.is_string()) return wrong("a string");
      out.glob = compile_glob(operand.get_ref<const std::string&>());
      break;
    case Family::kNumeric:
      if (!operand.is_number()) return wrong("a number");
      break;
    case Family::kBoolean:
    case Family::kTypeTest:
      if (!operand.is_boolean()) return wrong("a boolean");
      break;
    case Family::kTimestamp: {
      if (!operand.is_string()) return wrong("a timestamp string");
      out.timestamp = parse_timestamp(operand.get_ref<const std::string&>());
      if (!out.timestamp) {
        return fail(location, "'" + name + "' must be an RFC 3339 timestamp but was '" +
                                  operand.get_ref<const std::string&>() + "'");
      }
      break;
    }
  }
  out.literal = operand;
  return Status();
}

std::optional<Json> read(const RulePath& p, const path::EvalScope& scope) {
  if (p.variable) {
    auto v = p.variable->evaluate(scope);
    if (!v.ok()) return std::nullopt;
    return std::move(*v.value);
  }
  return p.path.select(p.context ? scope.context : scope.input);
}

asl::StateError invalid_path(const std::string& text) {
  return asl::make_error(std::string(asl::errors::kRuntime),
                         "Invalid path '" + text + "': The choice state's condition path references an invalid value.");
}

// Compares `v` (the Variable's value) to the comparand `c` for one family.
bool compare(const Node& n, const Json& v, const Json& c) {
  const Cmp cmp = n.op->cmp;
  switch (n.op->family) {
    case Family::kString: {
      if (!v.is_string() || !c.is_string()) return false;
      // Byte order of UTF-8 is code point order.
      const int order = v.get_ref<const std::string&>().compare(c.get_ref<const std::string&>());
      return apply_cmp(cmp, order < 0 ? -1 : (order > 0 ? 1 : 0));
    }
    case Family::kNumeric:
      if (!v.is_number() || !c.is_number()) return false;
      return apply_cmp(cmp, compare_numbers(v, c));
    case Family::kBoolean:
      if (!v.is_boolean() || !c.is_boolean()) return false;
      return v.get<bool>() == c.get<bool>();
    case Family::kTimestamp: {
      if (!v.is_string()) return false;
      const auto lhs = parse_timestamp(v.get_ref<const std::string&>());
      if (!lhs) return false;
      std::optional<Timestamp> rhs = n.timestamp;
      if (!rhs) {
        if (!c.is_string()) return false;
        rhs = parse_timestamp(c.get_ref<const std::string&>());
        if (!rhs) return false;
      }
      return apply_cmp(cmp, *lhs < *rhs ? -1 : (*lhs > *rhs ? 1 : 0));
    }
    default: return false;
  }
}

// Recursion is bounded by the rule tree (the definition).
asl::Eval<bool> evaluate_node(const Node& n, const path::EvalScope& scope) {
  using E = asl::Eval<bool>;
  switch (n.kind) {
    case Node::Kind::kAnd:
      for (const auto& c : n.children) {
        E r = evaluate_node(c, scope);
        if (!r.ok() || !*r.value) return r;
      }
      return E::success(true);
    case Node::Kind::kOr:
      for (const auto& c : n.children) {
        E r = evaluate_node(c, scope);
        if (!r.ok() || *r.value) return r;
      }
      return E::success(false);
    case Node::Kind::kNot: {
      E r = evaluate_node(n.children[0], scope);
      if (!r.ok()) return r;
      return E::success(!*r.value);
    }
    case Node::Kind::kCompare: break;
  }
  const std::optional<Json> v = read(n.variable, scope);
  const OperatorInfo& op = *n.op;
  if (op.family == Family::kTypeTest && op.test == TypeTest::kIsPresent) {
    return E::success(v.has_value() == n.literal.get<bool>());
  }
  if (!v) return E::failure(invalid_path(n.variable.text));
  if (op.family == Family::kTypeTest) {
    bool is = false;
    switch (op.test) {
      case TypeTest::kIsNull: is = v->is_null(); break;
      case TypeTest::kIsNumeric: is = v->is_number(); break;
      case TypeTest::kIsString: is = v->is_string(); break;
      case TypeTest::kIsBoolean: is = v->is_boolean(); break;
      case TypeTest::kIsTimestamp: is = v->is_string() && parse_timestamp(v->get_ref<const std::string&>()); break;
      case TypeTest::kIsPresent: break;
    }
    return E::success(is == n.literal.get<bool>());
  }
  if (op.family == Family::kStringMatches) {
    if (n.glob.open_escape) {
      return E::failure(asl::make_error(std::string(asl::errors::kRuntime),
                                        "The StringMatches pattern '" + n.literal.get<std::string>() +
                                            "' ends with an open escape character '\\'."));
    }
    if (!v->is_string()) return E::success(false);
    return E::success(glob_match(n.glob, v->get_ref<const std::string&>()));
  }
  if (n.comparand) {
    const std::optional<Json> c = read(*n.comparand, scope);
    if (!c) return E::failure(invalid_path(n.comparand->text));
    return E::success(compare(n, *v, *c));
  }
  return E::success(compare(n, *v, n.literal));
}

}  // namespace

namespace {

std::uint8_t context_parts_of_path(const RulePath& p) {
  return p.context ? path::context_parts_of(std::string_view(p.text).substr(2)) : 0;
}

std::uint8_t context_parts_of_node(const Node& n) {
  std::uint8_t parts = context_parts_of_path(n.variable);
  if (n.comparand) parts |= context_parts_of_path(*n.comparand);
  for (const Node& c : n.children) parts |= context_parts_of_node(c);
  return parts;
}

}  // namespace

Result<ChoiceRule> ChoiceRule::compile(const Json& rule, std::string_view location) {
  try {
    auto root = std::make_shared<Node>();
    STEPFIBER_TRY(compile_node(rule, std::string(location), false, 0, *root));
    ChoiceRule r;
    r.context_parts_ = context_parts_of_node(*root);
    r.root_ = std::move(root);
    return r;
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInvalidDefinition,
                  "Invalid Choice rule at " + std::string(location) + ": " + e.what());
  }
}

asl::Eval<bool> ChoiceRule::evaluate(const path::EvalScope& scope) const {
  if (!root_) {
    return asl::Eval<bool>::failure(
        asl::make_error(std::string(asl::errors::kRuntime), "The choice rule was not compiled."));
  }
  try {
    return evaluate_node(*root_, scope);
  } catch (const std::exception& e) {
    return asl::Eval<bool>::failure(
        asl::make_error(std::string(asl::errors::kRuntime), std::string("Choice rule evaluation failed: ") + e.what()));
  }
}

}  // namespace stepfiber::choice
