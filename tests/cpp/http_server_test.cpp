// Tests of the HTTP endpoint (cpp/src/http): the wire rules as functions,
// then the server over real loopback sockets with fake handlers (immediate,
// late from another thread, never). No assertion depends on timing: waits
// are "until it happens", bounded by a generous deadline that fails the test.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "http/wire.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using stepfiber::api::Response;
using stepfiber::http::Handler;
using stepfiber::http::Options;
using stepfiber::http::Server;
namespace wire = stepfiber::http::wire;
using namespace std::chrono_literals;

// The longest any single wait may take before the test fails.
constexpr auto kDeadline = 60s;

using HttpResponse = bhttp::response<bhttp::string_body>;

std::string post(std::string_view target, std::string_view body, std::string_view extra_headers = "",
                 std::string_view version = "1.1") {
  std::string r = "POST / HTTP/";
  r += version;
  r += "\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n";
  if (!target.empty()) {
    r += "X-Amz-Target: ";
    r += target;
    r += "\r\n";
  }
  r += extra_headers;
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

bool is_uuid4(const std::string& s) {
  static const std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return std::regex_match(s, re);
}

// A raw client: plain socket writes, Beast's response parser for reads,
// asynchronous under the hood so every read has a deadline.
class Client {
 public:
  Client(asio::io_context& ioc, std::uint16_t port) : ioc_(ioc), sock_(ioc) {
    sock_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  void send(std::string_view bytes) {
    error_code ec;  // the server may have closed on us already; reads tell
    asio::write(sock_, asio::buffer(bytes.data(), bytes.size()), ec);
  }

  void shutdown_send() { sock_.shutdown(tcp::socket::shutdown_send); }
  void close() { sock_.close(); }

  /// The next response, or nothing when the connection ended first.
  std::optional<HttpResponse> read() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bool done = false;
    error_code ec;
    bhttp::async_read(sock_, buf_, parser, [&](error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!run_until(done)) return std::nullopt;
    if (ec) {
      last_error = ec;
      return std::nullopt;
    }
    return parser.release();
  }

  /// Reads one interim (1xx) or final response header+body the same way.
  std::optional<HttpResponse> read_interim() { return read(); }

  /// True once the server has closed the connection (reads EOF or reset).
  bool closed_by_server() {
    bool done = false;
    error_code ec;
    std::size_t n = 0;
    char byte;
    sock_.async_read_some(asio::buffer(&byte, 1), [&](error_code e, std::size_t m) {
      ec = e;
      n = m;
      done = true;
    });
    if (!run_until(done)) return false;
    return n == 0 && ec;
  }

  error_code last_error;

 private:
  bool run_until(bool& done) {
    ioc_.restart();
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!done && std::chrono::steady_clock::now() < deadline) ioc_.run_one_for(100ms);
    if (!done) {
      ADD_FAILURE() << "no answer within the deadline";
      sock_.cancel();
      ioc_.restart();
      while (!done) ioc_.run_one_for(100ms);
      return false;
    }
    return true;
  }

  asio::io_context& ioc_;
  tcp::socket sock_;
  beast::flat_buffer buf_;
};

// Handler that answers at once: 200, body "<target>|<body>".
Handler echo_handler() {
  return [](std::string_view target, std::string body, std::function<void(Response)> reply) {
    reply(Response{200, std::string(target) + "|" + body, ""});
  };
}

// Handler that parks every request; the test answers them when it likes.
struct Parked {
  struct Request {
    std::string target, body;
    std::function<void(Response)> reply;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Request> requests;
  std::size_t total = 0;

  Handler handler() {
    return [this](std::string_view target, std::string body, std::function<void(Response)> reply) {
      std::lock_guard lock(mu);
      requests.push_back({std::string(target), std::move(body), std::move(reply)});
      ++total;
      cv.notify_all();
    };
  }
  /// Waits until `n` requests have arrived in all.
  bool wait_total(std::size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kDeadline, [&] { return total >= n; });
  }
  std::deque<Request> take() {
    std::lock_guard lock(mu);
    return std::exchange(requests, {});
  }
};

Options test_options() {
  Options o;
  o.idle_timeout = 30s;
  o.header_timeout = 30s;
  o.body_timeout = 30s;
  o.write_timeout = 30s;
  return o;
}

template <class Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// ---------------------------------------------------------------- wire

TEST(HttpWire, ErrorBodyIsEscapedAwsShapedJson) {
  EXPECT_EQ(wire::error_body("ValidationException", "bad \"x\"\n\\"),
            R"({"__type":"com.amazonaws.swf.service.v2.model#ValidationException","message":"bad \"x\"\u000a\\"})");
  EXPECT_EQ(wire::error_body("E", "caf\xc3\xa9"), R"({"__type":"com.amazonaws.swf.service.v2.model#E","message":"caf??"})");
  const auto r = wire::error(413, "RequestEntityTooLargeException", "m");
  EXPECT_EQ(r.http_status, 413);
  EXPECT_EQ(r.error_code, "RequestEntityTooLargeException");
}

TEST(HttpWire, RequestIdsAreDistinctUuid4s) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = wire::new_request_id();
    ASSERT_TRUE(is_uuid4(id)) << id;
    seen.insert(std::move(id));
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(HttpWire, CheckAcceptsWhatSdksSendAndRefusesTheRest) {
  auto header = [](bhttp::verb verb, std::string_view path, std::optional<std::string_view> type,
                   std::optional<std::string_view> target) {
    bhttp::request_header<> h;
    h.method(verb);
    h.target(path);
    if (type) h.set(bhttp::field::content_type, *type);
    if (target) h.set("X-Amz-Target", *target);
    return h;
  };
  const auto ok = [&](auto h) { return !wire::check(h).has_value(); };
  const auto status = [&](auto h) { return wire::check(h)->http_status; };
  EXPECT_TRUE(ok(header(bhttp::verb::post, "/", "application/x-amz-json-1.0", "AWSStepFunctions.ListActivities")));
  EXPECT_TRUE(ok(header(bhttp::verb::post, "/", "application/x-amz-json-1.1; charset=utf-8", "X")));
  EXPECT_TRUE(ok(header(bhttp::verb::post, "/", std::nullopt, "StepFiber.AdvanceClock")));
  EXPECT_TRUE(ok(header(bhttp::verb::post, "/?a=b", "application/json", "")));
  EXPECT_TRUE(ok(header(bhttp::verb::post, "http://localhost:8083/", "application/x-amz-json-1.0", "X")));
  EXPECT_EQ(status(header(bhttp::verb::get, "/", std::nullopt, "X")), 405);
  EXPECT_EQ(status(header(bhttp::verb::post, "/other", std::nullopt, "X")), 404);
  EXPECT_EQ(status(header(bhttp::verb::post, "/", "text/plain", "X")), 415);
  const auto missing = wire::check(header(bhttp::verb::post, "/", std::nullopt, std::nullopt));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->http_status, 400);
  EXPECT_EQ(missing->error_code, "UnknownOperationException");
}

// make_response's bytes, read back by Beast.
HttpResponse read_back(const wire::Response& r) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  error_code ec;
  const std::string bytes = r.head + r.body;
  const auto used = parser.put(asio::buffer(bytes), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(used, bytes.size());
  return parser.release();
}

TEST(HttpWire, ResponseCarriesAwsHeaders) {
  auto res = read_back(wire::make_response(wire::error(400, "TaskDoesNotExist", "gone"), 11, true, "id-1"));
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(res.version(), 11u);
  EXPECT_EQ(res[bhttp::field::content_type], "application/x-amz-json-1.0");
  EXPECT_EQ(res["x-amzn-RequestId"], "id-1");
  EXPECT_EQ(res["x-amzn-ErrorType"], "TaskDoesNotExist");
  EXPECT_EQ(res[bhttp::field::content_length], std::to_string(res.body().size()));
  EXPECT_EQ(res.body(), wire::error_body("TaskDoesNotExist", "gone"));
  EXPECT_TRUE(res.keep_alive());
  auto ok = read_back(wire::make_response(Response{}, 11, false));
  EXPECT_EQ(ok.result_int(), 200u);
  EXPECT_EQ(ok.body(), "{}");
  EXPECT_TRUE(is_uuid4(std::string(ok["x-amzn-RequestId"])));
  EXPECT_EQ(ok.find("x-amzn-ErrorType"), ok.end());
  EXPECT_FALSE(ok.keep_alive());
  auto ten = read_back(wire::make_response(Response{}, 10, true));
  EXPECT_EQ(ten.version(), 10u);
  EXPECT_TRUE(ten.keep_alive());
  EXPECT_EQ(read_back(wire::make_response(wire::error(405, "M", "m"), 11, true))[bhttp::field::allow], "POST");
  // Codes unfit for a header are not sent as one; bad statuses become 500.
  auto odd = read_back(wire::make_response(Response{42, "{}", "a\r\nb"}, 10, false));
  EXPECT_EQ(odd.result_int(), 500u);
  EXPECT_EQ(odd.find("x-amzn-ErrorType"), odd.end());
  EXPECT_FALSE(odd.keep_alive());
}

TEST(HttpWire, ParseFailuresAreNeverServerErrors) {
  EXPECT_EQ(wire::parse_failure(bhttp::error::body_limit).http_status, 413);
  EXPECT_EQ(wire::parse_failure(bhttp::error::header_limit).http_status, 431);
  EXPECT_EQ(wire::parse_failure(bhttp::error::bad_method).http_status, 400);
  EXPECT_TRUE(wire::is_quiet_close(bhttp::error::end_of_stream, false));
  EXPECT_FALSE(wire::is_quiet_close(bhttp::error::partial_message, true));
}

// -------------------------------------------------------------- server

TEST(HttpServer, KeepAliveConnectionServesManyRequests) {
  Server server(echo_handler(), test_options());
  ASSERT_NE(server.port(), 0);
  asio::io_context io;
  Client c(io, server.port());
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    c.send(post("AWSStepFunctions.DescribeExecution", "{\"i\":" + std::to_string(i) + "}"));
    auto res = c.read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_EQ(res->body(), "AWSStepFunctions.DescribeExecution|{\"i\":" + std::to_string(i) + "}");
    EXPECT_EQ((*res)[bhttp::field::content_type], "application/x-amz-json-1.0");
    EXPECT_TRUE(res->keep_alive());
    const std::string id((*res)["x-amzn-RequestId"]);
    EXPECT_TRUE(is_uuid4(id)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(server.stats().accepted, 1u);
  EXPECT_EQ(server.stats().requests, 5u);
}

TEST(HttpServer, TargetsArePassedThroughUnchanged) {
  Server server(echo_handler(), test_options());
  asio::io_context io;
  Client c(io, server.port());
  for (std::string target : {"StepFiber.AdvanceClock", "AWSStepFunctions.NoSuchOp", "whatever"}) {
    c.send(post(target, "{}"));
    auto res = c.read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), target + "|{}");
  }
}

TEST(HttpServer, ErrorAnswersCarryTheErrorTypeHeader) {
  Server server(
      [](std::string_view, std::string, std::function<void(Response)> reply) {
        reply(wire::error(400, "ExecutionDoesNotExist", "no such execution"));
      },
      test_options());
  asio::io_context io;
  Client c(io, server.port());
  c.send(post("AWSStepFunctions.DescribeExecution", "{}"));
  auto res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400u);
  EXPECT_EQ((*res)["x-amzn-ErrorType"], "ExecutionDoesNotExist");
  EXPECT_TRUE(is_uuid4(std::string((*res)["x-amzn-RequestId"])));
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  Parked parked;
  Server server(parked.handler(), test_options());
  std::atomic<bool> quit{false};
  // Answers each parked request after a pause, from another thread.
  std::thread replier([&] {
    while (!quit) {
      for (auto& r : parked.take()) {
        std::this_thread::sleep_for(10ms);
        r.reply(Response{200, r.body, ""});
      }
      std::this_thread::sleep_for(1ms);
    }
  });
  asio::io_context io;
  Client c(io, server.port());
  std::string burst;
  for (int i = 0; i < 10; ++i) burst += post("AWSStepFunctions.SendTaskHeartbeat", std::to_string(i));
  c.send(burst);
  for (int i = 0; i < 10; ++i) {
    auto res = c.read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), std::to_string(i));
  }
  quit = true;
  replier.join();
}

