// stepfiber._core: the thin pybind11 adapter over stepfiber::Engine and the
// operation layer (api::Service). It converts types, releases the GIL around
// every engine call and maps Status to one exception type
// (EngineError(code, message)). No logic: every AWS operation goes through
// Service.call (AWS JSON 1.0 in and out); Engine keeps only the native fast
// paths (batches) and the extensions. The boto3-shaped surface lives in
// python/stepfiber/client.py.
#include <optional>
#include <string>

#include <pybind11/eval.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "api/model.h"
#include "api/operations.h"
#include "api/service.h"
#include "stepfiber/engine.h"
#include "stepfiber/json.h"

namespace py = pybind11;

namespace stepfiber_python {

using stepfiber::Engine;
using stepfiber::Result;
using stepfiber::Status;

PyObject* engine_error_type = nullptr;

[[noreturn]] void raise(const Status& st) {
  py::object cls = py::reinterpret_borrow<py::object>(engine_error_type);
  py::object exc = cls(std::string(st.code_name()), st.message());
  PyErr_SetObject(engine_error_type, exc.ptr());
  throw py::error_already_set();
}

void check(const Status& st) {
  if (!st.ok()) raise(st);
}

template <typename T>
T unwrap(Result<T> r) {
  if (!r.ok()) raise(r.status());
  return std::move(r).value();
}

/// Batch results as [{"index", "code", "message"}] for the failed entries.
py::list failures_list(const std::vector<Status>& statuses) {
  py::list failures;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i].ok()) continue;
    py::dict d;
    d["index"] = i;
    d["code"] = std::string(statuses[i].code_name());
    d["message"] = statuses[i].message();
    failures.append(d);
  }
  return failures;
}

void bind_jsonata(py::module_& m);  // jsonata_module.cpp
void bind_http(py::module_& m);     // http_module.cpp

}  // namespace stepfiber_python

