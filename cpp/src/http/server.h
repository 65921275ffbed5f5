// The Step Functions HTTP endpoint: listens, runs connections on a few I/O
// threads, and hands each request to one operation handler (api::Service).
//
// Every connection is asynchronous (Boost.Beast over one asio io_context):
// a request whose answer comes later (a 60 s GetActivityTask poll, a 5 min
// StartSyncExecution) holds no thread, only its socket and a few hundred
// bytes, so thousands can wait at once. Requests on one connection are
// answered in order (pipelined requests are read one after another).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/service.h"

namespace stepfiber::http {

/// Answers one request: `target` is the X-Amz-Target value exactly as sent
/// ("AWSStepFunctions.StartExecution", "StepFiber.AdvanceClock", or anything
/// else: unknown operations are the handler's to refuse), valid only during
/// the call; `body` is the request body, unparsed. The handler must not
/// block and must call `reply` exactly once, from any thread, now or later.
/// A handler that throws, or drops `reply` uncalled, gets a 500
/// InternalFailure sent for it. Calling `reply` after the client left or the
/// server stopped is safe (the answer is dropped).
using Handler = std::function<void(std::string_view target, std::string body, std::function<void(api::Response)> reply)>;

/// Where the server listens and how it treats slow or oversized input.
struct Options {
  std::string host = "127.0.0.1";  ///< an IP address (v4 or v6) or a resolvable name
  std::uint16_t port = 0;          ///< 0 picks a free port; Server::port() reports it
  unsigned threads = 1;            ///< I/O threads running the one io_context (>= 1)
  std::size_t max_header_bytes = 16 * 1024;      ///< larger: 431, then close
  std::size_t max_body_bytes = 4 * 1024 * 1024;  ///< larger: 413, then close
  /// An open connection with no request started is closed after this long.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  /// From a request's first byte to the end of its headers; then close.
  std::chrono::milliseconds header_timeout{std::chrono::seconds(60)};
  /// From the end of the headers to the end of the body; then close.
  std::chrono::milliseconds body_timeout{std::chrono::seconds(60)};
  /// To send one response; a client not reading is then dropped.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};
  // Timeouts are enforced by a periodic sweep every quarter of the shortest
  // one (10 ms to 1 s), so a connection may live that much past its limit.
  /// Raise this process's open-file soft limit to its hard limit on start,
  /// so 10,000 idle connections fit (each is one descriptor).
  bool raise_fd_limit = true;
  int backlog = 4096;  ///< listen(2) backlog
};

/// Counters, for tests and the benchmark.
struct Stats {
  std::size_t open_connections = 0;  ///< accepted and not yet closed
  std::uint64_t accepted = 0;        ///< connections accepted since start
  std::uint64_t requests = 0;        ///< requests handed to the handler
};

class Server {
 public:
  /// Binds, listens and starts the I/O threads. Throws std::system_error
  /// when the address cannot be bound, std::invalid_argument for bad options.
  Server(Handler handler, Options options = {});
  /// stop()s.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The bound port (the chosen one when Options::port was 0).
  std::uint16_t port() const;
  /// The bound address, as text.
  std::string host() const;
  Stats stats() const;

  /// Closes the listener and every connection (requests waiting for their
  /// answer are dropped without one), then joins the I/O threads. Replies
  /// that arrive afterwards are ignored. Safe to call twice; must not be
  /// called from an I/O thread (that is, from inside the handler): it
  /// throws std::logic_error there.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stepfiber::http
