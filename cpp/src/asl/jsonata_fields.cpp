// Compiles the `{% %}` expressions of a JSONata state once and evaluates a
// field against `$states` and the workflow variables (sfn-semantics 2.10).
#include "asl/jsonata_fields.h"

#include <cmath>

#include "asl/compiler.h"
#include "errors/error_names.h"

namespace stepfiber::asl {
namespace {

constexpr std::string_view kSchema = "SCHEMA_VALIDATION_FAILED";

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

class FieldCompiler {
 public:
  explicit FieldCompiler(std::vector<Diagnostic>& diags) : diags_(diags) {}

  JsonataValue value(const Json& v, const std::string& loc, const std::string& sub = std::string()) {
    JsonataValue out;
    out.sub = sub;
    if (is_jsonata_string(v)) {
      const auto& s = v.get_ref<const std::string&>();
      out.kind = JsonataValue::Kind::kExpr;
      out.text = trim(std::string_view(s).substr(2, s.size() - 4));
      jsonata::Error err;
      out.expr = jsonata::Expression::compile(out.text, &err);
      if (!out.expr) {
        diags_.push_back(Diagnostic{std::string(kSchema),
                                    "The JSONata expression '" + out.text + "' is not valid: " + err.code + ": " +
                                        err.message(),
                                    loc});
      }
      return out;
    }
    if (v.is_object()) {
      bool any = false;
      for (const auto& [k, child] : v.items()) {
        out.members.push_back(JsonataMember{k, value(child, loc + "/" + escape_pointer(k), sub + "/" + k)});
        any = any || out.members.back().value.kind != JsonataValue::Kind::kLiteral;
      }
      if (any) {
        out.kind = JsonataValue::Kind::kObject;
        return out;
      }
      out.members.clear();
    } else if (v.is_array()) {
      bool any = false;
      for (std::size_t i = 0; i < v.size(); ++i) {
        out.items.push_back(value(v[i], loc + "/" + std::to_string(i), sub + "/" + std::to_string(i)));
        any = any || out.items.back().kind != JsonataValue::Kind::kLiteral;
      }
      if (any) {
        out.kind = JsonataValue::Kind::kArray;
        return out;
      }
      out.items.clear();
    }
    out.kind = JsonataValue::Kind::kLiteral;
    out.literal = v;
    return out;
  }

  /// Takes `field` out of `rest` and compiles it.
  std::optional<JsonataValue> take(Json& rest, const char* field, const std::string& loc) {
    if (!rest.is_object() || !rest.contains(field)) return std::nullopt;
    JsonataValue v = value(rest[field], loc + "/" + field);
    rest.erase(field);
    return v;
  }

  /// Takes `field` only when it is an expression (literals stay for the
  /// JSONPath compiler's range checks).
  std::optional<JsonataValue> take_expr(Json& rest, const char* field, const std::string& loc) {
    if (!rest.is_object() || !rest.contains(field) || !is_jsonata_string(rest[field])) return std::nullopt;
    return take(rest, field, loc);
  }

