// The HTTP endpoint's wire rules as pure functions: which requests reach the
// operation handler, and how answers (the handler's and the server's own
// errors) are shaped into HTTP responses. No sockets here: the server's
// connections and the fuzz target (tests/fuzz/fuzz_http_request.cpp) run the
// same functions, in the same order:
//
//   configure(parser)  ->  http::read_header  ->  [wants_continue: "100 Continue"]
//   ->  http::read (body)  ->  check(request)  ->  handler(target_of(request), body)
//   ->  make_response(answer)
//
// A read error at any step goes to parse_failure(); is_quiet_close() says when
// the peer simply went away (no answer is owed).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "api/service.h"

namespace stepfiber::http::wire {

namespace bhttp = boost::beast::http;

/// A complete request, body read into a string.
using Request = bhttp::request<bhttp::string_body>;
/// The parser one request is read with (configure() sets its limits).
using RequestParser = bhttp::request_parser<bhttp::string_body>;
/// A response ready to send: the status line and header fields, then the
/// body, written together with one gather write. (Written by hand, not by
/// Beast's serializer: the fixed shape costs a fraction of the CPU.)
struct Response {
  std::string head;         ///< "HTTP/1.1 200 OK\r\n" ... "\r\n\r\n"
  std::string body;         ///< JSON text
  bool keep_alive = true;   ///< read the next request after sending
};

/// The one content type every answer carries.
inline constexpr std::string_view kContentType = "application/x-amz-json-1.0";
/// What precedes `#` in an error's `__type` (api/service.h's errors use the same).
inline constexpr std::string_view kErrorTypePrefix = "com.amazonaws.swf.service.v2.model#";
/// The header naming the operation.
inline constexpr std::string_view kTargetHeader = "X-Amz-Target";

/// Size limits for one request.
struct Limits {
  std::size_t max_header_bytes = 16 * 1024;       ///< request line plus fields
  std::size_t max_body_bytes = 4 * 1024 * 1024;   ///< decoded body (chunked or not)
};

/// Sets the parser's header and body limits; call before the first read.
void configure(RequestParser& parser, const Limits& limits);

/// True when the header asks for `100 Continue` before the body is sent
/// (curl does for bodies over 1 KiB). Only HTTP/1.1 requests can ask.
bool wants_continue(const bhttp::request_header<>& header);

/// `{"__type": "<kErrorTypePrefix><code>", "message": "<message>"}`. The
/// message is JSON-escaped; bytes outside printable ASCII become `?`, so the
/// body is always valid UTF-8 JSON.
std::string error_body(std::string_view code, std::string_view message);

/// An error answer: `status`, error_body(code, message), error_code = code.
api::Response error(int status, std::string_view code, std::string_view message);

/// True when `ec`, from reading a request, means the peer closed or went
/// quiet before sending any byte of one: the connection just closes.
/// `bytes_seen` says whether any byte of this request had arrived.
bool is_quiet_close(const boost::system::error_code& ec, bool bytes_seen);

/// The answer to a request that could not be read (`ec` from the parser or
/// the stream): 413 for an oversized body, 431 for oversized headers, 408
/// for a timeout mid-request, 400 for malformed HTTP. Never a 5xx. The
/// connection closes after sending it.
api::Response parse_failure(const boost::system::error_code& ec);

/// Checks a complete request: method POST (else 405), path `/` with any
/// query (else 404), Content-Type absent or an AWS JSON / JSON type (else
/// 415), X-Amz-Target present (else 400 UnknownOperationException).
/// Returns the error answer, or nothing when the handler should run.
std::optional<api::Response> check(const bhttp::request_header<>& header);

/// The X-Amz-Target value, passed to the handler unchanged (check() has
/// made sure it is present). Points into `header`.
std::string_view target_of(const bhttp::request_header<>& header);

/// A fresh random (version 4) UUID in its 36-character text form.
std::string new_request_id();

/// The HTTP response for `answer`: its status and body, Content-Type
/// kContentType, `x-amzn-RequestId` (`request_id`, or a fresh
/// new_request_id() when empty), `x-amzn-ErrorType` when answer.error_code
/// is set (and fit for a header), Content-Length, `Allow: POST` on a 405,
/// and the keep-alive decision in the request's HTTP `version` (10 or 11).
/// A status outside 100..599 is sent as 500.
Response make_response(api::Response answer, unsigned version, bool keep_alive, std::string_view request_id = {});

}  // namespace stepfiber::http::wire
