// PayloadTemplate: compiled Parameters / ResultSelector / ItemSelector templates and their evaluation.
#include "payload/payload_template.h"

#include <exception>
#include <utility>
#include <vector>

#include "errors/error_names.h"
#include "path/json_path.h"
#include "intrinsics/value_expr.h"

namespace stepfiber::path {

struct PayloadTemplate::Node {
  enum class Kind { kLiteral, kObject, kArray, kExpr };
  Kind kind = Kind::kLiteral;
  Json literal;                                    // kLiteral
  struct Field;                                    // (key, Node); a std::pair would need Node complete here
  std::vector<Field> fields;                       // kObject (keys already renamed)
  std::vector<Node> items;                         // kArray
  ValueExpr expr;                                  // kExpr: the value of a "name.$" key
};

struct PayloadTemplate::Node::Field {
  std::string name;
  Node node;
};

PayloadTemplate::PayloadTemplate() = default;
PayloadTemplate::~PayloadTemplate() = default;
PayloadTemplate::PayloadTemplate(PayloadTemplate&&) noexcept = default;
PayloadTemplate& PayloadTemplate::operator=(PayloadTemplate&&) noexcept = default;

namespace {

using Node = PayloadTemplate::Node;


bool ends_with_dollar(const std::string& key) {
  return key.size() >= 2 && key.compare(key.size() - 2, 2, ".$") == 0;
}

// True when the subtree has a `.$` key somewhere (bounded by the definition).
bool has_dynamic(const Json& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (ends_with_dollar(it.key()) || has_dynamic(it.value())) return true;
    }
  } else if (v.is_array()) {
    for (const auto& item : v) {
      if (has_dynamic(item)) return true;
    }
  }
  return false;
}

class Compiler {
 public:
  bool uses_context = false;
  std::uint8_t context_parts = 0;

  Status compile(const Json& v, const std::string& location, Node& out) {
    if (!has_dynamic(v)) {
      out.kind = Node::Kind::kLiteral;
      out.literal = v;
      return Status();
    }
    if (v.is_array()) {
      out.kind = Node::Kind::kArray;
      for (std::size_t i = 0; i < v.size(); ++i) {
        Node child;
        STEPFIBER_TRY(compile(v[i], location + "[" + std::to_string(i) + "]", child));
        out.items.push_back(std::move(child));
      }
      return Status();
    }
    out.kind = Node::Kind::kObject;
    std::vector<std::string> seen;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& key = it.key();
      const bool dynamic = ends_with_dollar(key);
      std::string name = dynamic ? key.substr(0, key.size() - 2) : key;
      for (const auto& s : seen) {
        if (s == name) {
          return error("the field '" + name + "' appears more than once after removing '.$' from '" + key +
                       "' at " + location);
        }
      }
      seen.push_back(name);
      Node child;
      if (dynamic) {
        STEPFIBER_TRY(compile_path(key, it.value(), location, child));
      } else {
        STEPFIBER_TRY(compile(it.value(), location + "/" + key, child));
      }
      out.fields.push_back(Node::Field{std::move(name), std::move(child)});
    }
    return Status();
  }

 private:
  static Status error(std::string message) {
    return Status(ErrorCode::kInvalidDefinition, std::move(message));
  }

  Status compile_path(const std::string& key, const Json& value, const std::string& location, Node& out) {
    if (!value.is_string()) {
      return error("The value for the field '" + key + "' must be a STRING that contains a JSONPath but was an " +
                   asl_type_name(value) + " at " + location);
    }
    const std::string& text = value.get_ref<const std::string&>();
    auto compiled = ValueExpr::compile(text, key);
    if (!compiled.ok()) {
      return error("The value for the field '" + key +
                   "' must be a valid JSONPath or a valid intrinsic function call at " + location + ": " +
                   compiled.status().message());
    }
    out.kind = Node::Kind::kExpr;
    out.expr = std::move(compiled).value();
    if (out.expr.uses_context()) uses_context = true;
    context_parts |= out.expr.context_parts();
    return Status();
  }
};

// Recursion is bounded by the template (the definition), not by the data.
std::optional<asl::StateError> evaluate_node(const Node& node, const EvalScope& scope, Json& out) {
  switch (node.kind) {
    case Node::Kind::kLiteral: out = node.literal; return std::nullopt;
    case Node::Kind::kArray:
      out = Json::array();
      for (const auto& item : node.items) {
        Json v;
        if (auto err = evaluate_node(item, scope, v)) return err;
        out.push_back(std::move(v));
      }
      return std::nullopt;
    case Node::Kind::kObject:
      out = Json::object();
      for (const auto& [name, child] : node.fields) {
        Json v;
        if (auto err = evaluate_node(child, scope, v)) return err;
        out[name] = std::move(v);
      }
      return std::nullopt;
    case Node::Kind::kExpr: {
      auto v = node.expr.evaluate(scope);
      if (!v.ok()) return std::move(v.err);
      out = std::move(*v.value);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<PayloadTemplate> PayloadTemplate::compile(const Json& tmpl, std::string_view field) {
  try {
    Compiler c;
    auto root = std::make_shared<Node>();
    STEPFIBER_TRY(c.compile(tmpl, std::string(field), *root));
    PayloadTemplate t;
    t.root_ = std::move(root);
    t.uses_context_ = c.uses_context;
    t.context_parts_ = c.context_parts;
    return t;
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInvalidDefinition,
                  "could not compile " + std::string(field) + ": " + e.what());
  }
}

asl::Eval<Json> PayloadTemplate::evaluate(const EvalScope& scope) const {
  if (!root_) return asl::Eval<Json>::success(Json::object());
  try {
    Json out;
    if (auto err = evaluate_node(*root_, scope, out)) return asl::Eval<Json>::failure(std::move(*err));
    return asl::Eval<Json>::success(std::move(out));
  } catch (const std::exception& e) {
    return asl::Eval<Json>::failure(
        asl::make_error(std::string(asl::errors::kRuntime), std::string("payload template evaluation failed: ") + e.what()));
  }
}

}  // namespace stepfiber::path
