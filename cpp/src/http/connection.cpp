// One client connection of the HTTP endpoint: wait for a request (idle
// timeout), read its headers (header timeout) and body (body timeout), hand
// it to the handler, wait, with no thread held, for the reply to come back
// through asio::post, write the response (write timeout), and go again or
// close. Requests on one connection are answered in the order they came.
#include "http/connection.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <array>
#include <exception>
#include <utility>

namespace stepfiber::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using boost::system::error_code;

namespace {

// The first read of a request; most SDK requests fit in it whole.
constexpr std::size_t kIdleReadBytes = 2048;
// A connection keeps at most this much read buffer between requests.
constexpr std::size_t kKeepBufferBytes = 8 * 1024;
// While closing after an error we read (and drop) what the client is still
// sending, so our answer is not lost to a TCP reset; this much, this long.
constexpr std::size_t kLingerBytes = 256 * 1024;
constexpr std::chrono::seconds kLingerTime{2};

// The reply a handler gets. Exactly one answer goes back per request: the
// first call wins, and a slot dropped uncalled answers 500 itself.
struct ReplySlot {
  ReplySlot(std::shared_ptr<Shared> s, std::weak_ptr<Connection> c, std::uint64_t q)
      : shared(std::move(s)), conn(std::move(c)), seq(q) {}
  ReplySlot(const ReplySlot&) = delete;
  ReplySlot& operator=(const ReplySlot&) = delete;
  ~ReplySlot() {
    if (done.load(std::memory_order_relaxed)) return;
    try {
      reply(wire::error(500, "InternalFailure", "The operation handler dropped the request without an answer."));
    } catch (...) {  // out of memory while giving up: the client times out instead
    }
  }

  void reply(api::Response answer) {
    if (done.exchange(true, std::memory_order_acq_rel)) return;
    if (shared->stopped.load(std::memory_order_acquire)) return;
    // The io_context is alive (we hold Shared); the connection may not be.
    asio::post(shared->ioc, [c = conn, q = seq, a = std::move(answer)]() mutable {
      if (auto self = c.lock()) self->deliver(q, std::move(a));
    });
  }

  std::shared_ptr<Shared> shared;
  std::weak_ptr<Connection> conn;
  std::uint64_t seq;
  std::atomic<bool> done{false};
};

}  // namespace

Shared::Shared(Handler h, Options o)
    : handler(std::move(h)),
      options(std::move(o)),
      limits{options.max_header_bytes, options.max_body_bytes},
      single_thread(options.threads <= 1) {}

Connection::Connection(asio::ip::tcp::socket socket, Shared& shared) : shared_(shared), socket_(std::move(socket)) {}

void Connection::arm(std::chrono::steady_clock::duration timeout) {
  deadline_.store((std::chrono::steady_clock::now() + timeout).time_since_epoch().count(), std::memory_order_relaxed);
}

void Connection::disarm() { deadline_.store(kNoDeadline, std::memory_order_relaxed); }

void Connection::on_deadline() {
  if (closed_) return;
  // Re-armed since the sweep looked: not expired after all.
  if (deadline_.load(std::memory_order_relaxed) > std::chrono::steady_clock::now().time_since_epoch().count()) return;
  finish();  // pending operations complete with operation_aborted and see closed_
}

void Connection::start() { next_request(); }

void Connection::finish() {
  if (closed_) return;
  closed_ = true;
  waiting_ = false;
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  auto self = shared_from_this();  // erase() below may drop the last owner
  std::lock_guard lock(shared_.mu);
  shared_.connections.erase(pos_);
}

void Connection::next_request() {
  if (closed_) return;
  parser_.emplace();
  wire::configure(*parser_, shared_.limits);
  if (buffer_.size() > 0) {  // a pipelined request is already here
    read_header();
    return;
  }
  // Idle keep-alive connections can number in the thousands: give back a
  // buffer a large request grew, and wait with a small one.
  if (buffer_.capacity() > kKeepBufferBytes) buffer_.shrink_to_fit();
  arm(shared_.options.idle_timeout);
  socket_.async_read_some(buffer_.prepare(kIdleReadBytes), [self = shared_from_this()](error_code ec, std::size_t n) {
    self->on_idle_read(ec, n);
  });
}