TEST(HttpServer, LateReplyFromAnotherThreadIsDelivered) {
  Parked parked;
  Server server(parked.handler(), test_options());
  asio::io_context io;
  Client c(io, server.port());
  c.send(post("AWSStepFunctions.GetActivityTask", "{}"));
  ASSERT_TRUE(parked.wait_total(1));
  auto reqs = parked.take();
  std::thread t([r = std::move(reqs.front())] {
    std::this_thread::sleep_for(50ms);
    r.reply(Response{200, R"({"taskToken":"t"})", ""});
  });
  auto res = c.read();
  t.join();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), R"({"taskToken":"t"})");
  // The connection is still good afterwards.
  c.send(post("AWSStepFunctions.GetActivityTask", "{}"));
  ASSERT_TRUE(parked.wait_total(2));
  parked.take().front().reply(Response{200, "{}", ""});
  ASSERT_TRUE(c.read());
}

TEST(HttpServer, ReplyAfterClientLeftIsDropped) {
  Parked parked;
  Server server(parked.handler(), test_options());
  {
    asio::io_context io;
    Client c(io, server.port());
    c.send(post("AWSStepFunctions.GetActivityTask", "{}"));
    ASSERT_TRUE(parked.wait_total(1));
    c.close();
  }
  auto r = parked.take();
  std::thread([&] { r.front().reply(Response{200, "{}", ""}); }).join();
  r.front().reply(Response{200, "{}", ""});  // a second call is ignored
  EXPECT_TRUE(eventually([&] { return server.stats().open_connections == 0; }));
}

