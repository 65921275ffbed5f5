// stepfiber._core: the thin pybind11 adapter over stepfiber::Engine.
// It converts types, releases the GIL around every engine call and maps
// Status to one exception type (EngineError(code, message)). No logic:
// the boto3-shaped surface lives in python/stepfiber/client.py.
#include <optional>
#include <string>

#include <pybind11/eval.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "stepfiber/engine.h"

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

py::dict machine_dict(const stepfiber::StateMachineInfo& i, bool full) {
  py::dict d;
  d["stateMachineArn"] = i.state_machine_arn;
  d["name"] = i.name;
  d["type"] = i.type;
  d["creationDate"] = i.creation_date_ms;
  if (full) {
    d["status"] = i.status;
    d["definition"] = i.definition;
    d["roleArn"] = i.role_arn;
    if (!i.revision_id.empty()) d["revisionId"] = i.revision_id;
  }
  return d;
}

py::dict execution_dict(const stepfiber::ExecutionInfo& i, bool full) {
  py::dict d;
  d["executionArn"] = i.execution_arn;
  d["stateMachineArn"] = i.state_machine_arn;
  d["name"] = i.name;
  d["status"] = i.status;
  d["startDate"] = i.start_date_ms;
  if (i.stop_date_ms) d["stopDate"] = *i.stop_date_ms;
  if (full) {
    d["input"] = i.input;
    if (i.output) d["output"] = *i.output;
    if (i.error) d["error"] = *i.error;
    if (i.cause) d["cause"] = *i.cause;
  }
  return d;
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

}  // namespace stepfiber_python

