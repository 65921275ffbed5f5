// Expression::compile / evaluate: the exception-free boundary of the engine.
#include "jsonata/jsonata.h"

#include <chrono>
#include <new>

#include "jsonata/evaluator.h"

namespace stepfiber::jsonata {

Limits sfn_limits() {
  Limits l;
  l.memory_bytes = 7 * 1024 * 1024;
  l.timelimit_ms = 10'000;
  return l;
}

std::shared_ptr<const Expression> Expression::compile(std::string_view source, Error* error,
                                                      const CompileOptions& options) {
  try {
    auto program = std::make_shared<Program>();
    program->source = std::string(source);
    ParseOptions po;
    po.max_depth = options.max_nesting;
    program->ast = parse(program->source, po);
    auto e = std::shared_ptr<Expression>(new Expression());
    e->program_ = std::move(program);
    return e;
  } catch (ErrorException& ex) {
    if (error) *error = std::move(ex.error);
  } catch (const std::bad_alloc&) {
    if (error) {
      *error = Error();
      error->code = "U1003";
    }
  } catch (const std::exception&) {
    if (error) {
      *error = Error();
      error->code = "S0201";
    }
  }
  return nullptr;
}

Expression::~Expression() = default;

const std::string& Expression::source() const { return program_->source; }

bool Expression::evaluate(const Value& input, const Bindings& bindings, const EvaluateOptions& options,
                          Value* result, Error* error) const {
  EvalSettings s;
  s.guards.max_depth = options.limits.depth;
  s.guards.time_limit_ms = options.limits.timelimit_ms;
  s.guards.max_memory_bytes = options.limits.memory_bytes;
  s.guards.max_stack_bytes = options.limits.stack_bytes;
  s.sfn_functions = options.sfn_functions;
  s.now_ms = options.now_ms;
  try {
    Evaluator ev(program_, s);
    Value r = ev.run(input, bindings);
    // A lambda's thunk never escapes apply(); results are plain values.
    *result = std::move(r);
    return true;
  } catch (ErrorException& ex) {
    if (error) {
      *error = std::move(ex.error);
      if (error->code == "U1002" && options.limits.timeout_as_u1001) error->code = "U1001";
    }
  } catch (const std::bad_alloc&) {
    if (error) {
      *error = Error();
      error->code = "U1003";
    }
  } catch (const std::exception&) {
    if (error) {
      *error = Error();
      error->code = "U1003";
    }
  }
  return false;
}

std::string result_to_json_text(const Value& v) {
  if (v.is_undefined()) return std::string();
  StringifyOptions o;
  o.nonfinite_tokens = true;
  return stringify(v, o);
}

}  // namespace stepfiber::jsonata