TEST(HttpServer, ThousandsOfWaitingRequestsOnOneIoThread) {
  constexpr int kClients = 2000;
  Parked parked;
  auto opts = test_options();
  opts.threads = 1;
  Server server(parked.handler(), opts);
  asio::io_context io;
  std::vector<std::unique_ptr<Client>> clients;
  clients.reserve(kClients);
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(io, server.port()));
    clients.back()->send(post("AWSStepFunctions.StartSyncExecution", std::to_string(i)));
  }
  ASSERT_TRUE(parked.wait_total(kClients));
  EXPECT_EQ(server.stats().open_connections, static_cast<std::size_t>(kClients));
  auto reqs = parked.take();
  ASSERT_EQ(reqs.size(), static_cast<std::size_t>(kClients));
  // Answer from two other threads, last first.
  std::thread a([&] {
    for (std::size_t i = reqs.size(); i-- > reqs.size() / 2;) reqs[i].reply(Response{200, reqs[i].body, ""});
  });
  std::thread b([&] {
    for (std::size_t i = reqs.size() / 2; i-- > 0;) reqs[i].reply(Response{200, reqs[i].body, ""});
  });
  a.join();
  b.join();
  for (int i = 0; i < kClients; ++i) {
    auto res = clients[static_cast<std::size_t>(i)]->read();
    ASSERT_TRUE(res) << i;
    ASSERT_EQ(res->body(), std::to_string(i));
  }
}