 private:
  std::vector<Diagnostic>& diags_;
};

bool reads_context(const JsonataValue& v) {
  switch (v.kind) {
    case JsonataValue::Kind::kLiteral: return false;
    case JsonataValue::Kind::kExpr: {
      if (v.text.find("context") != std::string::npos) return true;
      // `$states` as a whole (not `$states.input`...) reads the context too.
      for (std::size_t at = v.text.find("$states"); at != std::string::npos; at = v.text.find("$states", at + 1)) {
        const std::size_t after = at + 7;
        if (after >= v.text.size() || v.text[after] != '.') return true;
      }
      return false;
    }
    case JsonataValue::Kind::kObject:
      for (const auto& m : v.members)
        if (reads_context(m.value)) return true;
      return false;
    case JsonataValue::Kind::kArray:
      for (const auto& m : v.items)
        if (reads_context(m)) return true;
      return false;
  }
  return false;
}

StateError query_error(std::string detail) {
  return StateError{std::string(errors::kQueryEvaluationError), std::move(detail)};
}

/// The opening of every cause about `v` in `field`: "The JSONata expression
/// '...' specified for the field 'Output/n'". Built only when one is reported.
std::string expression_head(const JsonataValue& v, const std::string& field) {
  return "The JSONata expression '" + v.text + "' specified for the field '" + field + v.sub + "'";
}

/// Evaluates `v`, a part of the field named `field` (its place inside the
/// field is `v.sub`).
Eval<Json> eval_value(const JsonataValue& v, const std::string& field, const JsonataScope& scope) {
  switch (v.kind) {
    case JsonataValue::Kind::kLiteral: return Eval<Json>::success(v.literal);
    case JsonataValue::Kind::kExpr: {
      if (!v.expr) return Eval<Json>::failure(query_error(expression_head(v, field) + " could not be compiled."));
      static const jsonata::Limits limits = jsonata::sfn_limits();
      jsonata::EvaluateOptions opts;
      opts.sfn_functions = true;
      opts.limits = limits;
      jsonata::Value out;
      jsonata::Error err;
      if (!v.expr->evaluate(jsonata::Value(), scope.bindings, opts, &out, &err)) {
        return Eval<Json>::failure(query_error(expression_head(v, field) + " threw an error during evaluation. " +
                                               err.code + ": " + err.message()));
      }
      if (out.is_undefined()) {
        return Eval<Json>::failure(query_error(expression_head(v, field) + " returned nothing (undefined)."));
      }
      if (out.is_function() || (out.is_number() && !std::isfinite(out.as_number()))) {
        return Eval<Json>::failure(query_error(expression_head(v, field) + " returned an unsupported result type."));
      }
      return Eval<Json>::success(jsonata::to_json(out));
    }
    case JsonataValue::Kind::kObject: {
      Json obj = Json::object();
      for (const auto& m : v.members) {
        auto r = eval_value(m.value, field, scope);
        if (!r.ok()) return r;
        obj[m.key] = std::move(*r.value);
      }
      return Eval<Json>::success(std::move(obj));
    }
    case JsonataValue::Kind::kArray: {
      Json arr = Json::array();
      arr.get_ref<Json::array_t&>().reserve(v.items.size());
      for (const auto& item : v.items) {
        auto r = eval_value(item, field, scope);
        if (!r.ok()) return r;
        arr.push_back(std::move(*r.value));
      }
      return Eval<Json>::success(std::move(arr));
    }
  }
  return Eval<Json>::success(Json());
}

}  // namespace

bool is_jsonata_string(const Json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  return s.size() >= 4 && s.rfind("{%", 0) == 0 && s.compare(s.size() - 2, 2, "%}") == 0;
}

std::shared_ptr<const JsonataState> compile_jsonata_state(const Json& body, const std::string& loc,
                                                          std::vector<Diagnostic>& diags, Json& rest) {
  auto st = std::make_shared<JsonataState>();
  rest = body;
  FieldCompiler fc(diags);
  st->arguments = fc.take(rest, "Arguments", loc);
  st->output = fc.take(rest, "Output", loc);
  st->assign = fc.take(rest, "Assign", loc);
  st->timeout_seconds = fc.take_expr(rest, "TimeoutSeconds", loc);
  st->heartbeat_seconds = fc.take_expr(rest, "HeartbeatSeconds", loc);
  st->seconds = fc.take_expr(rest, "Seconds", loc);
  st->timestamp = fc.take_expr(rest, "Timestamp", loc);
  st->items = fc.take(rest, "Items", loc);
  st->item_selector = fc.take(rest, "ItemSelector", loc);
  st->max_concurrency = fc.take_expr(rest, "MaxConcurrency", loc);
  st->tolerated_failure_count = fc.take_expr(rest, "ToleratedFailureCount", loc);
  st->tolerated_failure_percentage = fc.take_expr(rest, "ToleratedFailurePercentage", loc);
  st->error = fc.take_expr(rest, "Error", loc);
  st->cause = fc.take_expr(rest, "Cause", loc);
  if (rest.contains("Catch") && rest["Catch"].is_array()) {
    Json& cs = rest["Catch"];
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const std::string cloc = loc + "/Catch/" + std::to_string(i);
      JsonataCatcher c;
      c.output = fc.take(cs[i], "Output", cloc);
      c.assign = fc.take(cs[i], "Assign", cloc);
      st->catchers.push_back(std::move(c));
    }
  }
  if (rest.contains("Choices") && rest["Choices"].is_array()) {
    Json& cs = rest["Choices"];
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const std::string cloc = loc + "/Choices/" + std::to_string(i);
      JsonataChoice c;
      if (auto cond = fc.take(cs[i], "Condition", cloc)) c.condition = std::move(*cond);
      c.output = fc.take(cs[i], "Output", cloc);
      c.assign = fc.take(cs[i], "Assign", cloc);
      st->choices.push_back(std::move(c));
    }
  }
  bool ctx = false;
  for (const auto* f : {&st->arguments, &st->output, &st->assign, &st->timeout_seconds, &st->heartbeat_seconds,
                        &st->seconds, &st->timestamp, &st->items, &st->item_selector, &st->max_concurrency,
                        &st->tolerated_failure_count, &st->tolerated_failure_percentage, &st->error, &st->cause}) {
    ctx = ctx || (*f && reads_context(**f));
  }
  for (const auto& c : st->catchers) ctx = ctx || (c.output && reads_context(*c.output)) || (c.assign && reads_context(*c.assign));
  for (const auto& c : st->choices) {
    ctx = ctx || reads_context(c.condition) || (c.output && reads_context(*c.output)) ||
          (c.assign && reads_context(*c.assign));
  }
  st->reads_context = ctx;
  return st;
}

JsonataScope make_jsonata_scope(const Json& input, const Json* result, const Json* error_output,
                                const Json& context, const Json& variables) {
  JsonataScope s;
  jsonata::Value states = jsonata::make_object();
  states.obj().set("input", jsonata::from_json(input));
  if (result) states.obj().set("result", jsonata::from_json(*result));
  if (error_output) states.obj().set("errorOutput", jsonata::from_json(*error_output));
  states.obj().set("context", jsonata::from_json(context));
  if (variables.is_object()) {
    s.bindings.reserve(variables.size() + 1);
    for (const auto& [k, v] : variables.items()) s.bindings.emplace_back(k, jsonata::from_json(v));
  }
  s.bindings.emplace_back("states", states);
  s.states = std::move(states);
  return s;
}

Eval<Json> evaluate_jsonata(const JsonataValue& v, const std::string& field, const JsonataScope& scope) {
  return eval_value(v, field, scope);
}

bool jsonata_reads_context(const JsonataValue& v) { return reads_context(v); }

std::string jsonata_type_name(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

}  // namespace stepfiber::asl
