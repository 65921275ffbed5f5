// stepfiber._core.jsonata: the thin pybind11 adapter over the JSONata engine
// (cpp/src/jsonata/jsonata.h). Values cross as JSON text; the GIL is released
// around compile and evaluate; errors come back as tuples the Python layer
// (python/stepfiber/jsonata.py) turns into JSONataError.
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "jsonata/jsonata.h"

namespace py = pybind11;

namespace stepfiber_python {

namespace {

using stepfiber::jsonata::Error;
using stepfiber::jsonata::Expression;
using stepfiber::jsonata::Value;

// (code, position or None, token JSON or None, value JSON or None, message)
py::tuple error_tuple(const Error& e) {
  auto json_or_none = [](const Value& v) -> py::object {
    if (v.is_undefined()) return py::none();
    return py::str(stepfiber::jsonata::result_to_json_text(v));
  };
  py::object pos = e.position ? py::object(py::int_(*e.position)) : py::object(py::none());
  return py::make_tuple(e.code, pos, json_or_none(e.token), json_or_none(e.value), e.message());
}

/// A compiled expression held by Python.
class CompiledExpression {
 public:
  explicit CompiledExpression(std::shared_ptr<const Expression> e) : expr_(std::move(e)) {}

  // Returns ("result", json_text) / ("undefined", None) / ("error", error_tuple).
  py::tuple evaluate(std::optional<std::string> input_json, const std::string& bindings_json, bool sfn_functions,
                     int depth, std::int64_t timelimit_ms, std::size_t memory_bytes, std::optional<std::int64_t> now_ms,
                     bool timeout_as_u1001) const {
    Value input;
    Value bindings;
    std::string text;
    Error err;
    bool ok = false;
    bool bad_input = false;
    bool undefined = false;
    std::string parse_error;
    {
      py::gil_scoped_release release;
      if (input_json && !stepfiber::jsonata::from_json_text(*input_json, &input, &parse_error)) bad_input = true;
      if (!bad_input && !bindings_json.empty() &&
          !stepfiber::jsonata::from_json_text(bindings_json, &bindings, &parse_error))
        bad_input = true;
      if (!bad_input) {
        stepfiber::jsonata::Bindings b;
        if (bindings.is_object())
          for (const auto& [k, v] : bindings.obj().entries) b.emplace_back(k, v);
        stepfiber::jsonata::EvaluateOptions opts;
        opts.sfn_functions = sfn_functions;
        opts.limits.depth = depth;
        opts.limits.timelimit_ms = timelimit_ms;
        opts.limits.memory_bytes = memory_bytes;
        opts.limits.timeout_as_u1001 = timeout_as_u1001;
        opts.now_ms = now_ms;
        Value result;
        ok = expr_->evaluate(input, b, opts, &result, &err);
        if (ok) {
          undefined = result.is_undefined();
          if (!undefined) text = stepfiber::jsonata::result_to_json_text(result);
        }
      }
    }
    if (bad_input) throw py::value_error("invalid JSON input: " + parse_error);
    if (!ok) return py::make_tuple("error", error_tuple(err));
    if (undefined) return py::make_tuple("undefined", py::none());
    return py::make_tuple("result", py::str(text));
  }

  const std::string& source() const { return expr_->source(); }

 private:
  std::shared_ptr<const Expression> expr_;
};

}  // namespace

void bind_jsonata(py::module_& m) {
  py::module_ j = m.def_submodule("jsonata", "Native JSONata 2.0.6 engine (see stepfiber.jsonata).");
  py::class_<CompiledExpression>(j, "CompiledExpression")
      .def("evaluate", &CompiledExpression::evaluate, py::arg("input_json"), py::arg("bindings_json"),
           py::arg("sfn_functions") = false, py::arg("depth") = 0, py::arg("timelimit_ms") = 0,
           py::arg("memory_bytes") = 0, py::arg("now_ms") = py::none(), py::arg("timeout_as_u1001") = false,
           "Evaluates; returns ('result', json) | ('undefined', None) | ('error', (code, position, token, value, message)).")
      .def_property_readonly("source", &CompiledExpression::source);
  j.def(
      "compile",
      [](const std::string& source, int max_nesting) -> py::tuple {
        Error err;
        std::shared_ptr<const Expression> e;
        {
          py::gil_scoped_release release;
          stepfiber::jsonata::CompileOptions o;
          o.max_nesting = max_nesting;
          e = Expression::compile(source, &err, o);
        }
        if (!e) return py::make_tuple("error", error_tuple(err));
        return py::make_tuple("ok", CompiledExpression(std::move(e)));
      },
      py::arg("source"), py::arg("max_nesting") = 400,
      "Compiles; returns ('ok', CompiledExpression) or ('error', (code, position, token, value, message)).");
}

}  // namespace stepfiber_python
