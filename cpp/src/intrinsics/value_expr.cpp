// ValueExpr: compile and evaluate paths, context paths, variable references and intrinsic calls.
#include "intrinsics/value_expr.h"

#include <exception>
#include <utility>

#include "errors/error_names.h"
#include "intrinsics/intrinsic.h"

namespace stepfiber::path {
namespace {

bool is_id_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

bool is_id_continue(unsigned char c) { return is_id_start(c) || (c >= '0' && c <= '9'); }

Status invalid(std::string message) { return Status(ErrorCode::kInvalidDefinition, std::move(message)); }

asl::StateError runtime_error(std::string cause) {
  return asl::make_error(std::string(asl::errors::kRuntime), std::move(cause));
}

// Compiles `path_text` (starting with `$`) as a JSONPath, and under
// kReferencePath also requires it to be a Reference Path.
Result<JsonPath> compile_path(const std::string& path_text, ValueExpr::PathRule rule) {
  auto compiled = JsonPath::compile(path_text);
  if (!compiled.ok()) return compiled.status();
  if (rule == ValueExpr::PathRule::kReferencePath) {
    auto ref = ReferencePath::compile(path_text);
    if (!ref.ok()) return invalid("'" + path_text + "' is not a valid Reference Path: " + ref.status().message());
  }
  return compiled;
}

}  // namespace

bool is_variable_reference(std::string_view text) noexcept {
  return text.size() >= 2 && text[0] == '$' && is_id_start(static_cast<unsigned char>(text[1]));
}

bool is_intrinsic_call(std::string_view text) noexcept { return text.rfind("States.", 0) == 0; }

ValueExpr::ValueExpr() = default;
ValueExpr::~ValueExpr() = default;
ValueExpr::ValueExpr(const ValueExpr&) = default;
ValueExpr& ValueExpr::operator=(const ValueExpr&) = default;
ValueExpr::ValueExpr(ValueExpr&&) noexcept = default;
ValueExpr& ValueExpr::operator=(ValueExpr&&) noexcept = default;

Result<ValueExpr> ValueExpr::compile(std::string_view text, std::string_view field, PathRule rule) {
  try {
    ValueExpr e;
    e.text_ = std::string(text);
    e.field_ = std::string(field);
    if (is_intrinsic_call(text)) {
      auto call = intrinsics::Intrinsic::compile(text, field);
      if (!call.ok()) return call.status();
      e.kind_ = Kind::kIntrinsic;
      e.uses_context_ = call->uses_context();
      e.context_parts_ = e.uses_context_ ? kContextAll : 0;
      e.uses_variables_ = call->uses_variables();
      e.intrinsic_ = std::make_shared<const intrinsics::Intrinsic>(std::move(call).value());
      return e;
    }
    if (text.empty() || text[0] != '$') {
      return invalid("'" + e.text_ + "' is neither a path (starting with '$') nor an intrinsic function call");
    }
    if (is_variable_reference(text)) {
      std::size_t end = 2;
      while (end < text.size() && is_id_continue(static_cast<unsigned char>(text[end]))) ++end;
      if (end < text.size() && text[end] != '.' && text[end] != '[') {
        return invalid("invalid variable reference '" + e.text_ + "'");
      }
      std::string rest = "$";  // built by append: GCC 12 -O3 warns falsely on "$" + string
      rest.append(text.substr(end));
      auto p = compile_path(rest, rule);
      if (!p.ok()) return invalid("invalid variable reference '" + e.text_ + "': " + p.status().message());
      e.kind_ = Kind::kVariable;
      e.variable_ = std::string(text.substr(1, end - 1));
      e.path_ = std::move(p).value();
      e.uses_variables_ = true;
      return e;
    }
    const bool context = text.rfind("$$", 0) == 0;
    auto p = compile_path(std::string(context ? text.substr(1) : text), rule);
    if (!p.ok()) return p.status();
    e.kind_ = context ? Kind::kContextPath : Kind::kPath;
    e.path_ = std::move(p).value();
    e.uses_context_ = context;
    e.context_parts_ = context ? context_parts_of(text.substr(2)) : 0;
    return e;
  } catch (const std::exception& ex) {
    return invalid("could not compile '" + std::string(text) + "': " + ex.what());
  }
}

Result<ValueExpr> compile_value_expr(std::string_view text, std::string_view field, ValueExpr::PathRule rule) {
  return ValueExpr::compile(text, field, rule);
}

asl::Eval<Json> ValueExpr::evaluate(const EvalScope& scope) const {
  using R = asl::Eval<Json>;
  if (text_.empty()) {  // default-constructed: compile() never accepts ""
    return R::failure(runtime_error("the value expression for the field '" + field_ + "' was not compiled"));
  }
  try {
    switch (kind_) {
      case Kind::kIntrinsic:
        if (!intrinsic_) break;
        return intrinsic_->evaluate(scope);
      case Kind::kVariable: {
        const Json* value = nullptr;
        if (scope.variables != nullptr && scope.variables->is_object()) {
          auto it = scope.variables->find(variable_);
          if (it != scope.variables->end()) value = &*it;
        }
        if (value == nullptr) {
          // No AWS recording for JSONPath mode; worded like the path miss.
          return R::failure(runtime_error("The variable reference '" + text_ + "' specified for the field '" +
                                          field_ + "' could not be resolved: the variable '$" + variable_ +
                                          "' is not defined"));
        }
        auto v = path_.select(*value);
        if (!v) {
          return R::failure(runtime_error("The JSONPath '" + text_ + "' specified for the field '" + field_ +
                                          "' could not be found in the input '" + dump_json(*value) + "'"));
        }
        return R::success(std::move(*v));
      }
      case Kind::kPath:
      case Kind::kContextPath: {
        const Json& doc = kind_ == Kind::kContextPath ? scope.context : scope.input;
        auto v = path_.select(doc);
        if (!v) {
          return R::failure(runtime_error("The JSONPath '" + text_ + "' specified for the field '" + field_ +
                                          "' could not be found in the input '" + dump_json(doc) + "'"));
        }
        return R::success(std::move(*v));
      }
    }
    return R::failure(runtime_error("the value expression for the field '" + field_ + "' was not compiled"));
  } catch (const std::exception& ex) {
    return R::failure(runtime_error("evaluating '" + text_ + "' for the field '" + field_ + "' failed: " + ex.what()));
  }
}

}  // namespace stepfiber::path