TEST(HttpServer, HalfClosedClientStillGetsItsAnswer) {
  Server server(echo_handler(), test_options());
  asio::io_context io;
  Client c(io, server.port());
  c.send(post("AWSStepFunctions.ListActivities", "{}"));
  c.shutdown_send();
  auto res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_TRUE(c.closed_by_server());
}

TEST(HttpServer, Http10ClosesUnlessKeepAliveAsked) {
  Server server(echo_handler(), test_options());
  asio::io_context io;
  {
    Client c(io, server.port());
    c.send(post("AWSStepFunctions.ListActivities", "{}", "", "1.0"));
    auto res = c.read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->version(), 10u);
    EXPECT_FALSE(res->keep_alive());
    EXPECT_TRUE(c.closed_by_server());
  }
  Client c(io, server.port());
  for (int i = 0; i < 2; ++i) {
    c.send(post("AWSStepFunctions.ListActivities", "{}", "Connection: keep-alive\r\n", "1.0"));
    auto res = c.read();
    ASSERT_TRUE(res);
    EXPECT_TRUE(res->keep_alive());
  }
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  Server server(echo_handler(), test_options());
  asio::io_context io;
  Client c(io, server.port());
  c.send(post("AWSStepFunctions.ListActivities", "{}", "Connection: close\r\n"));
  auto res = c.read();
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(c.closed_by_server());
}

