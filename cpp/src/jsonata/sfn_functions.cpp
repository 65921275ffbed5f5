// Step Functions' own JSONata functions: $partition, $range, $hash,
// $random(seed) (java.util.Random), $uuid and a strict $parse.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "jsonata/builtins.h"
#include "common/digest.h"

namespace stepfiber::jsonata {

namespace {

using Args = std::vector<Value>;

[[noreturn]] void fail(const std::string& message) {
  Error e;
  e.code = "D3137";
  e.user_message = message;
  throw ErrorException(std::move(e));
}

Value fn_partition(Evaluator& ev, Args& a, const Value&, const Env&) {
  if (a.empty() || a[0].is_undefined()) return Value();
  double size = a.size() > 1 && a[1].is_number() ? a[1].as_number() : NAN;
  if (!(size >= 1) || std::floor(size) != size) fail("The chunk size argument of $partition must be a positive integer");
  const auto& items = a[0].arr().items;
  std::vector<Value> out;
  std::size_t n = static_cast<std::size_t>(size);
  for (std::size_t i = 0; i < items.size(); i += n) {
    std::vector<Value> chunk(items.begin() + static_cast<std::ptrdiff_t>(i),
                             items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), i + n)));
    out.push_back(make_array(std::move(chunk)));
  }
  ev.charge(items.size() * sizeof(Value));
  return make_array(std::move(out));
}

Value fn_range(Evaluator& ev, Args& a, const Value&, const Env&) {
  if (a.size() < 2 || a[0].is_undefined() || a[1].is_undefined()) return Value();
  double start = a[0].as_number(), end = a[1].as_number();
  double step = a.size() > 2 && a[2].is_number() ? a[2].as_number() : 1;
  if (std::floor(start) != start || std::floor(end) != end || std::floor(step) != step)
    fail("The arguments of $range must be integers");
  if (step == 0) fail("The step argument of $range must not be zero");
  Value out = Value::sequence();
  double count = std::floor((end - start) / step) + 1;
  if (count > 1e7) throw_error("D2014", Value::number(count));
  if (count > 0) ev.charge(static_cast<std::size_t>(count) * sizeof(Value));
  for (double x = start; step > 0 ? x <= end : x >= end; x += step) out.arr().items.push_back(Value::number(x));
  return out;
}

Value fn_hash(Evaluator&, Args& a, const Value&, const Env&) {
  if (a.empty() || a[0].is_undefined()) return Value();
  std::string alg = a.size() > 1 && a[1].is_string() ? a[1].as_string() : "SHA-256";
  std::string data = a[0].is_string() ? a[0].as_string() : to_string_value(a[0]).as_string();
  auto digest = common::hex_digest(alg, data);
  if (!digest) fail("Unsupported hash algorithm: " + alg + ". Supported algorithms: MD5, SHA-1, SHA-256, SHA-384, SHA-512");
  return Value::string(*digest);
}

// java.util.Random(seed).nextDouble()
double java_random_double(std::int64_t seed) {
  const std::uint64_t mask = (1ULL << 48) - 1;
  std::uint64_t s = (static_cast<std::uint64_t>(seed) ^ 0x5DEECE66DULL) & mask;
  auto next = [&](int bits) {
    s = (s * 0x5DEECE66DULL + 0xBULL) & mask;
    return static_cast<std::int64_t>(static_cast<std::int32_t>(s >> (48 - bits)));
  };
  std::int64_t hi = next(26);
  std::int64_t lo = next(27);
  return static_cast<double>((hi << 27) + lo) * 0x1.0p-53;
}

Value fn_random(Evaluator& ev, Args& a, const Value&, const Env&) {
  if (!a.empty() && a[0].is_number()) {
    double seed = a[0].as_number();
    if (!std::isfinite(seed)) fail("The seed argument of $random must be a finite number");
    return Value::number(java_random_double(static_cast<std::int64_t>(seed)));
  }
  return Value::number(static_cast<double>(ev.next_random_bits() >> 11) * 0x1.0p-53);
}

Value fn_uuid(Evaluator&, Args&, const Value&, const Env&) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    std::uint64_t w = i < 16 ? hi : lo;
    int shift = (15 - (i % 16)) * 4;
    out += hex[(w >> shift) & 0xF];
    if (i == 7 || i == 11 || i == 15 || i == 19) out += '-';
  }
  return Value::string(out);
}

// Strict JSON: the reader rejects trailing content; duplicate keys are
// detected by counting members while parsing a second time.
std::size_t count_members(std::string_view s) {
  std::size_t n = 0;
  bool in_str = false;
  int depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_str) {
      if (c == '\\') ++i;
      else if (c == '"') in_str = false;
      continue;
    }
    if (c == '"') in_str = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') --depth;
    else if (c == ':') ++n;
  }
  return n;
}

std::size_t count_values(const Value& v) {
  std::size_t n = 0;
  if (v.is_array()) {
    for (const auto& e : v.arr().items) n += count_values(e);
  } else if (v.is_object()) {
    n += v.obj().size();
    for (const auto& [k, e] : v.obj().entries) n += count_values(e);
  }
  return n;
}

Value fn_parse(Evaluator& ev, Args& a, const Value&, const Env&) {
  if (a.empty() || a[0].is_undefined()) return Value();
  const std::string& text = a[0].as_string();
  Value out;
  std::string err;
  if (text.empty() || !from_json_text(text, &out, &err)) fail("Unable to parse the JSON string: " + (text.empty() ? std::string("empty input") : err));
  if (count_members(text) != count_values(out)) fail("Unable to parse the JSON string: duplicate keys");
  ev.charge(text.size() * 2);
  return out;
}

}  // namespace

const Builtin* sfn_builtins() {
  static const Builtin table[] = {
      {"partition", "<an:a>", 2, fn_partition, true},
      {"range", "<nnn?:a>", 3, fn_range, true},
      {"hash", "<x-s?:s>", 2, fn_hash, true},
      {"random", "<n?:n>", 1, fn_random, true},
      {"uuid", "<:s>", 0, fn_uuid, true},
      {"parse", "<s-:j>", 1, fn_parse, true},
      {nullptr, nullptr, 0, nullptr, false},
  };
  return table;
}

}  // namespace stepfiber::jsonata
