// The HTTP endpoint's lifecycle: bind and listen, run the io_context on the
// I/O threads, accept connections (backing off when out of descriptors), and
// stop: close everything, let the cancelled operations drain, join.
#include "http/server.h"

#include <sys/resource.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <algorithm>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "http/connection.h"

namespace stepfiber::http {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using detail::Connection;
using detail::Shared;

namespace {

void raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  if (lim.rlim_cur == lim.rlim_max) return;
  lim.rlim_cur = lim.rlim_max;
  (void)setrlimit(RLIMIT_NOFILE, &lim);
}

tcp::endpoint resolve(asio::io_context& ioc, const std::string& host, std::uint16_t port) {
  error_code ec;
  const auto addr = asio::ip::make_address(host, ec);
  if (!ec) return {addr, port};
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) throw std::system_error(ec, "stepfiber http: cannot resolve host '" + host + "'");
  return results.begin()->endpoint();
}

}  // namespace

struct Server::Impl {
  std::shared_ptr<Shared> shared;  // first: outlives the acceptor below
  tcp::acceptor acceptor;
  asio::steady_timer backoff;      // on the acceptor's strand
  asio::steady_timer sweep;        // the deadline sweep, on the same strand
  std::chrono::steady_clock::duration tick;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::vector<std::thread> threads;
  tcp::endpoint bound;
  std::mutex stop_mu;
  bool stopped = false;

  Impl(Handler handler, Options options)
      : shared(std::make_shared<Shared>(std::move(handler), std::move(options))),
        acceptor(asio::make_strand(shared->ioc)),
        backoff(acceptor.get_executor()),
        sweep(acceptor.get_executor()),
        tick(sweep_tick(shared->options)),
        work(shared->ioc.get_executor()) {}

  // Deadlines are checked by one periodic sweep rather than a timer per
  // read and write: a quarter of the shortest timeout, within [10 ms, 1 s].
  static std::chrono::steady_clock::duration sweep_tick(const Options& o) {
    const auto shortest = std::min({o.idle_timeout, o.header_timeout, o.body_timeout, o.write_timeout});
    return std::clamp<std::chrono::steady_clock::duration>(shortest / 4, std::chrono::milliseconds(10),
                                                           std::chrono::seconds(1));
  }

  void start_sweep() {
    sweep.expires_after(tick);
    sweep.async_wait([this](error_code ec) {
      if (ec || shared->stopped.load()) return;
      const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
      {
        std::lock_guard lock(shared->mu);
        for (const auto& c : shared->connections) {
          if (c->deadline() <= now) asio::post(c->executor(), [c] { c->on_deadline(); });
        }
      }
      start_sweep();
    });
  }

  void listen() {
    const auto& o = shared->options;
    const auto endpoint = resolve(shared->ioc, o.host, o.port);
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(o.backlog, ec);
    if (ec) throw std::system_error(ec, "stepfiber http: cannot listen on " + o.host + ":" + std::to_string(o.port));
    bound = acceptor.local_endpoint();
  }

  void accept() {
    // Each connection gets its own strand when several threads run the
    // io_context; with one thread the plain executor is already serial.
    asio::any_io_executor ex = shared->single_thread ? asio::any_io_executor(shared->ioc.get_executor())
                                                     : asio::any_io_executor(asio::make_strand(shared->ioc));
    acceptor.async_accept(ex, [this](error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
  }

  void on_accept(error_code ec, tcp::socket socket) {
    if (shared->stopped.load() || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors (or memory): wait for connections to close
      // instead of spinning on a listener that stays readable.
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space || ec == asio::error::no_memory) {
        backoff.expires_after(std::chrono::milliseconds(50));
        backoff.async_wait([this](error_code wec) {
          if (!wec) accept();
        });
        return;
      }
      accept();  // the peer reset before we took it: just go on
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto conn = std::make_shared<Connection>(std::move(socket), *shared);
    {
      std::lock_guard lock(shared->mu);
      if (shared->stopped.load()) return;  // conn closes its socket on destruction
      shared->connections.push_front(conn);
      conn->set_registry_position(shared->connections.begin());
    }
    shared->accepted.fetch_add(1, std::memory_order_relaxed);
    if (shared->single_thread) {
      conn->start();
    } else {
      asio::post(conn->executor(), [conn] { conn->start(); });
    }
    accept();
  }

  void run_io() {
    for (;;) {
      try {
        shared->ioc.run();
        return;
      } catch (...) {  // a throwing completion handler must not kill the thread
      }
    }
  }
};

Server::Server(Handler handler, Options options) {
  if (!handler) throw std::invalid_argument("stepfiber http: a handler is required");
  if (options.threads == 0) options.threads = 1;
  if (options.raise_fd_limit) raise_open_file_limit();
  impl_ = std::make_unique<Impl>(std::move(handler), std::move(options));
  impl_->listen();
  impl_->accept();
  impl_->start_sweep();
  const unsigned n = impl_->shared->options.threads;
  impl_->threads.reserve(n);
  for (unsigned i = 0; i < n; ++i) impl_->threads.emplace_back([impl = impl_.get()] { impl->run_io(); });
}

Server::~Server() { stop(); }

std::uint16_t Server::port() const { return impl_->bound.port(); }

std::string Server::host() const { return impl_->bound.address().to_string(); }

Stats Server::stats() const {
  Stats s;
  {
    std::lock_guard lock(impl_->shared->mu);
    s.open_connections = impl_->shared->connections.size();
  }
  s.accepted = impl_->shared->accepted.load();
  s.requests = impl_->shared->requests.load();
  return s;
}

void Server::stop() {
  if (impl_->shared->ioc.get_executor().running_in_this_thread())
    throw std::logic_error("stepfiber http: Server::stop() called from an I/O thread (it would join itself)");
  std::lock_guard stop_lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  auto& shared = *impl_->shared;
  shared.stopped.store(true);  // no reply posts from here on

  asio::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    error_code ignored;
    impl->acceptor.close(ignored);
    impl->backoff.cancel();
    impl->sweep.cancel();
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(shared.mu);
    open.assign(shared.connections.begin(), shared.connections.end());
  }
  for (auto& c : open) asio::post(c->executor(), [c] { c->finish(); });
  open.clear();
  // Every socket, timer and the acceptor is closed or closing: their
  // cancelled operations complete and run() returns once none is left.
  impl_->work.reset();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
  std::lock_guard lock(shared.mu);
  shared.connections.clear();
}

}  // namespace stepfiber::http