TEST(HttpServer, WrongMethodPathTypeOrMissingTargetGetJson4xx) {
  Server server(echo_handler(), test_options());
  asio::io_context io;
  Client c(io, server.port());
  struct Case {
    std::string request;
    unsigned status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 405, "MethodNotAllowedException"},
      {"POST /foo HTTP/1.1\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\nContent-Length: 2\r\n\r\n{}", 404,
       "UnknownOperationException"},
      {"POST / HTTP/1.1\r\nContent-Type: text/plain\r\nX-Amz-Target: A.B\r\nContent-Length: 2\r\n\r\n{}", 415,
       "UnsupportedMediaTypeException"},
      {post("", "{}"), 400, "UnknownOperationException"},
  };
  for (const auto& k : cases) {
    c.send(k.request);  // all on one keep-alive connection: these errors keep it
    auto res = c.read();
    ASSERT_TRUE(res) << k.request;
    EXPECT_EQ(res->result_int(), k.status) << k.request;
    EXPECT_EQ((*res)["x-amzn-ErrorType"], k.code);
    EXPECT_NE(res->body().find("\"__type\":\"com.amazonaws.swf.service.v2.model#" + k.code + "\""), std::string::npos);
    EXPECT_TRUE(is_uuid4(std::string((*res)["x-amzn-RequestId"])));
    if (k.status == 405) {
      EXPECT_EQ((*res)[bhttp::field::allow], "POST");
    }
  }
  // Content types SDKs send, and none at all, are accepted.
  c.send("POST / HTTP/1.1\r\nX-Amz-Target: A.B\r\nContent-Length: 2\r\n\r\n{}");
  auto res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
}

TEST(HttpServer, OversizedBodyGets413) {
  auto opts = test_options();
  opts.max_body_bytes = 1024;
  Server server(echo_handler(), opts);
  asio::io_context io;
  {  // declared too large: refused before the body is read
    Client c(io, server.port());
    c.send("POST / HTTP/1.1\r\nX-Amz-Target: A.B\r\nContent-Length: 5000000\r\n\r\n" + std::string(2000, 'x'));
    auto res = c.read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 413u);
    EXPECT_EQ((*res)["x-amzn-ErrorType"], "RequestEntityTooLargeException");
    EXPECT_TRUE(c.closed_by_server());
  }
  {  // chunked, growing past the limit
    Client c(io, server.port());
    std::string req = "POST / HTTP/1.1\r\nX-Amz-Target: A.B\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) req += "200\r\n" + std::string(512, 'y') + "\r\n";
    req += "0\r\n\r\n";
    c.send(req);
    auto res = c.read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 413u);
  }
  {  // within the limit, chunked is fine
    Client c(io, server.port());
    c.send("POST / HTTP/1.1\r\nX-Amz-Target: A.B\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    auto res = c.read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "A.B|{}");
  }
}

TEST(HttpServer, OversizedHeadersGet431) {
  Server server(echo_handler(), test_options());
  asio::io_context io;
  Client c(io, server.port());
  c.send("POST / HTTP/1.1\r\nX-Amz-Target: A.B\r\nX-Big: " + std::string(40000, 'h') + "\r\nContent-Length: 0\r\n\r\n");
  auto res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 431u);
  EXPECT_TRUE(c.closed_by_server());
}

TEST(HttpServer, ContentLengthShorterThanBodyLeavesBytesForTheNextRequest) {
  Server server(echo_handler(), test_options());
  asio::io_context io;
  Client c(io, server.port());
  // Content-Length 2, then 5 more bytes: "{}" is the body, "junk\n" the next "request".
  c.send("POST / HTTP/1.1\r\nX-Amz-Target: A.B\r\nContent-Length: 2\r\n\r\n{}junk\r\n\r\n");
  auto first = c.read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body(), "A.B|{}");
  auto second = c.read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->result_int(), 400u);
  EXPECT_EQ((*second)["x-amzn-ErrorType"], "MalformedHttpRequestException");
  EXPECT_TRUE(c.closed_by_server());
}

