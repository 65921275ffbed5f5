// Fuzz target: arbitrary bytes as the stream a client sends the HTTP
// endpoint, read the way a server connection reads it (http/wire.h's steps,
// Beast's request parser, small limits) with a fake handler. Every answer,
// the server's own errors and the handler's, must be a 4xx (never 5xx) for
// bad input, carry the AWS headers, and read back as exactly one well-formed
// HTTP response whose body is valid JSON.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "http/wire.h"

using namespace stepfiber;
namespace wire = stepfiber::http::wire;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using boost::system::error_code;

namespace {

// A broken invariant: print it and abort, so libFuzzer saves the input.
// (fuzz_common.h's twin; this target links no engine.)
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

// A SyncReadStream over the input, handing out at most `chunk` bytes per
// read so requests also arrive split at every possible place.
class InputStream {
 public:
  InputStream(std::string_view data, std::size_t chunk) : data_(data), chunk_(chunk) {}

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, error_code& ec) {
    ec = {};
    if (data_.empty()) {
      ec = net::error::eof;
      return 0;
    }
    std::size_t total = 0;
    for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
      net::mutable_buffer b = *it;
      const std::size_t n = std::min({b.size(), data_.size(), chunk_ - total});
      std::memcpy(b.data(), data_.data(), n);
      data_.remove_prefix(n);
      total += n;
      if (total == chunk_ || data_.empty()) break;
    }
    return total;
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    error_code ec;
    auto n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  std::string_view data_;
  std::size_t chunk_;
};

// The response as bytes, read back by Beast's response parser.
void check_answer(api::Response answer, unsigned version, bool keep_alive, bool server_error_allowed) {
  if (answer.http_status >= 500 && !server_error_allowed) fail("bad input answered with a 5xx");
  if (answer.http_status < 200) fail("answer status below 200");
  const std::string body = answer.body;
  const std::string code = answer.error_code;
  const auto response = wire::make_response(std::move(answer), version, keep_alive);
  if (response.keep_alive != keep_alive) fail("keep-alive decision changed");
  const std::string bytes = response.head + response.body;

  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  error_code ec;
  const std::size_t used = parser.put(net::buffer(bytes), ec);
  if (ec || !parser.is_done() || used != bytes.size()) fail("response does not read back as exactly one message");
  const auto& res = parser.get();
  if (res.body() != body) fail("response body changed");
  if (res[bhttp::field::content_type] != wire::kContentType) fail("wrong Content-Type");
  if (res["x-amzn-RequestId"].size() != 36) fail("no request id");
  if (res.keep_alive() != keep_alive) fail("keep-alive decision lost");
  if (!code.empty() && res.find("x-amzn-ErrorType") != res.end() && res["x-amzn-ErrorType"] != code)
    fail("x-amzn-ErrorType differs from the error code");
  if (!nlohmann::json::accept(body)) fail("answer body is not JSON");
}

// The fake handler: an error whose code and message are the target and the
// body, so hostile bytes reach the error shaping and header code.
api::Response fake_handler(std::string_view target, const std::string& body) {
  if (target == "AWSStepFunctions.ListActivities") return api::Response{200, R"({"activities":[]})", ""};
  return wire::error(400, target, body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // Byte 0 picks how the bytes are split into reads (1..256 bytes each).
  const std::size_t chunk = static_cast<std::size_t>(data[0]) + 1;
  InputStream stream(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), chunk);
  const wire::Limits limits{512, 2048};  // small, so the limit paths are reached
  boost::beast::flat_buffer buffer;

  for (int n = 0; n < 32; ++n) {  // requests on one connection
    wire::RequestParser parser;
    wire::configure(parser, limits);
    error_code ec;
    bhttp::read_header(stream, buffer, parser, ec);
    if (!ec && !parser.is_done()) bhttp::read(stream, buffer, parser, ec);
    if (ec) {
      if (wire::is_quiet_close(ec, buffer.size() > 0 || parser.got_some())) return 0;
      const unsigned version = parser.is_header_done() ? parser.get().version() : 11;
      auto answer = wire::parse_failure(ec);
      if (answer.http_status < 400 || answer.http_status >= 500) fail("parse failure is not a 4xx");
      check_answer(std::move(answer), version, false, false);
      return 0;
    }
    auto& req = parser.get();
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    if (auto refused = wire::check(req)) {
      if (refused->http_status < 400 || refused->http_status >= 500) fail("refusal is not a 4xx");
      check_answer(std::move(*refused), version, keep_alive, false);
    } else {
      if (req.find(wire::kTargetHeader) == req.end()) fail("request without X-Amz-Target reached the handler");
      if (req.body().size() > limits.max_body_bytes) fail("body over the limit reached the handler");
      check_answer(fake_handler(wire::target_of(req), req.body()), version, keep_alive, false);
    }
    if (!keep_alive) return 0;
  }
  return 0;
}
