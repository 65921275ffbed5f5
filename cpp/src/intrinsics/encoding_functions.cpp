// Intrinsic functions for encoding, hashing, unique ids and JSON merging:
// States.Base64Encode, Base64Decode, Hash, UUID, JsonMerge.
//
// The digests themselves live in common/digest.cpp (shared with JSONata's
// $hash).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "common/digest.h"
#include "intrinsics/functions.h"
#include "runtime/secure_random.h"

namespace stepfiber::intrinsics::detail {
namespace {

using R = asl::Eval<Json>;


constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Java's String.length(): UTF-16 code units.
std::size_t utf16_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;   // a lead byte starts a code point
    if ((c & 0xF8) == 0xF0) ++n;   // 4-byte sequences are surrogate pairs
  }
  return n;
}

// new String(bytes, UTF_8): malformed input becomes U+FFFD.
std::string utf8_or_replacement(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    std::size_t len = 0;
    std::uint32_t min = 0;
    if (b0 < 0x80) {
      out.push_back(static_cast<char>(b0));
      ++i;
      continue;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      min = 0x10000;
    }
    bool ok = len != 0 && i + len <= bytes.size();
    std::uint32_t cp = len == 0 ? 0 : (b0 & (0x7F >> len));
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(bytes[i + k]);
      if ((b & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (ok) {
      out.append(bytes, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// Java's String.hashCode over UTF-16 code units.
std::int32_t java_hash_code(std::string_view s) {
  std::uint32_t h = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 1;
    if (i + len > s.size()) len = 1;
    std::uint32_t cp = len == 1 ? b0 : (b0 & (0xFF >> (len + 1)));
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      h = 31 * h + (0xD800 + (cp >> 10));
      h = 31 * h + (0xDC00 + (cp & 0x3FF));
    } else {
      h = 31 * h + cp;
    }
  }
  return static_cast<std::int32_t>(h);
}

// Iteration order of a java.util.HashMap<String, ?> that received `keys` in
// this order through put() (default capacity 16, load factor 0.75): by bucket
// index, insertion order within a bucket.
std::vector<std::size_t> java_hash_map_order(const std::vector<const std::string*>& keys) {
  std::size_t capacity = 16;
  while (static_cast<double>(keys.size()) > 0.75 * static_cast<double>(capacity)) capacity *= 2;
  std::vector<std::pair<std::size_t, std::size_t>> order;  // (bucket, insertion index)
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto h = static_cast<std::uint32_t>(java_hash_code(*keys[i]));
    order.emplace_back((h ^ (h >> 16)) & (capacity - 1), i);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::size_t> out;
  for (const auto& [bucket, index] : order) out.push_back(index);
  return out;
}

}  // namespace

std::optional<std::string> hex_digest(std::string_view algorithm, std::string_view data) {
  return common::hex_digest(algorithm, data);
}

// States.Base64Encode('Data to encode') -> "RGF0YSB0byBlbmNvZGU="
R base64_encode(Invocation& call) {
  const std::string& s = call.args[0].get_ref<const std::string&>();
  if (utf16_length(s) > kMaxEncodingInput) {
    return failure(call, "the input must be at most " + std::to_string(kMaxEncodingInput) + " characters long");
  }
  std::string out;
  out.reserve((s.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < s.size(); i += 3) {
    const std::uint32_t b0 = static_cast<unsigned char>(s[i]);
    const std::uint32_t b1 = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    const std::uint32_t b2 = i + 2 < s.size() ? static_cast<unsigned char>(s[i + 2]) : 0;
    const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
    out.push_back(kBase64[(v >> 18) & 63]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(i + 1 < s.size() ? kBase64[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < s.size() ? kBase64[v & 63] : '=');
  }
  return R::success(Json(std::move(out)));
}

// States.Base64Decode('RGF0YSB0byBlbmNvZGU=') -> "Data to encode". Java's basic
// decoder: padding optional, anything outside the alphabet is an error.
R base64_decode(Invocation& call) {
  const std::string& s = call.args[0].get_ref<const std::string&>();
  if (utf16_length(s) > kMaxEncodingInput) {
    return failure(call, "the input must be at most " + std::to_string(kMaxEncodingInput) + " characters long");
  }
  std::size_t n = s.size();
  std::size_t padding = 0;
  while (n > 0 && s[n - 1] == '=' && padding < 2) {
    --n;
    ++padding;
  }
  if ((padding > 0 && s.size() % 4 != 0) || n % 4 == 1) {
    return failure(call, "the input is not valid Base64: wrong length or padding");
  }
  std::string bytes;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int v = base64_value(s[i]);
    if (v < 0) return failure(call, "the input is not valid Base64: illegal character at index " + std::to_string(i));
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return R::success(Json(utf8_or_replacement(bytes)));
}

// States.Hash('input data', 'SHA-1') -> lower-case hex digest. Non-string data
// is hashed as its JSON text.
R hash(Invocation& call) {
  const std::string data = call.args[0].is_string() ? call.args[0].get<std::string>() : dump_json(call.args[0]);
  if (utf16_length(data) > kMaxEncodingInput) {
    return failure(call, "the data must be at most " + std::to_string(kMaxEncodingInput) + " characters long");
  }
  const std::string& algorithm = call.args[1].get_ref<const std::string&>();
  auto digest = hex_digest(algorithm, data);
  if (!digest) {
    return failure(call, "the hash algorithm '" + algorithm + "' is not supported; use MD5, SHA-1, SHA-256, "
                         "SHA-384 or SHA-512");
  }
  return R::success(Json(std::move(*digest)));
}

// States.UUID() -> a version 4 UUID.
R uuid(Invocation&) {
  thread_local runtime::SecureRandom rng;
  std::uint8_t b[16];
  rng.fill(b, sizeof(b));
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
  const std::string h = common::hex(b, 16);
  return R::success(Json(h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
                         "-" + h.substr(20)));
}

// States.JsonMerge($.a, $.b, false): shallow merge, the second object's value
// wins. Keys come out in java.util.HashMap order (recorded AWS case
// test_json_merge: {a,b,d} + {a,c,d} -> a,b,c,d).
R json_merge(Invocation& call) {
  if (call.args[2].get<bool>()) {
    return failure(call, "Currently, Step Functions only supports the shallow merging mode; therefore, you must "
                         "specify the boolean value as false.");
  }
  Json merged = std::move(call.args[0]);
  for (auto it = call.args[1].begin(); it != call.args[1].end(); ++it) merged[it.key()] = std::move(it.value());
  std::vector<std::pair<std::string, Json>> items;
  items.reserve(merged.size());
  for (auto it = merged.begin(); it != merged.end(); ++it) items.emplace_back(it.key(), std::move(it.value()));
  std::vector<const std::string*> keys;
  keys.reserve(items.size());
  for (const auto& item : items) keys.push_back(&item.first);
  Json out = Json::object();
  for (std::size_t index : java_hash_map_order(keys)) out[items[index].first] = std::move(items[index].second);
  return R::success(std::move(out));
}

}  // namespace stepfiber::intrinsics::detail