TEST(HttpServer, ContentLengthLongerThanBodyTimesOutOrEndsWithTheClient) {
  auto opts = test_options();
  opts.body_timeout = 200ms;
  Server server(echo_handler(), opts);
  asio::io_context io;
  {  // the client waits: the body timeout closes the connection
    Client c(io, server.port());
    c.send("POST / HTTP/1.1\r\nX-Amz-Target: A.B\r\nContent-Length: 100\r\n\r\n{}");
    EXPECT_FALSE(c.read());
  }
  {  // the client half-closes: it is told the request was incomplete
    Client c(io, server.port());
    c.send("POST / HTTP/1.1\r\nX-Amz-Target: A.B\r\nContent-Length: 100\r\n\r\n{}");
    c.shutdown_send();
    auto res = c.read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 400u);
  }
  EXPECT_TRUE(eventually([&] { return server.stats().open_connections == 0; }));
  EXPECT_EQ(server.stats().requests, 0u);
}

TEST(HttpServer, GarbageGets400AndClose) {
  Server server(echo_handler(), test_options());
  asio::io_context io;
  for (std::string garbage : {std::string("hello\r\n\r\n"), std::string("\x00\x01\x02\r\n\r\n", 7),
                              std::string("POST / HTTP/9.9\r\n\r\n"), std::string("POST / HTTP/1.1\r\nBad Header\r\n\r\n"),
                              std::string("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
                              std::string("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")}) {
    Client c(io, server.port());
    c.send(garbage);
    auto res = c.read();
    ASSERT_TRUE(res) << garbage;
    EXPECT_EQ(res->result_int(), 400u) << garbage;
    EXPECT_NE(res->body().find("MalformedHttpRequestException"), std::string::npos);
    EXPECT_TRUE(c.closed_by_server());
  }
  // The server still serves afterwards.
  Client c(io, server.port());
  c.send(post("A.B", "{}"));
  ASSERT_TRUE(c.read());
}

TEST(HttpServer, SlowHeadersAndIdleConnectionsAreClosed) {
  auto opts = test_options();
  opts.header_timeout = 200ms;
  opts.idle_timeout = 200ms;
  Server server(echo_handler(), opts);
  asio::io_context io;
  {  // slowloris: a header that never ends
    Client c(io, server.port());
    c.send("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Tar");
    EXPECT_TRUE(c.closed_by_server());
  }
  {  // idle: connects and sends nothing
    Client c(io, server.port());
    EXPECT_TRUE(c.closed_by_server());
  }
  {  // idle after a first request on a keep-alive connection
    Client c(io, server.port());
    c.send(post("A.B", "{}"));
    ASSERT_TRUE(c.read());
    EXPECT_TRUE(c.closed_by_server());
  }
  EXPECT_TRUE(eventually([&] { return server.stats().open_connections == 0; }));
}

TEST(HttpServer, NoTimeoutRunsWhileTheHandlerOwesTheAnswer) {
  // A long poll outlives every read/write timeout: only I/O is timed.
  auto opts = test_options();
  opts.idle_timeout = opts.header_timeout = opts.body_timeout = opts.write_timeout = 50ms;
  Parked parked;
  Server server(parked.handler(), opts);
  asio::io_context io;
  Client c(io, server.port());
  c.send(post("AWSStepFunctions.GetActivityTask", "{}"));
  ASSERT_TRUE(parked.wait_total(1));
  std::this_thread::sleep_for(300ms);  // several sweeps pass
  parked.take().front().reply(Response{200, R"({"taskToken":"late"})", ""});
  auto res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), R"({"taskToken":"late"})");
}

TEST(HttpServer, ClientThatStopsReadingIsDropped) {
  auto opts = test_options();
  opts.write_timeout = 200ms;
  Server server(
      [](std::string_view, std::string, std::function<void(Response)> reply) {
        reply(Response{200, std::string(64 * 1024 * 1024, ' '), ""});  // far more than socket buffers hold
      },
      opts);
  asio::io_context io;
  Client c(io, server.port());
  c.send(post("AWSStepFunctions.GetExecutionHistory", "{}"));
  ASSERT_TRUE(eventually([&] { return server.stats().requests == 1; }));
  // The client reads nothing; the write times out and the server lets go.
  EXPECT_TRUE(eventually([&] { return server.stats().open_connections == 0; }));
}