void Connection::on_idle_read(error_code ec, std::size_t n) {
  buffer_.commit(n);
  if (closed_) return;
  if (n == 0) {  // closed, reset, timed out or stopped before a request began
    finish();
    return;
  }
  (void)ec;  // bytes arrived: the header read reports any error
  read_header();
}

void Connection::read_header() {
  arm(shared_.options.header_timeout);
  bhttp::async_read_header(socket_, buffer_, *parser_,
                           [self = shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
}

void Connection::on_header(error_code ec) {
  if (closed_) return;
  if (ec) {
    fail(ec);
    return;
  }
  if (wire::wants_continue(parser_->get()) && !parser_->is_done()) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    arm(shared_.options.write_timeout);
    asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](error_code wec, std::size_t) {
      if (self->closed_) return;
      if (wec) {
        self->finish();
        return;
      }
      self->read_body();
    });
    return;
  }
  read_body();
}

void Connection::read_body() {
  if (parser_->is_done()) {
    on_body({});
    return;
  }
  arm(shared_.options.body_timeout);
  bhttp::async_read(socket_, buffer_, *parser_,
                    [self = shared_from_this()](error_code ec, std::size_t) { self->on_body(ec); });
}

void Connection::on_body(error_code ec) {
  if (closed_) return;
  if (ec) {
    fail(ec);
    return;
  }
  disarm();
  dispatch();
}

void Connection::dispatch() {
  auto& req = parser_->get();
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  if (auto refused = wire::check(req)) {
    respond(std::move(*refused), keep_alive_);
    return;
  }
  ++seq_;
  waiting_ = true;
  shared_.requests.fetch_add(1, std::memory_order_relaxed);
  auto slot = std::make_shared<ReplySlot>(shared_.shared_from_this(), weak_from_this(), seq_);
  try {
    shared_.handler(wire::target_of(req), std::move(req.body()),
                    [slot](api::Response answer) { slot->reply(std::move(answer)); });
  } catch (const std::exception& e) {
    slot->reply(wire::error(500, "InternalFailure", std::string("The operation handler failed: ") + e.what()));
  } catch (...) {
    slot->reply(wire::error(500, "InternalFailure", "The operation handler failed."));
  }
  parser_.reset();  // the request's fields are not needed while we wait
}

void Connection::deliver(std::uint64_t seq, api::Response answer) {
  if (shared_.single_thread) {  // the one I/O thread: already serialized
    on_reply(seq, std::move(answer));
    return;
  }
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(), seq, a = std::move(answer)]() mutable {
    self->on_reply(seq, std::move(a));
  });
}

void Connection::on_reply(std::uint64_t seq, api::Response answer) {
  if (closed_ || !waiting_ || seq != seq_) return;
  waiting_ = false;
  respond(std::move(answer), keep_alive_);
}

void Connection::fail(error_code ec) {
  const bool bytes_seen = buffer_.size() > 0 || parser_->got_some();
  if (wire::is_quiet_close(ec, bytes_seen)) {
    finish();
    return;
  }
  version_ = parser_->is_header_done() ? parser_->get().version() : 11;
  respond(wire::parse_failure(ec), false);
}

void Connection::respond(api::Response answer, bool keep_alive) {
  // Stop() may have closed us while the answer travelled.
  if (closed_) return;
  response_ = wire::make_response(std::move(answer), version_, keep_alive);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(response_.head), asio::buffer(response_.body)};
  arm(shared_.options.write_timeout);
  asio::async_write(socket_, buffers,
                    [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
}

void Connection::on_write(error_code ec) {
  if (closed_) return;
  const bool keep_alive = response_.keep_alive;
  response_ = {};
  if (ec) {
    finish();
    return;
  }
  if (!keep_alive) {
    linger_close();
    return;
  }
  next_request();
}

void Connection::linger_close() {
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  buffer_.clear();
  arm(kLingerTime);
  socket_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](error_code ec, std::size_t n) {
    self->on_linger_read(ec, n);
  });
}

void Connection::on_linger_read(error_code ec, std::size_t n) {
  if (closed_) return;
  lingered_ += n;
  if (ec || lingered_ >= kLingerBytes) {
    finish();
    return;
  }
  // The deadline set in linger_close() still stands; keep draining.
  socket_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](error_code e, std::size_t m) {
    self->on_linger_read(e, m);
  });
}

}  // namespace stepfiber::http::detail
