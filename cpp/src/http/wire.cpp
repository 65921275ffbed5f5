// The HTTP endpoint's wire rules as pure functions (see wire.h).
#include "http/wire.h"

#include <array>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <cstdint>
#include <random>

namespace stepfiber::http::wire {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Clients send the request-target as "/" (origin form), possibly with a
// query, or as "http://host/" (absolute form, through proxies).
bool is_root_path(std::string_view target) {
  if (target.substr(0, 7) == "http://" || target.substr(0, 8) == "https://") {
    const auto scheme_end = target.find("//") + 2;
    const auto slash = target.find('/', scheme_end);
    if (slash == std::string_view::npos) return target.find_first_of("?#", scheme_end) == std::string_view::npos;
    target.remove_prefix(slash);
  }
  const auto end = target.find_first_of("?#");
  return target.substr(0, end) == "/";
}

// botocore and the AWS SDKs send application/x-amz-json-1.0; some hand-made
// clients send 1.1 or plain JSON, and some send nothing. Parameters
// (`; charset=utf-8`) are ignored.
bool is_accepted_content_type(std::string_view value) {
  value = trim(value.substr(0, value.find(';')));
  if (value.empty()) return true;
  return iequals(value, "application/x-amz-json-1.0") || iequals(value, "application/x-amz-json-1.1") ||
         iequals(value, "application/json");
}

// An error code fit for a header value (no CR/LF injection): AWS codes are
// letters, digits and a few separators.
bool is_header_token(std::string_view s) {
  if (s.size() > 256) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == '-' || c == '#' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void configure(RequestParser& parser, const Limits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
  parser.body_limit(static_cast<std::uint64_t>(limits.max_body_bytes));
}

bool wants_continue(const bhttp::request_header<>& header) {
  if (header.version() < 11) return false;
  const auto it = header.find(bhttp::field::expect);
  return it != header.end() && iequals(trim(it->value()), "100-continue");
}

std::string error_body(std::string_view code, std::string_view message) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(kErrorTypePrefix.size() + code.size() + message.size() + 32);
  auto append_escaped = [&out](std::string_view s) {
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += ch;
      } else if (c < 0x20) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
      } else if (c >= 0x7f) {
        out += '?';
      } else {
        out += ch;
      }
    }
  };
  out += R"({"__type":")";
  out += kErrorTypePrefix;
  append_escaped(code);
  out += R"(","message":")";
  append_escaped(message);
  out += "\"}";
  return out;
}

api::Response error(int status, std::string_view code, std::string_view message) {
  return api::Response{status, error_body(code, message), std::string(code)};
}

bool is_quiet_close(const boost::system::error_code& ec, bool bytes_seen) {
  namespace aerr = boost::asio::error;
  if (ec == bhttp::error::end_of_stream) return true;
  // The stream is already closed (timeout, stop) or dead (reset): no one to answer.
  if (ec == boost::beast::error::timeout || ec == aerr::operation_aborted || ec == aerr::connection_reset ||
      ec == aerr::broken_pipe || ec == aerr::bad_descriptor || ec == aerr::not_connected)
    return true;
  // A clean close with nothing sent; with bytes sent the peer may have only
  // half-closed and still read our 400.
  if (ec == aerr::eof) return !bytes_seen;
  return false;
}

api::Response parse_failure(const boost::system::error_code& ec) {
  if (ec == bhttp::error::body_limit)
    return error(413, "RequestEntityTooLargeException", "The request body exceeds the server's size limit.");
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
    return error(431, "RequestHeaderFieldsTooLargeException", "The request headers exceed the server's size limit.");
  if (ec == boost::beast::error::timeout)
    return error(408, "RequestTimeoutException", "The request was not received in time.");
  if (ec == bhttp::error::partial_message || ec == boost::asio::error::eof)
    return error(400, "MalformedHttpRequestException", "The connection closed before the request was complete.");
  return error(400, "MalformedHttpRequestException", "Malformed HTTP request: " + ec.message());
}

std::optional<api::Response> check(const bhttp::request_header<>& header) {
  if (header.method() != bhttp::verb::post)
    return error(405, "MethodNotAllowedException", "Only POST is supported; operations are named by X-Amz-Target.");
  if (!is_root_path(header.target()))
    return error(404, "UnknownOperationException", "Operations are posted to the path /.");
  if (const auto it = header.find(bhttp::field::content_type); it != header.end() && !is_accepted_content_type(it->value()))
    return error(415, "UnsupportedMediaTypeException",
                 "Content-Type must be application/x-amz-json-1.0 (or -1.1, or application/json).");
  if (header.find(kTargetHeader) == header.end())
    return error(400, "UnknownOperationException", "The request has no X-Amz-Target header naming the operation.");
  return std::nullopt;
}

std::string_view target_of(const bhttp::request_header<>& header) {
  const auto it = header.find(kTargetHeader);
  return it == header.end() ? std::string_view{} : std::string_view(it->value());
}

namespace {

void append_request_id(std::string& out) {
  // Request ids only need to be unique, not secret: a per-thread 64-bit
  // generator seeded from the OS.
  thread_local std::mt19937_64 gen{[] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }()};
  std::array<std::uint8_t, 16> b{};
  for (int half = 0; half < 2; ++half) {
    const std::uint64_t v = gen();
    for (int i = 0; i < 8; ++i) b[static_cast<std::size_t>(half * 8 + i)] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xf];
  }
}

}  // namespace

std::string new_request_id() {
  std::string out;
  out.reserve(36);
  append_request_id(out);
  return out;
}

Response make_response(api::Response answer, unsigned version, bool keep_alive, std::string_view request_id) {
  const bool valid_status = answer.http_status >= 100 && answer.http_status <= 599;
  const unsigned status = static_cast<unsigned>(valid_status ? answer.http_status : 500);
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  Response res;
  res.keep_alive = keep_alive;
  std::string& h = res.head;
  h.reserve(200 + reason.size() + answer.error_code.size());
  h += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  h += static_cast<char>('0' + status / 100);
  h += static_cast<char>('0' + status / 10 % 10);
  h += static_cast<char>('0' + status % 10);
  h += ' ';
  h += reason.empty() ? std::string_view("Unknown") : std::string_view(reason);
  h += "\r\nContent-Type: ";
  h += kContentType;
  h += "\r\nx-amzn-RequestId: ";
  if (request_id.empty()) {
    append_request_id(h);
  } else {
    h += request_id;
  }
  if (!answer.error_code.empty() && is_header_token(answer.error_code)) {
    h += "\r\nx-amzn-ErrorType: ";
    h += answer.error_code;
  }
  if (status == 405) h += "\r\nAllow: POST";
  if (version == 10 && keep_alive) h += "\r\nConnection: keep-alive";
  if (version != 10 && !keep_alive) h += "\r\nConnection: close";
  h += "\r\nContent-Length: ";
  h += std::to_string(answer.body.size());
  h += "\r\n\r\n";
  res.body = std::move(answer.body);
  return res;
}

}  // namespace stepfiber::http::wire
