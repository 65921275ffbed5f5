// Opaque pagination tokens: base64url(JSON{op, scope, after}).
#include "api/pager.h"

#include <array>

namespace stepfiber::api {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (i + 1 < in.size()) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> unb64url(std::string_view in) {
  std::array<int, 256> rev{};
  rev.fill(-1);
  for (int k = 0; k < 64; ++k) rev[static_cast<unsigned char>(kAlphabet[k])] = k;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const int d = rev[static_cast<unsigned char>(c)];
    if (d < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

Status invalid() { return Status(ErrorCode::kInvalidToken, "Invalid Token: 'Invalid token'"); }

}  // namespace

Result<PageRange> paginate(const Json& request, std::string_view operation, const std::string& scope, std::size_t count,
                           const std::function<Json(std::size_t)>& key,
                           const std::function<std::optional<std::size_t>(const Json&)>& start_after) {
  std::size_t limit = 100;
  if (auto it = request.find("maxResults"); it != request.end() && it->is_number()) {
    const auto m = it->get<std::int64_t>();
    if (m > 0) limit = static_cast<std::size_t>(m);
  }
  PageRange page;
  if (auto it = request.find("nextToken"); it != request.end() && it->is_string()) {
    auto raw = unb64url(it->get<std::string>());
    if (!raw) return invalid();
    auto doc = parse_json(*raw);
    if (!doc.ok() || !doc->is_object()) return invalid();
    const Json& d = *doc;
    if (d.value("op", "") != operation || d.value("scope", "") != scope || !d.contains("after")) return invalid();
    auto start = start_after(d["after"]);
    if (!start) return invalid();
    page.begin = std::min(*start, count);
  }
  page.end = std::min(count, page.begin + limit);
  if (page.end < count && page.end > page.begin) {
    Json t = Json::object();
    t["op"] = std::string(operation);
    t["scope"] = scope;
    t["after"] = key(page.end - 1);
    page.next = b64url(dump_json(t));
  }
  return page;
}

}  // namespace stepfiber::api
