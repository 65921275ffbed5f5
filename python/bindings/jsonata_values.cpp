// Python objects <-> jsonata::Value (see jsonata_values.h). Raw CPython calls
// on the exact types first: this is the whole per-call cost for small inputs.
#include "jsonata_values.h"

#include <cmath>
#include <memory>
#include <string>
#include <utility>

namespace py = pybind11;

namespace stepfiber_python {

namespace {

using stepfiber::jsonata::ArrayData;
using stepfiber::jsonata::Kind;
using stepfiber::jsonata::ObjectData;
using stepfiber::jsonata::Value;

/// UTF-8 of a str; lone surrogates are kept as WTF-8 (surrogatepass).
std::string utf8_of(PyObject* s) {
  Py_ssize_t n = 0;
  if (const char* p = PyUnicode_AsUTF8AndSize(s, &n)) return std::string(p, static_cast<std::size_t>(n));
  PyErr_Clear();
  py::object bytes = py::reinterpret_steal<py::object>(PyUnicode_AsEncodedString(s, "utf-8", "surrogatepass"));
  if (!bytes) throw py::error_already_set();
  return std::string(PyBytes_AS_STRING(bytes.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(bytes.ptr())));
}

/// A Python int as a double; past the double range, +/-Infinity (as
/// JavaScript's Number() of the same digits).
double int_to_double(PyObject* o) {
  double d = PyLong_AsDouble(o);
  if (d == -1.0 && PyErr_Occurred()) {
    PyErr_Clear();
    return _PyLong_Sign(o) < 0 ? -HUGE_VAL : HUGE_VAL;
  }
  return d;
}

/// The text json.dumps writes for a non-str dict key.
std::string key_text(PyObject* k) {
  if (PyUnicode_Check(k)) return utf8_of(k);
  if (k == Py_True) return "true";
  if (k == Py_False) return "false";
  if (k == Py_None) return "null";
  if (PyLong_Check(k) || PyFloat_Check(k)) {
    if (PyFloat_Check(k)) {
      double d = PyFloat_AS_DOUBLE(k);
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    }
    py::object r = py::reinterpret_steal<py::object>(PyFloat_Check(k) ? PyObject_Repr(k) : PyObject_Str(k));
    if (!r) throw py::error_already_set();
    return utf8_of(r.ptr());
  }
  throw py::type_error(std::string("keys must be str, int, float, bool or None, not ") + Py_TYPE(k)->tp_name);
}

Value convert(PyObject* o, PyObject* undefined, int depth_left) {
  if (o == Py_None) return Value::null();
  if (o == Py_True) return Value::boolean(true);
  if (o == Py_False) return Value::boolean(false);
  if (PyUnicode_CheckExact(o)) return Value::string(utf8_of(o));
  if (PyFloat_CheckExact(o)) return Value::number(PyFloat_AS_DOUBLE(o));
  if (PyLong_CheckExact(o)) return Value::number(int_to_double(o));
  if (o == undefined) return Value();
  if (depth_left <= 0)
    throw py::value_error("input nested too deeply (or a circular reference) for stepfiber.jsonata");
  if (PyDict_Check(o)) {
    auto obj = std::make_shared<ObjectData>();
    obj->entries.reserve(static_cast<std::size_t>(PyDict_GET_SIZE(o)));
    PyObject* key = nullptr;
    PyObject* value = nullptr;
    Py_ssize_t pos = 0;
    // Keys that are all str are distinct, so no lookup is needed; another
    // key type may print as an existing key (1 and "1"), so a dict with one
    // is converted again with lookups (json.loads keeps the last value).
    bool all_str = true;
    while (PyDict_Next(o, &pos, &key, &value)) {
      Py_ssize_t n = 0;
      const char* p = PyUnicode_CheckExact(key) ? PyUnicode_AsUTF8AndSize(key, &n) : nullptr;
      if (!p) {
        PyErr_Clear();
        all_str = false;
        break;
      }
      obj->insert_new(std::string_view(p, static_cast<std::size_t>(n)), convert(value, undefined, depth_left - 1));
    }
    if (!all_str) {
      obj = std::make_shared<ObjectData>();
      pos = 0;
      while (PyDict_Next(o, &pos, &key, &value))
        obj->set(key_text(key), convert(value, undefined, depth_left - 1));
    }
    return Value::object(std::move(obj));
  }
  if (PyList_Check(o) || PyTuple_Check(o)) {
    const bool list = PyList_Check(o);
    const Py_ssize_t n = list ? PyList_GET_SIZE(o) : PyTuple_GET_SIZE(o);
    auto arr = std::make_shared<ArrayData>();
    arr->items.reserve(static_cast<std::size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i)
      arr->items.push_back(convert(list ? PyList_GET_ITEM(o, i) : PyTuple_GET_ITEM(o, i), undefined, depth_left - 1));
    return Value::array(std::move(arr));
  }
  // Subclasses of the JSON types (json.dumps accepts them too).
  if (PyUnicode_Check(o)) return Value::string(utf8_of(o));
  if (PyLong_Check(o)) return Value::number(int_to_double(o));
  if (PyFloat_Check(o)) return Value::number(PyFloat_AsDouble(o));
  throw py::type_error(std::string("Object of type ") + Py_TYPE(o)->tp_name + " is not JSON serializable");
}

py::object decode_utf8(const std::string& s) {
  PyObject* r = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogatepass");
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

py::object number_object(double d) {
  PyObject* r = (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e21) ? PyLong_FromDouble(d)
                                                                                 : PyFloat_FromDouble(d);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

py::object back(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      return py::none();
    case Kind::kBoolean:
      return py::bool_(v.as_bool());
    case Kind::kNumber:
      return number_object(v.as_number());
    case Kind::kString:
      return decode_utf8(v.as_string());
    case Kind::kFunction:
      return py::str("");
    case Kind::kArray: {
      const auto& items = v.arr().items;
      py::list out(items.size());
      for (std::size_t i = 0; i < items.size(); ++i) {
        py::object item = back(items[i]);
        PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), item.release().ptr());
      }
      return out;
    }
    case Kind::kObject: {
      py::dict out;
      for (const auto& [key, value] : v.obj().entries) {
        if (value.is_undefined()) continue;
        py::object k = decode_utf8(key);
        py::object item = back(value);
        if (PyDict_SetItem(out.ptr(), k.ptr(), item.ptr()) != 0) throw py::error_already_set();
      }
      return out;
    }
  }
  return py::none();
}

}  // namespace

Value to_jsonata_value(py::handle obj, py::handle undefined, int max_depth) {
  return convert(obj.ptr(), undefined.ptr(), max_depth);
}

py::object from_jsonata_value(const Value& v, py::handle undefined) {
  if (v.is_undefined()) return py::reinterpret_borrow<py::object>(undefined);
  return back(v);
}

}  // namespace stepfiber_python
