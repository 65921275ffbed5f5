// stepfiber._core.HttpServer: the C++ HTTP endpoint (http::Server) serving
// one api::Service. Requests never touch Python: the I/O threads hand them
// to Service::invoke and write its answers. stepfiber/server.py wraps it.
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <system_error>

#include "api/service.h"
#include "http/server.h"

namespace py = pybind11;

namespace stepfiber_python {

void bind_http(py::module_& m) {
  using stepfiber::api::Service;
  using stepfiber::http::Server;
  py::class_<Server>(m, "HttpServer",
                     "The AWS JSON 1.0 HTTP endpoint over a Service (Boost.Beast; no Python on the request path). "
                     "Listens from construction until stop().")
      .def(py::init([](Service& service, const std::string& host, int port, int threads) {
             if (port < 0 || port > 65535) throw py::value_error("port must be in [0, 65535]");
             if (threads < 1) throw py::value_error("threads must be at least 1");
             stepfiber::http::Options options;
             options.host = host;
             options.port = static_cast<std::uint16_t>(port);
             options.threads = static_cast<unsigned>(threads);
             std::unique_ptr<Server> server;
             std::string bind_error;
             {
               py::gil_scoped_release release;
               try {
                 server = std::make_unique<Server>(
                     [&service](std::string_view target, std::string body, Service::Reply reply) {
                       service.invoke(target, std::move(body), std::move(reply));
                     },
                     options);
               } catch (const std::system_error& e) {
                 bind_error = e.what();
               }
             }
             if (!server) {
               PyErr_SetString(PyExc_OSError, bind_error.c_str());
               throw py::error_already_set();
             }
             return server;
           }),
           py::keep_alive<1, 2>(),  // the Service lives at least as long as the server
           py::arg("service"), py::arg("host") = "127.0.0.1", py::arg("port") = 0, py::arg("threads") = 1,
           "Binds host:port (port 0 picks a free one) and starts `threads` I/O threads. "
           "Raises OSError when the address cannot be bound or resolved.")
      .def_property_readonly("port", &Server::port, "The bound TCP port.")
      .def_property_readonly("host", &Server::host, "The bound address.")
      .def(
          "stats",
          [](const Server& s) {
            const auto st = s.stats();
            py::dict d;
            d["open_connections"] = st.open_connections;
            d["accepted"] = st.accepted;
            d["requests"] = st.requests;
            return d;
          },
          "Counters: open_connections, accepted (connections), requests (handed to the Service).")
      .def("stop", &Server::stop, py::call_guard<py::gil_scoped_release>(),
           "Closes the listener and every connection (waiting requests get no answer) and joins the I/O "
           "threads. Idempotent.");
}

}  // namespace stepfiber_python