PYBIND11_MODULE(_core, m) {
  using namespace stepfiber_python;
  using stepfiber::Engine;
  using stepfiber::EngineOptions;
  using Opt = std::optional<std::string>;
  m.doc() = "stepfiber's compiled engine (thin adapter; use stepfiber.client()).";
  bind_jsonata(m);
#ifdef STEPFIBER_VERSION
  m.attr("__version__") = STEPFIBER_VERSION;
#else
  m.attr("__version__") = "dev";
#endif

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
                       std::string account, std::optional<std::int64_t> execution_retention_ms) {
             EngineOptions o;
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
           py::arg("execution_retention_ms") = py::none())
      .def("create_state_machine",
           [](Engine& e, const std::string& name, const std::string& definition, const std::string& role_arn,
              const std::string& type) {
             auto r = [&] { py::gil_scoped_release g; return e.create_state_machine(name, definition, role_arn, type); }();
             auto i = unwrap(std::move(r));
             py::dict d;
             d["stateMachineArn"] = i.state_machine_arn;
             d["creationDate"] = i.creation_date_ms;
             return d;
           })
      .def("describe_state_machine",
           [](Engine& e, const std::string& arn) {
             auto r = [&] { py::gil_scoped_release g; return e.describe_state_machine(arn); }();
             return machine_dict(unwrap(std::move(r)), true);
           })
      .def("list_state_machines",
           [](Engine& e) {
             auto r = [&] { py::gil_scoped_release g; return e.list_state_machines(); }();
             py::list out;
             for (const auto& i : r) out.append(machine_dict(i, false));
             return out;
           })
      .def("delete_state_machine",
           [](Engine& e, const std::string& arn) {
             Status st = [&] { py::gil_scoped_release g; return e.delete_state_machine(arn); }();
             check(st);
           })
      .def("update_state_machine",
           [](Engine& e, const std::string& arn, Opt definition, Opt role_arn) {
             auto r = [&] { py::gil_scoped_release g; return e.update_state_machine(arn, definition, role_arn); }();
             auto u = unwrap(std::move(r));
             py::dict d;
             d["updateDate"] = u.update_date_ms;
             d["revisionId"] = u.revision_id;
             return d;
           })
      .def("validate_state_machine_definition",
           [](Engine& e, const std::string& definition, const std::string& type, const std::string& severity,
              std::int64_t max_results) {
             auto r = [&] {
               py::gil_scoped_release g;
               return e.validate_state_machine_definition(definition, type, severity, max_results);
             }();
             auto v = unwrap(std::move(r));
             py::list diagnostics;
             for (const auto& x : v.diagnostics) {
               py::dict d;
               d["severity"] = x.severity;
               d["code"] = x.code;
               d["message"] = x.message;
               if (!x.location.empty()) d["location"] = x.location;
               diagnostics.append(d);
             }
             py::dict d;
             d["result"] = v.result;
             d["diagnostics"] = diagnostics;
             d["truncated"] = v.truncated;
             return d;
           })
      .def("start_execution",
           [](Engine& e, const std::string& arn, Opt name, Opt input) {
             auto r = [&] { py::gil_scoped_release g; return e.start_execution(arn, name, input); }();
             auto i = unwrap(std::move(r));
             py::dict d;
             d["executionArn"] = i.execution_arn;
             d["startDate"] = i.start_date_ms;
             return d;
           })
      .def("start_sync_execution",
           [](Engine& e, const std::string& arn, Opt name, Opt input) {
             auto r = [&] { py::gil_scoped_release g; return e.start_sync_execution(arn, name, input); }();
             return execution_dict(unwrap(std::move(r)), true);
           })
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
      .def("describe_execution",
           [](Engine& e, const std::string& arn) {
             auto r = [&] { py::gil_scoped_release g; return e.describe_execution(arn); }();
             return execution_dict(unwrap(std::move(r)), true);
           })
      .def("list_executions",
           [](Engine& e, const std::string& arn, Opt status_filter) {
             auto r = [&] { py::gil_scoped_release g; return e.list_executions(arn, status_filter); }();
             py::list out;
             for (const auto& i : unwrap(std::move(r))) out.append(execution_dict(i, false));
             return out;
           })
      .def("stop_execution",
           [](Engine& e, const std::string& arn, Opt error, Opt cause) {
             auto r = [&] { py::gil_scoped_release g; return e.stop_execution(arn, error, cause); }();
             py::dict d;
             d["stopDate"] = unwrap(std::move(r));
             return d;
           })
      .def("get_execution_history",
           [](Engine& e, const std::string& arn) {
             auto r = [&] { py::gil_scoped_release g; return e.get_execution_history(arn); }();
             py::list out;
             for (const auto& h : unwrap(std::move(r))) {
               py::dict d;
               d["id"] = h.id;
               d["previousEventId"] = h.previous_event_id;
               d["timestamp"] = h.timestamp_ms;
               d["type"] = h.type;
               d["detailsKey"] = h.details_key;
               d["details"] = h.details;
               out.append(d);
             }
             return out;
           })
      .def("create_activity",
           [](Engine& e, const std::string& name) {
             auto r = [&] { py::gil_scoped_release g; return e.create_activity(name); }();
             auto i = unwrap(std::move(r));
             py::dict d;
             d["activityArn"] = i.activity_arn;
             d["creationDate"] = i.creation_date_ms;
             return d;
           })
      .def("describe_activity",
           [](Engine& e, const std::string& arn) {
             auto r = [&] { py::gil_scoped_release g; return e.describe_activity(arn); }();
             auto i = unwrap(std::move(r));
             py::dict d;
             d["activityArn"] = i.activity_arn;
             d["name"] = i.name;
             d["creationDate"] = i.creation_date_ms;
             return d;
           })
      .def("list_activities",
           [](Engine& e) {
             auto r = [&] { py::gil_scoped_release g; return e.list_activities(); }();
             py::list out;
             for (const auto& i : r) {
               py::dict d;
               d["activityArn"] = i.activity_arn;
               d["name"] = i.name;
               d["creationDate"] = i.creation_date_ms;
               out.append(d);
             }
             return out;
           })
      .def("delete_activity",
           [](Engine& e, const std::string& arn) {
             Status st = [&] { py::gil_scoped_release g; return e.delete_activity(arn); }();
             check(st);
           })
      .def("get_activity_task",
           [](Engine& e, const std::string& arn, Opt worker, double timeout) {
             auto r = [&] { py::gil_scoped_release g; return e.get_activity_task(arn, worker, timeout); }();
             auto task = unwrap(std::move(r));
             py::dict d;
             if (task) {
               d["taskToken"] = task->task_token;
               d["input"] = task->input;
             }
             return d;
           },
           py::arg("activity_arn"), py::arg("worker_name") = py::none(), py::arg("timeout_seconds") = 60.0)
      .def("send_task_success",
           [](Engine& e, const std::string& token, const std::string& output) {
             Status st = [&] { py::gil_scoped_release g; return e.send_task_success(token, output); }();
             check(st);
           })
      .def("send_task_failure",
           [](Engine& e, const std::string& token, Opt error, Opt cause) {
             Status st = [&] { py::gil_scoped_release g; return e.send_task_failure(token, error, cause); }();
             check(st);
           })
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
      .def("send_task_heartbeat",
           [](Engine& e, const std::string& token) {
             Status st = [&] { py::gil_scoped_release g; return e.send_task_heartbeat(token); }();
             check(st);
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
      .def("stats",
           [](Engine& e) {
             auto s = [&] { py::gil_scoped_release g; return e.stats(); }();
             py::dict d;
             d["executions"] = s.executions;
             d["running"] = s.running;
             d["open_tokens"] = s.open_tokens;
             d["live_fibers"] = s.live_fibers;
             d["pending_timers"] = s.pending_timers;
             d["stacks_in_use"] = s.stacks_in_use;
             d["stack_resident_bytes"] = s.stack_resident_bytes;
             d["succeeded"] = s.succeeded;
             d["failed"] = s.failed;
             d["timed_out"] = s.timed_out;
             d["aborted"] = s.aborted;
             d["purged"] = s.purged;
             d["guard_pages"] = s.guard_pages;
             return d;
           })
      .def("close", &Engine::close, release());
}
