// One client connection of the HTTP endpoint (internal to http/): its
// read -> handle -> write loop, its deadline, and the state the server and
// late replies share with it.
#pragma once

#include <atomic>
#include <chrono>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/server.h"
#include "http/wire.h"

namespace stepfiber::http::detail {

class Connection;

/// What the server, its connections and outstanding replies share. Replies
/// hold it by shared_ptr, so the io_context outlives any reply that might
/// still post to it, even after the Server object is gone.
struct Shared : std::enable_shared_from_this<Shared> {
  Shared(Handler h, Options o);

  boost::asio::io_context ioc;  // first: destroyed last
  Handler handler;
  Options options;
  wire::Limits limits;
  bool single_thread;                 ///< one I/O thread: no strands needed
  std::atomic<bool> stopped{false};   ///< set first thing in Server::stop()
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> requests{0};

  std::mutex mu;                                    ///< guards connections
  std::list<std::shared_ptr<Connection>> connections;  ///< every open connection
};

/// One accepted socket. Owned by Shared::connections while open (pending
/// asio operations hold it too); replies hold only a weak_ptr. All members
/// are touched only on the connection's executor (a strand when the server
/// runs several I/O threads).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, Shared& shared);

  /// Records where the connection sits in Shared::connections (under mu).
  void set_registry_position(std::list<std::shared_ptr<Connection>>::iterator pos) { pos_ = pos; }
  /// Starts reading requests (on the connection's executor).
  void start();
  /// Closes the socket and leaves the registry (on the connection's executor).
  void finish();
  /// Hands the answer to request `seq` over; runs on an I/O thread, hops
  /// onto the connection's executor when needed.
  void deliver(std::uint64_t seq, api::Response answer);
  /// The executor every operation of this connection runs on.
  boost::asio::any_io_executor executor() { return socket_.get_executor(); }

  /// When the current read or write times out (steady_clock ticks;
  /// kNoDeadline while waiting for the handler). Read by the server's sweep
  /// from any thread.
  std::int64_t deadline() const { return deadline_.load(std::memory_order_relaxed); }
  /// Closes the connection if its deadline has really passed (the sweep
  /// posts this on the connection's executor).
  void on_deadline();
  static constexpr std::int64_t kNoDeadline = INT64_MAX;

 private:
  void next_request();
  void on_idle_read(boost::system::error_code ec, std::size_t n);
  void read_header();
  void on_header(boost::system::error_code ec);
  void read_body();
  void on_body(boost::system::error_code ec);
  void dispatch();
  void on_reply(std::uint64_t seq, api::Response answer);
  void fail(boost::system::error_code ec);
  void respond(api::Response answer, bool keep_alive);
  void on_write(boost::system::error_code ec);
  void linger_close();
  void arm(std::chrono::steady_clock::duration timeout);
  void disarm();
  void on_linger_read(boost::system::error_code ec, std::size_t n);

  Shared& shared_;
  boost::asio::ip::tcp::socket socket_;
  std::atomic<std::int64_t> deadline_{kNoDeadline};
  boost::beast::flat_buffer buffer_;
  std::optional<wire::RequestParser> parser_;
  wire::Response response_;  ///< the one being written
  std::list<std::shared_ptr<Connection>>::iterator pos_;
  std::uint64_t seq_ = 0;      ///< number of the request waiting for its answer
  std::size_t lingered_ = 0;   ///< bytes discarded while closing
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool waiting_ = false;       ///< the handler owes an answer to request seq_
  bool closed_ = false;
};

}  // namespace stepfiber::http::detail
