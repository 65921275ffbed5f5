// stepfiber._core.jsonata: the thin pybind11 adapter over the JSONata engine
// (cpp/src/jsonata/jsonata.h). Values cross as Python objects, converted
// directly (jsonata_values.h); the GIL is released around compile and
// evaluate; errors raise `Error` with a tuple the Python layer
// (python/stepfiber/jsonata.py) turns into JSONataError.
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "jsonata/jsonata.h"
#include "jsonata_values.h"

namespace py = pybind11;

namespace stepfiber_python {

namespace {

using stepfiber::jsonata::Error;
using stepfiber::jsonata::Expression;
using stepfiber::jsonata::Value;

// The exception the native layer raises for a JSONata error; its args are
// (code, position or None, token or None, value or None, message), which the
// Python layer (python/stepfiber/jsonata.py) turns into JSONataError.
PyObject* g_error_type = nullptr;
// The Python layer's UNDEFINED sentinel (set once at import; kept alive).
PyObject* g_undefined = Py_None;

[[noreturn]] void raise_error(const Error& e) {
  py::object pos = e.position ? py::object(py::int_(*e.position)) : py::object(py::none());
  py::tuple args = py::make_tuple(e.code, pos, from_jsonata_value(e.token, py::none()),
                                  from_jsonata_value(e.value, py::none()), e.message());
  PyErr_SetObject(g_error_type, args.ptr());
  throw py::error_already_set();
}

/// Python variable bindings (a dict of name -> JSON value) for the engine.
stepfiber::jsonata::Bindings to_bindings(py::handle bindings) {
  stepfiber::jsonata::Bindings b;
  if (bindings.is_none()) return b;
  if (!PyDict_Check(bindings.ptr())) throw py::type_error("bindings must be a dict of name -> JSON value");
  b.reserve(static_cast<std::size_t>(PyDict_GET_SIZE(bindings.ptr())));
  PyObject* key = nullptr;
  PyObject* value = nullptr;
  Py_ssize_t pos = 0;
  while (PyDict_Next(bindings.ptr(), &pos, &key, &value)) {
    if (!PyUnicode_Check(key)) throw py::type_error("binding names must be str");
    b.emplace_back(py::cast<std::string>(key), to_jsonata_value(value, g_undefined));
  }
  return b;
}

/// A compiled expression held by Python.
class CompiledExpression {
 public:
  explicit CompiledExpression(std::shared_ptr<const Expression> e) : expr_(std::move(e)) {}

  /// Evaluates with default options; returns the result (UNDEFINED for none).
  py::object evaluate(py::handle data, py::handle bindings) const {
    return run(data, bindings, stepfiber::jsonata::EvaluateOptions());
  }

  /// Evaluates with options (see stepfiber.jsonata.Expression.evaluate).
  py::object evaluate_with(py::handle data, py::handle bindings, bool sfn_functions, int depth,
                           std::int64_t timelimit_ms, std::size_t memory_bytes, std::optional<std::int64_t> now_ms,
                           bool timeout_as_u1001) const {
    stepfiber::jsonata::EvaluateOptions opts;
    opts.sfn_functions = sfn_functions;
    opts.limits.depth = depth;
    opts.limits.timelimit_ms = timelimit_ms;
    opts.limits.memory_bytes = memory_bytes;
    opts.limits.timeout_as_u1001 = timeout_as_u1001;
    opts.now_ms = now_ms;
    return run(data, bindings, opts);
  }

  const std::string& source() const { return expr_->source(); }

 private:
  py::object run(py::handle data, py::handle bindings, const stepfiber::jsonata::EvaluateOptions& opts) const {
    Value input = to_jsonata_value(data, g_undefined);
    stepfiber::jsonata::Bindings b = to_bindings(bindings);
    Value result;
    Error err;
    bool ok = false;
    {
      py::gil_scoped_release release;
      ok = expr_->evaluate(input, b, opts, &result, &err);
    }
    if (!ok) raise_error(err);
    return from_jsonata_value(result, g_undefined);
  }

  std::shared_ptr<const Expression> expr_;
};

}  // namespace

void bind_jsonata(py::module_& m) {
  py::module_ j = m.def_submodule("jsonata", "Native JSONata 2.0.6 engine (see stepfiber.jsonata).");
  g_error_type = PyErr_NewException("stepfiber._core.jsonata.Error", nullptr, nullptr);
  if (!g_error_type) throw py::error_already_set();
  j.attr("Error") = py::handle(g_error_type);
  j.def(
      "set_undefined",
      [](py::handle sentinel) {
        Py_INCREF(sentinel.ptr());  // kept for the life of the process
        g_undefined = sentinel.ptr();
      },
      py::arg("sentinel"), "Sets the object that stands for JavaScript's undefined, both ways.");
  py::class_<CompiledExpression>(j, "CompiledExpression")
      .def("evaluate", &CompiledExpression::evaluate, py::arg("data"), py::arg("bindings"),
           "Evaluates with default options; returns the result (the UNDEFINED sentinel for none); raises Error.")
      .def("evaluate_with", &CompiledExpression::evaluate_with, py::arg("data"), py::arg("bindings"),
           py::arg("sfn_functions"), py::arg("depth"), py::arg("timelimit_ms"), py::arg("memory_bytes"),
           py::arg("now_ms"), py::arg("timeout_as_u1001"),
           "Evaluates with options; returns the result (the UNDEFINED sentinel for none); raises Error.")
      .def_property_readonly("source", &CompiledExpression::source);
  j.def(
      "compile",
      [](const std::string& source, int max_nesting) -> CompiledExpression {
        Error err;
        std::shared_ptr<const Expression> e;
        {
          py::gil_scoped_release release;
          stepfiber::jsonata::CompileOptions o;
          o.max_nesting = max_nesting;
          e = Expression::compile(source, &err, o);
        }
        if (!e) raise_error(err);
        return CompiledExpression(std::move(e));
      },
      py::arg("source"), py::arg("max_nesting") = 400,
      "Compiles; returns a CompiledExpression or raises Error.");
}

}  // namespace stepfiber_python