PYBIND11_MODULE(_core, m) {
  using namespace stepfiber_python;
  using stepfiber::Engine;
  using stepfiber::EngineOptions;
  using Opt = std::optional<std::string>;
  m.doc() = "stepfiber's compiled engine (thin adapter; use stepfiber.client()).";
  bind_jsonata(m);
  bind_http(m);
#ifdef STEPFIBER_VERSION
  m.attr("__version__") = STEPFIBER_VERSION;
#else
  m.attr("__version__") = "dev";
#endif
  // The deepest JSON nesting the engine accepts (Jackson's default).
  m.attr("MAX_JSON_DEPTH") = stepfiber::kMaxJsonDepth;

  // EngineError(code, message): defined in Python so it pickles and prints well.
  py::dict ns;
  py::exec(R"(
class EngineError(Exception):
    """An engine failure: ``code`` is the AWS error code, ``message`` its text."""
    def __init__(self, code, message):
        super().__init__(code, message)
        self.code = code
        self.message = message
    def __str__(self):
        return f"{self.code}: {self.message}"
)", ns, ns);
  py::object err = ns["EngineError"];
  err.attr("__module__") = "stepfiber._core";
  m.attr("EngineError") = err;
  engine_error_type = err.ptr();
  Py_INCREF(engine_error_type);

  using release = py::call_guard<py::gil_scoped_release>;
  py::class_<Engine>(m, "Engine", "One engine thread running every execution as a Boost.Fiber.")
      .def(py::init([](bool manual_clock, std::optional<std::int64_t> start_time_ms, std::string region,
                       std::string account, std::optional<std::int64_t> execution_retention_ms,
                       double time_scale) {
             EngineOptions o;
             o.time_scale = time_scale;
             o.manual_clock = manual_clock;
             o.start_time_ms = start_time_ms;
             o.region = std::move(region);
             o.account = std::move(account);
             if (execution_retention_ms) o.execution_retention_ms = *execution_retention_ms;
             py::gil_scoped_release nogil;
             return std::make_unique<Engine>(std::move(o));
           }),
           py::arg("manual_clock") = false, py::arg("start_time_ms") = py::none(),
           py::arg("region") = "us-east-1", py::arg("account") = "123456789012",
           py::arg("execution_retention_ms") = py::none(), py::arg("time_scale") = 1.0)
      .def("start_executions",
           [](Engine& e, const std::string& arn, std::vector<std::string> inputs, std::vector<std::string> names) {
             auto results = [&] { py::gil_scoped_release g; return e.start_executions(arn, inputs, names); }();
             py::list started, failures;
             for (std::size_t i = 0; i < results.size(); ++i) {
               py::dict d;
               if (results[i].ok()) {
                 d["executionArn"] = results[i]->execution_arn;
                 d["startDate"] = results[i]->start_date_ms;
                 started.append(d);
               } else {
                 d["index"] = i;
                 d["code"] = std::string(results[i].status().code_name());
                 d["message"] = results[i].status().message();
                 failures.append(d);
               }
             }
             return py::make_tuple(started, failures);
           },
           py::arg("state_machine_arn"), py::arg("inputs"), py::arg("names") = std::vector<std::string>{})
      .def("send_task_success_batch",
           [](Engine& e, std::vector<std::string> tokens, std::vector<std::string> outputs) {
             auto st = [&] { py::gil_scoped_release g; return e.send_task_success_batch(tokens, outputs); }();
             return failures_list(st);
           })
      .def("send_task_failure_batch",
           [](Engine& e, std::vector<std::string> tokens, std::vector<Opt> errors, std::vector<Opt> causes) {
             auto st = [&] { py::gil_scoped_release g; return e.send_task_failure_batch(tokens, errors, causes); }();
             return failures_list(st);
           })
      .def("pending_task_tokens", &Engine::pending_task_tokens, release())
      .def("pending_task_refs", &Engine::pending_task_refs, release())
      .def("take_resume_latencies_ns",
           [](Engine& e) {
             auto v = [&] { py::gil_scoped_release g; return e.take_resume_latencies_ns(); }();
             return v;
           })
      .def("list_pending_tasks",
           [](Engine& e, Opt arn) {
             auto r = [&] { py::gil_scoped_release g; return e.list_pending_tasks(arn); }();
             py::list out;
             for (const auto& p : r) {
               py::dict d;
               d["taskToken"] = p.task_token;
               d["executionArn"] = p.execution_arn;
               d["stateName"] = p.state_name;
               d["resource"] = p.resource;
               d["parameters"] = p.parameters;
               d["scheduledDate"] = p.scheduled_date_ms;
               out.append(d);
             }
             return out;
           })
      .def("wait_for_execution",
           [](Engine& e, const std::string& arn, std::optional<double> timeout) {
             auto r = [&] { py::gil_scoped_release g; return e.wait_for_execution(arn, timeout); }();
             return unwrap(std::move(r));
           })
      .def("wait_for_all", &Engine::wait_for_all, release())
      .def("advance_clock",
           [](Engine& e, double seconds) {
             Status st = [&] { py::gil_scoped_release g; return e.advance_clock(seconds); }();
             check(st);
           })
      .def("now_ms", &Engine::now_ms, release())
      .def("register_resource", &Engine::register_resource, release())
      .def("unregister_resource", &Engine::unregister_resource, release())
      .def("next_handler_call",
           [](Engine& e, std::optional<double> timeout) -> py::object {
             auto c = [&] { py::gil_scoped_release g; return e.next_handler_call(timeout); }();
             if (!c) return py::none();
             py::dict d;
             d["id"] = c->id;
             d["resource"] = c->resource;
             d["input"] = c->input;
             d["taskToken"] = c->task_token;
             d["executionArn"] = c->execution_arn;
             d["stateName"] = c->state_name;
             return d;
           })
      .def("complete_handler_call", &Engine::complete_handler_call, release())
      .def(
          "stats",
          [](Engine& e, bool scan) {
             auto s = [&] { py::gil_scoped_release g; return e.stats(scan); }();
             py::dict d;
             d["executions"] = s.executions;
             d["running"] = s.running;
             d["open_tokens"] = s.open_tokens;
             d["live_fibers"] = s.live_fibers;
             if (s.scanned) d["pending_timers"] = s.pending_timers;
             d["stacks_in_use"] = s.stacks_in_use;
             if (s.scanned) d["stack_resident_bytes"] = s.stack_resident_bytes;
             d["succeeded"] = s.succeeded;
             d["failed"] = s.failed;
             d["timed_out"] = s.timed_out;
             d["aborted"] = s.aborted;
             d["purged"] = s.purged;
             d["guard_pages"] = s.guard_pages;
             return d;
           },
          py::arg("scan") = true,
          "Engine counters as a dict; scan=False leaves out pending_timers and stack_resident_bytes, "
          "whose walks grow with the engine's size.")
      .def("close", &Engine::close, release());

  py::class_<stepfiber::api::Service>(
      m, "Service", "The operation layer over an Engine: call(target, body) -> (http_status, body), AWS JSON 1.0.")
      .def(py::init<Engine&>(), py::keep_alive<1, 2>(), py::arg("engine"))
      .def(
          "call",
          [](stepfiber::api::Service& s, const std::string& target, std::string body) {
            stepfiber::api::Response r;
            {
              py::gil_scoped_release g;
              r = s.call(target, std::move(body));
            }
            return py::make_tuple(r.http_status, py::bytes(r.body));
          },
          py::arg("target"), py::arg("body"),
          "Runs one operation ('AWSStepFunctions.StartExecution' or 'StepFiber.AdvanceClock') on a JSON body; "
          "returns (http_status, JSON body bytes).");
  m.def("api_model", [] { return stepfiber::api::Model::get().json_text(); },
        "The pruned botocore stepfunctions model the operation layer was generated from (JSON text).");
  m.def("api_botocore_version", [] { return stepfiber::api::Model::get().botocore_version(); },
        "botocore's version the operation layer's model was generated from.");
  m.def(
      "api_operations",
      [] {
        py::list out;
        for (const auto& op : stepfiber::api::operation_table()) {
          py::dict d;
          d["name"] = std::string(op.name);
          d["extension"] = op.extension;
          py::list reads, ignored;
          for (auto r : op.reads) reads.append(std::string(r));
          for (const auto& [member, why] : op.ignored) ignored.append(py::make_tuple(std::string(member), std::string(why)));
          d["reads"] = reads;
          d["ignored"] = ignored;
          out.append(d);
        }
        return out;
      },
      "Every routed operation: name, extension flag, input members read and members ignored (with why).");
}