TEST(HttpServer, ExpectContinueIsAnswered) {
  Server server(echo_handler(), test_options());
  asio::io_context io;
  Client c(io, server.port());
  c.send("POST / HTTP/1.1\r\nX-Amz-Target: A.B\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  auto interim = c.read_interim();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100u);
  c.send("{}");
  auto res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "A.B|{}");
}

TEST(HttpServer, HandlerThatThrowsOrDropsTheReplyGets500) {
  Server server(
      [](std::string_view target, std::string, std::function<void(Response)> reply) {
        if (target == "throw") throw std::runtime_error("boom");
        if (target == "drop") return;  // reply destroyed uncalled
        reply(Response{});
      },
      test_options());
  asio::io_context io;
  Client c(io, server.port());
  for (std::string target : {"throw", "drop", "fine"}) {
    c.send(post(target, "{}"));
    auto res = c.read();
    ASSERT_TRUE(res) << target;
    EXPECT_EQ(res->result_int(), target == "fine" ? 200u : 500u) << target;
    if (target != "fine") {
      EXPECT_EQ((*res)["x-amzn-ErrorType"], "InternalFailure");
    }
  }
}

TEST(HttpServer, SeveralIoThreadsServeConcurrentClients) {
  auto opts = test_options();
  opts.threads = 2;
  std::mutex mu;
  std::deque<std::pair<std::string, std::function<void(Response)>>> queue;
  std::atomic<bool> quit{false};
  Server server(
      [&](std::string_view, std::string body, std::function<void(Response)> reply) {
        if (body.size() % 2 == 0) {
          reply(Response{200, body, ""});
        } else {
          std::lock_guard lock(mu);
          queue.emplace_back(std::move(body), std::move(reply));
        }
      },
      opts);
  std::thread replier([&] {
    while (!quit) {
      decltype(queue) batch;
      {
        std::lock_guard lock(mu);
        batch.swap(queue);
      }
      for (auto& [body, reply] : batch) reply(Response{200, body, ""});
      std::this_thread::sleep_for(1ms);
    }
  });
  std::vector<std::thread> clients;
  std::atomic<int> good{0};
  for (int k = 0; k < 8; ++k) {
    clients.emplace_back([&, k] {
      asio::io_context io;
      Client c(io, server.port());
      for (int i = 0; i < 50; ++i) {
        const std::string body = std::string(static_cast<std::size_t>(i % 3 + 1), 'a') + std::to_string(k);
        c.send(post("A.B", body));
        auto res = c.read();
        if (res && res->body() == body) ++good;
      }
    });
  }
  for (auto& t : clients) t.join();
  quit = true;
  replier.join();
  EXPECT_EQ(good.load(), 400);
}

TEST(HttpServer, StopDropsWaitingRequestsAndLateRepliesAreSafe) {
  Parked parked;
  std::deque<Parked::Request> reqs;
  asio::io_context io;
  std::vector<std::unique_ptr<Client>> clients;
  {
    Server server(parked.handler(), test_options());
    for (int i = 0; i < 20; ++i) {
      clients.push_back(std::make_unique<Client>(io, server.port()));
      clients.back()->send(post("AWSStepFunctions.GetActivityTask", "{}"));
    }
    ASSERT_TRUE(parked.wait_total(20));
    reqs = parked.take();
    reqs[0].reply(Response{});  // in flight while stopping
    server.stop();
    server.stop();  // twice is fine
    // The first may have got its answer before the stop; then it is closed too.
    if (clients[0]->read()) {
      EXPECT_TRUE(clients[0]->closed_by_server());
    }
    for (std::size_t i = 1; i < clients.size(); ++i) EXPECT_TRUE(clients[i]->closed_by_server());
    reqs[1].reply(Response{});  // after stop, server alive
  }
  reqs[2].reply(Response{});  // after the server is gone
  reqs.clear();                // the rest are dropped uncalled, server gone
}

TEST(HttpServer, BindFailureThrows) {
  Server first(echo_handler(), test_options());
  auto opts = test_options();
  opts.port = first.port();
  // reuse_address does not allow two listeners on one port on Linux.
  EXPECT_THROW(Server(echo_handler(), opts), std::system_error);
  opts.host = "not an address at all";
  opts.port = 0;
  EXPECT_THROW(Server(echo_handler(), opts), std::system_error);
}

}  // namespace
