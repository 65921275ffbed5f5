// JSONata's built-in function library (jsonata-js functions.js), except the
// picture-string functions (format.cpp, datetime.cpp) and Step Functions'
// own functions (sfn_functions.cpp).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "jsonata/builtins.h"
#include "jsonata/evaluator.h"
#include "jsonata/unicode.h"

namespace stepfiber::jsonata {

Value sort_values(std::vector<Value> items, const std::function<bool(const Value&, const Value&)>& comp);

namespace {

using Args = std::vector<Value>;

const Value& arg(const Args& a, std::size_t i) {
  static const Value undefined;
  return i < a.size() ? a[i] : undefined;
}

// JavaScript truthiness (used where jsonata-js uses a raw `if (x)`).
bool js_truthy(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      return false;
    case Kind::kBoolean:
      return v.as_bool();
    case Kind::kNumber:
      return v.as_number() != 0 && !std::isnan(v.as_number());
    case Kind::kString:
      return !v.as_string().empty();
    default:
      return true;
  }
}

Args hof_args(const Value& func, const Value& a1, const Value& a2, const Value& a3) {
  Args out{a1};
  int n = Evaluator::arity(func);
  if (n >= 2) out.push_back(a2);
  if (n >= 3) out.push_back(a3);
  return out;
}

// ---- aggregation ----------------------------------------------------------
Value fn_sum(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  double t = 0;
  for (const auto& v : arg(a, 0).arr().items) t += v.as_number();
  return Value::number(t);
}
Value fn_count(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value::number(0);
  return Value::number(static_cast<double>(arg(a, 0).arr().items.size()));
}
Value fn_max(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined() || arg(a, 0).arr().items.empty()) return Value();
  double m = -HUGE_VAL;
  for (const auto& v : arg(a, 0).arr().items) {
    if (std::isnan(v.as_number())) return Value::number(NAN);
    m = std::max(m, v.as_number());
  }
  return Value::number(m);
}
Value fn_min(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined() || arg(a, 0).arr().items.empty()) return Value();
  double m = HUGE_VAL;
  for (const auto& v : arg(a, 0).arr().items) {
    if (std::isnan(v.as_number())) return Value::number(NAN);
    m = std::min(m, v.as_number());
  }
  return Value::number(m);
}
Value fn_average(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined() || arg(a, 0).arr().items.empty()) return Value();
  double t = 0;
  for (const auto& v : arg(a, 0).arr().items) t += v.as_number();
  return Value::number(t / static_cast<double>(arg(a, 0).arr().items.size()));
}

// ---- strings --------------------------------------------------------------
Value fn_string(Evaluator& ev, Args& a, const Value&, const Env&) {
  bool pretty = arg(a, 1).is_bool() && arg(a, 1).as_bool();
  Value r = to_string_value(arg(a, 0), pretty);
  if (r.is_string()) ev.charge(r.as_string().size());
  return r;
}

std::string cp_slice(const std::vector<std::uint32_t>& cps, double start, double end) {
  double n = static_cast<double>(cps.size());
  auto clamp = [&](double x) {
    if (std::isnan(x)) return 0.0;
    x = std::trunc(x);
    if (x < 0) x = std::max(0.0, n + x);
    return std::min(x, n);
  };
  double s = clamp(start), e = clamp(end);
  if (e <= s) return "";
  return from_code_points(cps.data() + static_cast<std::size_t>(s), static_cast<std::size_t>(e - s));
}

Value substring_impl(const std::string& str, double start, const Value& length) {
  auto cps = to_code_points(str);
  double len = static_cast<double>(cps.size());
  if (len + start < 0) start = 0;
  if (!length.is_undefined()) {
    double l = length.as_number();
    if (l <= 0) return Value::string("");
    double end = start >= 0 ? start + l : len + start + l;
    return Value::string(cp_slice(cps, start, end));
  }
  return Value::string(cp_slice(cps, start, len));
}

Value fn_substring(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  return substring_impl(arg(a, 0).as_string(), arg(a, 1).as_number(), arg(a, 2));
}
Value fn_substring_before(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  const std::string& s = arg(a, 0).as_string();
  if (!arg(a, 1).is_string()) return arg(a, 0);
  auto pos = s.find(arg(a, 1).as_string());
  if (pos == std::string::npos) return arg(a, 0);
  return Value::string(s.substr(0, pos));
}
Value fn_substring_after(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  const std::string& s = arg(a, 0).as_string();
  if (!arg(a, 1).is_string()) return arg(a, 0);
  const std::string& c = arg(a, 1).as_string();
  auto pos = s.find(c);
  if (pos == std::string::npos) return arg(a, 0);
  return Value::string(s.substr(pos + c.size()));
}

std::uint32_t to_upper_cp(std::uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c % 2 == 0) ? c - 1 : c;
    return (c % 2 == 1) ? c - 1 : c;
  }
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
  if (c == 0x3C2) return 0x3A3;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}
std::uint32_t to_lower_cp(std::uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x178) return 0xFF;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c % 2 == 1) ? c + 1 : c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

Value fn_lowercase(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  auto cps = to_code_points(arg(a, 0).as_string());
  for (auto& c : cps) c = to_lower_cp(c);
  return Value::string(from_code_points(cps.data(), cps.size()));
}
Value fn_uppercase(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  auto cps = to_code_points(arg(a, 0).as_string());
  std::string out;
  for (auto c : cps) {
    if (c == 0xDF) {
      out += "SS";
    } else {
      append_utf8(out, to_upper_cp(c));
    }
  }
  return Value::string(std::move(out));
}
Value fn_length(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  return Value::number(static_cast<double>(code_point_length(arg(a, 0).as_string())));
}
Value fn_trim(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  const std::string& s = arg(a, 0).as_string();
  std::string r;
  bool in_ws = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!in_ws) r += ' ';
      in_ws = true;
    } else {
      r += c;
      in_ws = false;
    }
  }
  if (!r.empty() && r[0] == ' ') r.erase(0, 1);
  if (!r.empty() && r.back() == ' ') r.pop_back();
  return Value::string(std::move(r));
}
Value fn_pad(Evaluator& ev, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  const std::string& s = arg(a, 0).as_string();
  double width = arg(a, 1).as_number();
  std::string ch = arg(a, 2).is_string() && !arg(a, 2).as_string().empty() ? arg(a, 2).as_string() : " ";
  double pad_len = std::fabs(width) - static_cast<double>(code_point_length(s));
  if (!(pad_len > 0)) return arg(a, 0);
  if (pad_len > 1e8) throw_error("D3137", Value());
  std::size_t n = static_cast<std::size_t>(pad_len);
  ev.charge(n * ch.size());
  std::string padding;
  for (std::size_t i = 0; i < n; ++i) padding += ch;
  if (utf16_length(ch) > 1) {
    auto cps = to_code_points(padding);
    padding = from_code_points(cps.data(), std::min(cps.size(), n));
  }
  return Value::string(width > 0 ? s + padding : padding + s);
}

// Calls a matcher function (regex or custom) with a string.
Value evaluate_matcher(Evaluator& ev, const Value& matcher, const Value& str, const Env& env) {
  Value result = ev.apply(matcher, str.is_undefined() ? Args{} : Args{str}, Value::null(), env);
  if (!result.is_undefined() && result.is_object()) {
    const ObjectData& o = result.obj();
    const Value* start = o.find("start");
    const Value* groups = o.find("groups");
    const Value* next = o.find("next");
    bool ok = (start && start->is_number()) || (groups && groups->is_array()) || (next && next->is_function());
    if (!ok) throw_error("T1010");
  } else if (!result.is_undefined() && js_truthy(result)) {
    throw_error("T1010");
  }
  return result;
}

Value field(const Value& o, const char* k) {
  if (!o.is_object()) return Value();
  const Value* v = o.obj().find(k);
  return v ? *v : Value();
}

Value fn_contains(Evaluator& ev, Args& a, const Value&, const Env& env) {
  if (arg(a, 0).is_undefined()) return Value();
  if (arg(a, 1).is_string()) return Value::boolean(arg(a, 0).as_string().find(arg(a, 1).as_string()) != std::string::npos);
  Value m = evaluate_matcher(ev, arg(a, 1), arg(a, 0), env);
  return Value::boolean(!m.is_undefined());
}

Value fn_match(Evaluator& ev, Args& a, const Value&, const Env& env) {
  if (arg(a, 0).is_undefined()) return Value();
  const Value& limit = arg(a, 2);
  if (limit.is_number() && limit.as_number() < 0) {
    Error e;
    e.code = "D3040";
    e.value = limit;
    e.index = 3;
    throw ErrorException(std::move(e));
  }
  Value result = Value::sequence();
  if (limit.is_undefined() || limit.as_number() > 0) {
    double count = 0;
    Value m = evaluate_matcher(ev, arg(a, 1), arg(a, 0), env);
    while (!m.is_undefined() && (limit.is_undefined() || count < limit.as_number())) {
      auto o = std::make_shared<ObjectData>();
      o->set("match", field(m, "match"));
      o->set("index", field(m, "start"));
      o->set("groups", field(m, "groups"));
      result.arr().items.push_back(Value::object(std::move(o)));
      Value next = field(m, "next");
      if (!next.is_function()) break;
      m = evaluate_matcher(ev, next, Value(), env);
      count += 1;
    }
  }
  return result;
}

std::u16string u16_of(const Value& v) { return to_utf16(v.as_string()); }

Value fn_replace(Evaluator& ev, Args& a, const Value&, const Env& env) {
  if (arg(a, 0).is_undefined()) return Value();
  const Value& pattern = arg(a, 1);
  const Value& replacement = arg(a, 2);
  const Value& limit = arg(a, 3);
  if (pattern.is_string() && pattern.as_string().empty()) {
    Error e;
    e.code = "D3010";
    e.value = pattern;
    e.index = 2;
    throw ErrorException(std::move(e));
  }
  if (limit.is_number() && limit.as_number() < 0) {
    Error e;
    e.code = "D3011";
    e.value = limit;
    e.index = 4;
    throw ErrorException(std::move(e));
  }
  const std::string& str = arg(a, 0).as_string();
  if (!(limit.is_undefined() || limit.as_number() > 0)) return arg(a, 0);
  if (pattern.is_string()) {
    const std::string& p = pattern.as_string();
    std::string rep = replacement.is_string() ? replacement.as_string() : std::string();
    std::string out;
    std::size_t position = 0;
    double count = 0;
    std::size_t index = str.find(p, position);
    while (index != std::string::npos && (limit.is_undefined() || count < limit.as_number())) {
      out += str.substr(position, index - position);
      out += rep;
      position = index + p.size();
      count += 1;
      index = str.find(p, position);
    }
    out += str.substr(position);
    ev.charge(out.size());
    return Value::string(std::move(out));
  }
  std::u16string s16 = to_utf16(str);
  std::u16string out;
  std::size_t position = 0;
  double count = 0;
  Value m = evaluate_matcher(ev, pattern, arg(a, 0), env);
  if (m.is_undefined()) return arg(a, 0);
  while (!m.is_undefined() && (limit.is_undefined() || count < limit.as_number())) {
    std::size_t start = static_cast<std::size_t>(std::max(0.0, field(m, "start").as_number()));
    std::u16string match = field(m, "match").is_string() ? u16_of(field(m, "match")) : std::u16string();
    if (start > s16.size()) start = s16.size();
    if (start >= position) out += s16.substr(position, start - position);
    if (replacement.is_string()) {
      const std::u16string rep = u16_of(replacement);
      Value groups_v = field(m, "groups");
      std::vector<Value> groups = groups_v.is_array() ? groups_v.arr().items : std::vector<Value>{};
      std::size_t p = 0;
      std::size_t idx = rep.find(u'$', p);
      while (idx != std::u16string::npos && p < rep.size()) {
        out += rep.substr(p, idx - p);
        p = idx + 1;
        char16_t dollar = p < rep.size() ? rep[p] : u'\0';
        if (dollar == u'$') {
          out += u'$';
          ++p;
        } else if (dollar == u'0') {
          out += match;
          ++p;
        } else {
          std::size_t max_digits =
              groups.empty() ? 1 : static_cast<std::size_t>(std::floor(std::log10(static_cast<double>(groups.size())))) + 1;
          auto parse_int = [&](std::size_t len) -> long {
            std::u16string d = rep.substr(p, len);
            long v = 0;
            std::size_t k = 0;
            while (k < d.size() && d[k] >= u'0' && d[k] <= u'9') v = v * 10 + (d[k++] - u'0');
            return k == 0 ? -1 : v;
          };
          long gi = parse_int(max_digits);
          if (max_digits > 1 && gi > static_cast<long>(groups.size())) gi = parse_int(max_digits - 1);
          if (gi >= 0) {
            if (!groups.empty() && gi >= 1 && static_cast<std::size_t>(gi) <= groups.size()) {
              const Value& sub = groups[static_cast<std::size_t>(gi - 1)];
              if (sub.is_string()) out += u16_of(sub);
            }
            p += std::to_string(gi).size();
          } else {
            out += u'$';
          }
        }
        idx = rep.find(u'$', p);
      }
      if (p < rep.size()) out += rep.substr(p);
    } else {
      Value r = ev.apply(replacement, {m}, Value::null(), env);
      if (!r.is_string()) throw_error("D3012", r);
      out += u16_of(r);
    }
    position = start + match.size();
    count += 1;
    Value next = field(m, "next");
    if (!next.is_function()) break;
    m = evaluate_matcher(ev, next, Value(), env);
  }
  if (position < s16.size()) out += s16.substr(position);
  ev.charge(out.size() * 2);
  return Value::string(from_utf16(out));
}

Value fn_split(Evaluator& ev, Args& a, const Value&, const Env& env) {
  if (arg(a, 0).is_undefined()) return Value();
  const Value& sep = arg(a, 1);
  const Value& limit = arg(a, 2);
  if (limit.is_number() && limit.as_number() < 0) {
    Error e;
    e.code = "D3020";
    e.value = limit;
    e.index = 3;
    throw ErrorException(std::move(e));
  }
  std::vector<Value> result;
  std::u16string s = u16_of(arg(a, 0));
  auto lim_ok = [&](double count) { return limit.is_undefined() || count < std::floor(limit.as_number()); };
  if (limit.is_undefined() || limit.as_number() > 0) {
    if (sep.is_string()) {
      std::u16string sp = u16_of(sep);
      if (sp.empty()) {
        for (std::size_t i = 0; i < s.size() && lim_ok(static_cast<double>(result.size())); ++i)
          result.push_back(Value::string(from_utf16(s.substr(i, 1))));
      } else {
        std::size_t start = 0;
        while (lim_ok(static_cast<double>(result.size()))) {
          std::size_t idx = s.find(sp, start);
          if (idx == std::u16string::npos) {
            result.push_back(Value::string(from_utf16(s.substr(start))));
            break;
          }
          result.push_back(Value::string(from_utf16(s.substr(start, idx - start))));
          start = idx + sp.size();
        }
      }
    } else {
      double count = 0;
      Value m = evaluate_matcher(ev, sep, arg(a, 0), env);
      if (!m.is_undefined()) {
        std::size_t start = 0;
        while (!m.is_undefined() && lim_ok(count)) {
          std::size_t ms = static_cast<std::size_t>(std::max(0.0, field(m, "start").as_number()));
          if (ms >= start) {
            result.push_back(Value::string(from_utf16(s.substr(start, std::min(ms, s.size()) - std::min(start, s.size())))));
          } else {
            result.push_back(Value::string(""));
          }
          start = static_cast<std::size_t>(std::max(0.0, field(m, "end").as_number()));
          Value next = field(m, "next");
          count += 1;
          if (!next.is_function()) break;
          m = evaluate_matcher(ev, next, Value(), env);
        }
        if (lim_ok(count)) result.push_back(Value::string(start < s.size() ? from_utf16(s.substr(start)) : ""));
      } else {
        result.push_back(arg(a, 0));
      }
    }
  }
  return make_array(std::move(result));
}

Value fn_join(Evaluator& ev, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  std::string sep = arg(a, 1).is_string() ? arg(a, 1).as_string() : "";
  std::string out;
  bool first = true;
  for (const auto& v : arg(a, 0).arr().items) {
    if (!first) out += sep;
    first = false;
    if (v.is_string()) out += v.as_string();
  }
  ev.charge(out.size());
  return Value::string(std::move(out));
}

// ---- numbers --------------------------------------------------------------
Value fn_number(Evaluator&, Args& a, const Value&, const Env&) {
  const Value& v = arg(a, 0);
  if (v.is_undefined()) return Value();
  if (v.is_number()) return v;
  if (v.is_bool()) return Value::number(v.as_bool() ? 1 : 0);
  if (v.is_string()) {
    const std::string& s = v.as_string();
    // ^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$
    std::size_t i = 0;
    if (i < s.size() && s[i] == '-') ++i;
    std::size_t d0 = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    bool ok = i > d0;
    if (ok && i < s.size() && s[i] == '.') {
      ++i;
      std::size_t f0 = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      ok = i > f0;
    }
    if (ok && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      std::size_t e0 = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      ok = i > e0;
    }
    if (ok && i == s.size()) {
      double d = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(d)) return Value::number(d);
    }
    if (s.size() > 2 && s[0] == '0') {
      char p = s[1];
      int base = (p == 'x' || p == 'X') ? 16 : (p == 'o' || p == 'O') ? 8 : (p == 'b' || p == 'B') ? 2 : 0;
      if (base) {
        double r = 0;
        bool good = true;
        for (std::size_t k = 2; k < s.size(); ++k) {
          int dv = -1;
          char c = s[k];
          if (c >= '0' && c <= '9') dv = c - '0';
          else if (c >= 'a' && c <= 'f') dv = c - 'a' + 10;
          else if (c >= 'A' && c <= 'F') dv = c - 'A' + 10;
          if (dv < 0 || dv >= base) {
            good = false;
            break;
          }
          r = r * base + dv;
        }
        if (good) return Value::number(r);
      }
    }
  }
  Error e;
  e.code = "D3030";
  e.value = v;
  e.index = 1;
  throw ErrorException(std::move(e));
}
Value fn_abs(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  return Value::number(std::fabs(arg(a, 0).as_number()));
}
Value fn_floor(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  return Value::number(std::floor(arg(a, 0).as_number()));
}
Value fn_ceil(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  return Value::number(std::ceil(arg(a, 0).as_number()));
}

// Shifts the decimal point through the JS string form (value + "e" + n).
double shift_decimal(double v, double places) {
  std::string s = number_to_js(v);
  auto epos = s.find('e');
  double exp = places;
  std::string mant = s;
  if (epos != std::string::npos) {
    mant = s.substr(0, epos);
    exp = std::strtod(s.c_str() + epos + 1, nullptr) + places;
  }
  std::string t = mant + "e" + number_to_js(exp);
  return std::strtod(t.c_str(), nullptr);
}

}  // namespace

double round_half_even(double arg, double precision) {
  if (precision != 0) arg = shift_decimal(arg, precision);
  double result = std::floor(arg + 0.5);  // Math.round
  double diff = result - arg;
  if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (precision != 0) result = shift_decimal(result, -precision);
  if (result == 0) result = 0;  // no -0
  return result;
}

namespace {

Value fn_round(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  double precision = arg(a, 1).is_number() ? arg(a, 1).as_number() : 0;
  return Value::number(round_half_even(arg(a, 0).as_number(), precision));
}
Value fn_sqrt(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  double v = arg(a, 0).as_number();
  if (v < 0) {
    Error e;
    e.code = "D3060";
    e.index = 1;
    e.value = arg(a, 0);
    throw ErrorException(std::move(e));
  }
  return Value::number(std::sqrt(v));
}
Value fn_power(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  double r = std::pow(arg(a, 0).as_number(), arg(a, 1).as_number());
  if (!std::isfinite(r)) {
    Error e;
    e.code = "D3061";
    e.index = 1;
    e.value = arg(a, 0);
    e.exp = arg(a, 1);
    throw ErrorException(std::move(e));
  }
  return Value::number(r);
}
Value fn_random(Evaluator& ev, Args&, const Value&, const Env&) {
  return Value::number(static_cast<double>(ev.next_random_bits() >> 11) * 0x1.0p-53);
}
Value fn_format_base(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  double v = round_half_even(arg(a, 0).as_number(), 0);
  double radix = arg(a, 1).is_undefined() ? 10 : round_half_even(arg(a, 1).as_number(), 0);
  if (radix < 2 || radix > 36) throw_error("D3100", Value::number(radix));
  int r = static_cast<int>(radix);
  bool neg = v < 0;
  double x = std::fabs(v);
  std::string digits;
  if (x == 0) digits = "0";
  while (x >= 1) {
    double q = std::floor(x / r);
    int d = static_cast<int>(x - q * r);
    digits += "0123456789abcdefghijklmnopqrstuvwxyz"[d];
    x = q;
  }
  std::reverse(digits.begin(), digits.end());
  return Value::string((neg ? "-" : "") + digits);
}

// ---- booleans -------------------------------------------------------------
Value fn_boolean(Evaluator&, Args& a, const Value&, const Env&) { return to_boolean(arg(a, 0)); }
Value fn_not(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  return Value::boolean(!truthy(arg(a, 0)));
}

// ---- higher-order functions -------------------------------------------------
Value fn_map(Evaluator& ev, Args& a, const Value&, const Env& env) {
  if (arg(a, 0).is_undefined()) return Value();
  const Value arr = arg(a, 0);
  const Value func = arg(a, 1);
  Value result = Value::sequence();
  const auto& items = arr.arr().items;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Value r = ev.apply(func, hof_args(func, items[i], Value::number(static_cast<double>(i)), arr), Value::null(), env);
    if (!r.is_undefined()) result.arr().items.push_back(r);
  }
  return result;
}
Value fn_filter(Evaluator& ev, Args& a, const Value&, const Env& env) {
  if (arg(a, 0).is_undefined()) return Value();
  const Value arr = arg(a, 0);
  const Value func = arg(a, 1);
  Value result = Value::sequence();
  const auto& items = arr.arr().items;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Value r = ev.apply(func, hof_args(func, items[i], Value::number(static_cast<double>(i)), arr), Value::null(), env);
    if (truthy(r)) result.arr().items.push_back(items[i]);
  }
  return result;
}
Value fn_single(Evaluator& ev, Args& a, const Value&, const Env& env) {
  if (arg(a, 0).is_undefined()) return Value();
  const Value arr = arg(a, 0);
  const Value func = arg(a, 1);
  bool found = false;
  Value result;
  const auto& items = arr.arr().items;
  for (std::size_t i = 0; i < items.size(); ++i) {
    bool positive = true;
    if (!func.is_undefined()) {
      Value r = ev.apply(func, hof_args(func, items[i], Value::number(static_cast<double>(i)), arr), Value::null(), env);
      positive = truthy(r);
    }
    if (positive) {
      if (!found) {
        result = items[i];
        found = true;
      } else {
        Error e;
        e.code = "D3138";
        e.index = static_cast<int>(i);
        throw ErrorException(std::move(e));
      }
    }
  }
  if (!found) throw_error("D3139");
  return result;
}
Value fn_zip(Evaluator&, Args& a, const Value&, const Env&) {
  std::size_t length = a.empty() ? 0 : SIZE_MAX;
  for (const auto& v : a) length = std::min(length, v.is_array() ? v.arr().items.size() : 0);
  std::vector<Value> result;
  for (std::size_t i = 0; i < length; ++i) {
    std::vector<Value> tuple;
    for (const auto& v : a) tuple.push_back(v.arr().items[i]);
    result.push_back(make_array(std::move(tuple)));
  }
  return make_array(std::move(result));
}
Value fn_reduce(Evaluator& ev, Args& a, const Value&, const Env& env) {
  if (arg(a, 0).is_undefined()) return Value();
  const Value seq = arg(a, 0);
  const Value func = arg(a, 1);
  int n = Evaluator::arity(func);
  if (n < 2) {
    Error e;
    e.code = "D3050";
    e.index = 1;
    throw ErrorException(std::move(e));
  }
  const auto& items = seq.arr().items;
  Value result;
  std::size_t index = 0;
  if (arg(a, 2).is_undefined() && !items.empty()) {
    result = items[0];
    index = 1;
  } else {
    result = arg(a, 2);
  }
  while (index < items.size()) {
    Args args{result, items[index]};
    if (n >= 3) args.push_back(Value::number(static_cast<double>(index)));
    if (n >= 4) args.push_back(seq);
    result = ev.apply(func, args, Value::null(), env);
    ++index;
  }
  return result;
}
Value fn_sift(Evaluator& ev, Args& a, const Value&, const Env& env) {
  const Value obj = arg(a, 0);
  const Value func = arg(a, 1);
  auto result = std::make_shared<ObjectData>();
  if (obj.is_object()) {
    for (const auto& [k, v] : obj.obj().entries) {
      Value r = ev.apply(func, hof_args(func, v, Value::string(k), obj), Value::null(), env);
      if (truthy(r)) result->set(k, v);
    }
  }
  if (result->size() == 0) return Value();
  return Value::object(std::move(result));
}
Value fn_each(Evaluator& ev, Args& a, const Value&, const Env& env) {
  const Value obj = arg(a, 0);
  const Value func = arg(a, 1);
  Value result = Value::sequence();
  if (obj.is_object()) {
    for (const auto& [k, v] : obj.obj().entries) {
      Value r = ev.apply(func, hof_args(func, v, Value::string(k), obj), Value::null(), env);
      if (!r.is_undefined()) result.arr().items.push_back(r);
    }
  }
  return result;
}

// ---- objects and arrays ---------------------------------------------------
Value keys_of(const Value& v) {
  Value result = Value::sequence();
  if (v.is_array()) {
    ObjectData merged;
    for (const auto& item : v.arr().items) {
      Value ks = keys_of(item);
      for (const auto& k : ks.arr().items) merged.set(k.as_string(), Value::boolean(true));
    }
    for (const auto& [k, x] : merged.entries) result.arr().items.push_back(Value::string(k));
  } else if (v.is_object()) {
    for (const auto& [k, x] : v.obj().entries) result.arr().items.push_back(Value::string(k));
  }
  return result;
}
Value fn_keys(Evaluator&, Args& a, const Value&, const Env&) { return keys_of(arg(a, 0)); }

Value lookup_impl(const Value& input, const std::string& key) {
  if (input.is_array()) {
    Value result = Value::sequence();
    for (const auto& item : input.arr().items) {
      Value r = lookup_impl(item, key);
      if (r.is_undefined()) continue;
      if (r.is_array()) {
        for (const auto& x : r.arr().items) result.arr().items.push_back(x);
      } else {
        result.arr().items.push_back(r);
      }
    }
    return result;
  }
  if (input.is_object()) {
    const Value* v = input.obj().find(key);
    return v ? *v : Value();
  }
  return Value();
}
Value fn_lookup(Evaluator&, Args& a, const Value&, const Env&) {
  if (!arg(a, 1).is_string()) return Value();
  return lookup_impl(arg(a, 0), arg(a, 1).as_string());
}
Value fn_append(Evaluator& ev, Args& a, const Value&, const Env&) {
  Value r = append_values(arg(a, 0), arg(a, 1));
  if (r.is_array()) ev.charge(r.arr().items.size() * sizeof(Value));
  return r;
}
Value fn_exists(Evaluator&, Args& a, const Value&, const Env&) { return Value::boolean(!arg(a, 0).is_undefined()); }
Value spread_impl(const Value& v) {
  if (v.is_array()) {
    Value result = Value::sequence();
    for (const auto& item : v.arr().items) result = append_values(result, spread_impl(item));
    return result;
  }
  if (v.is_object()) {
    Value result = Value::sequence();
    for (const auto& [k, x] : v.obj().entries) {
      auto o = std::make_shared<ObjectData>();
      o->set(k, x);
      result.arr().items.push_back(Value::object(std::move(o)));
    }
    return result;
  }
  return v;
}
Value fn_spread(Evaluator&, Args& a, const Value&, const Env&) { return spread_impl(arg(a, 0)); }
Value fn_merge(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  auto result = std::make_shared<ObjectData>();
  for (const auto& o : arg(a, 0).arr().items) {
    if (!o.is_object()) continue;
    for (const auto& [k, v] : o.obj().entries) result->set(k, v);
  }
  return Value::object(std::move(result));
}
Value fn_reverse(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  if (arg(a, 0).arr().items.size() <= 1) return arg(a, 0);
  std::vector<Value> items(arg(a, 0).arr().items.rbegin(), arg(a, 0).arr().items.rend());
  return make_array(std::move(items));
}
Value fn_error(Evaluator&, Args& a, const Value&, const Env&) {
  Error e;
  e.code = "D3137";
  e.user_message = arg(a, 0).is_string() && !arg(a, 0).as_string().empty() ? arg(a, 0).as_string()
                                                                            : std::string("$error() function evaluated");
  throw ErrorException(std::move(e));
}
Value fn_assert(Evaluator&, Args& a, const Value&, const Env&) {
  if (!js_truthy(arg(a, 0))) {
    Error e;
    e.code = "D3141";
    e.user_message = arg(a, 1).is_string() && !arg(a, 1).as_string().empty()
                         ? arg(a, 1).as_string()
                         : std::string("$assert() statement failed");
    throw ErrorException(std::move(e));
  }
  return Value();
}
Value fn_type(Evaluator&, Args& a, const Value&, const Env&) {
  const Value& v = arg(a, 0);
  switch (v.kind()) {
    case Kind::kUndefined: return Value();
    case Kind::kNull: return Value::string("null");
    case Kind::kNumber: return Value::string("number");
    case Kind::kString: return Value::string("string");
    case Kind::kBoolean: return Value::string("boolean");
    case Kind::kArray: return Value::string("array");
    case Kind::kFunction: return Value::string("function");
    case Kind::kObject: return Value::string("object");
  }
  return Value();
}
Value fn_sort(Evaluator& ev, Args& a, const Value&, const Env& env) {
  if (arg(a, 0).is_undefined()) return Value();
  const Value arr = arg(a, 0);
  if (arr.arr().items.size() <= 1) return arr;
  const Value comparator = arg(a, 1);
  if (comparator.is_undefined()) {
    bool nums = true, strs = true;
    for (const auto& v : arr.arr().items) {
      if (!is_numeric(v)) nums = false;
      if (!v.is_string()) strs = false;
    }
    if (!nums && !strs) {
      Error e;
      e.code = "D3070";
      e.index = 1;
      throw ErrorException(std::move(e));
    }
    return sort_values(arr.arr().items, [](const Value& x, const Value& y) {
      if (x.is_string()) return compare_utf16(x.as_string(), y.as_string()) > 0;
      return x.as_number() > y.as_number();
    });
  }
  return sort_values(arr.arr().items, [&](const Value& x, const Value& y) {
    return js_truthy(ev.apply(comparator, {x, y}, Value::null(), env));
  });
}
Value fn_shuffle(Evaluator& ev, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  const auto& items = arg(a, 0).arr().items;
  if (items.size() <= 1) return arg(a, 0);
  std::vector<Value> result(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::size_t j = static_cast<std::size_t>(ev.next_random_bits() % (i + 1));
    if (i != j) result[i] = result[j];
    result[j] = items[i];
  }
  return make_array(std::move(result));
}
Value fn_distinct(Evaluator&, Args& a, const Value&, const Env&) {
  const Value& arr = arg(a, 0);
  if (arr.is_undefined()) return Value();
  if (!arr.is_array() || arr.arr().items.size() <= 1) return arr;
  Value results = make_array({}, arr.arr().sequence);
  auto& out = results.arr().items;
  for (const auto& v : arr.arr().items) {
    bool includes = false;
    for (const auto& r : out)
      if (deep_equal(v, r)) {
        includes = true;
        break;
      }
    if (!includes) out.push_back(v);
  }
  return results;
}
Value fn_clone(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  StringifyOptions o;
  o.precision15 = true;
  Value out;
  std::string err;
  if (!from_json_text(stringify(arg(a, 0), o), &out, &err)) return Value();
  return out;
}

// ---- encoding ---------------------------------------------------------------
const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
Value fn_base64encode(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  std::u16string s = u16_of(arg(a, 0));
  std::string bytes;
  for (char16_t c : s) bytes += static_cast<char>(c & 0xFF);
  std::string out;
  std::size_t i = 0;
  while (i + 2 < bytes.size()) {
    unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += kB64[n & 63];
    i += 3;
  }
  if (i + 1 == bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += '=';
  }
  return Value::string(std::move(out));
}
Value fn_base64decode(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  const std::string& s = arg(a, 0).as_string();
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : s) {
    const char* p = std::strchr(kB64, c);
    int v;
    if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else if (c == '=' || c == '\0' || !p) continue;
    else v = static_cast<int>(p - kB64);
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      append_utf8(out, (buf >> bits) & 0xFF);
    }
  }
  return Value::string(std::move(out));
}

[[noreturn]] void url_error(const Value& v, const char* name) {
  Error e;
  e.code = "D3140";
  e.value = v;
  e.function_name = name;
  throw ErrorException(std::move(e));
}

Value encode_uri(const Value& v, const char* keep, const char* name) {
  std::u16string s = u16_of(v);
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (std::size_t i = 0; i < s.size(); ++i) {
    char16_t c = s[i];
    if (c < 0x80 && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_.!~*'()", static_cast<char>(c)) ||
                     (std::strchr(keep, static_cast<char>(c)) && c != 0))) {
      out += static_cast<char>(c);
      continue;
    }
    std::uint32_t cp = c;
    if (c >= 0xDC00 && c < 0xE000) url_error(v, name);
    if (c >= 0xD800 && c < 0xDC00) {
      if (i + 1 >= s.size() || s[i + 1] < 0xDC00 || s[i + 1] >= 0xE000) url_error(v, name);
      cp = 0x10000 + ((c - 0xD800u) << 10) + (s[i + 1] - 0xDC00u);
      ++i;
    }
    std::string bytes;
    append_utf8(bytes, cp);
    for (char b : bytes) {
      out += '%';
      out += hex[(static_cast<unsigned char>(b) >> 4) & 0xF];
      out += hex[static_cast<unsigned char>(b) & 0xF];
    }
  }
  return Value::string(std::move(out));
}

Value decode_uri(const Value& v, const char* reserved, const char* name) {
  const std::string& s = v.as_string();
  std::string out;
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '%') {
      out += s[i++];
      continue;
    }
    auto byte_at = [&](std::size_t k) -> int {
      if (k + 2 >= s.size() + 0 && k + 2 > s.size() - 1) return -1;
      if (s[k] != '%') return -1;
      int h = hexval(s[k + 1]), l = hexval(s[k + 2]);
      if (h < 0 || l < 0) return -1;
      return h * 16 + l;
    };
    int b0 = byte_at(i);
    if (b0 < 0) url_error(v, name);
    if (b0 < 0x80) {
      if (std::strchr(reserved, b0) && b0 != 0) {
        out.append(s, i, 3);
      } else {
        out += static_cast<char>(b0);
      }
      i += 3;
      continue;
    }
    int n = (b0 & 0xE0) == 0xC0 ? 1 : (b0 & 0xF0) == 0xE0 ? 2 : (b0 & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) url_error(v, name);
    std::uint32_t cp = static_cast<std::uint32_t>(b0 & (0x3F >> n));
    std::size_t k = i + 3;
    for (int j = 0; j < n; ++j) {
      int b = byte_at(k);
      if (b < 0 || (b & 0xC0) != 0x80) url_error(v, name);
      cp = (cp << 6) | static_cast<std::uint32_t>(b & 0x3F);
      k += 3;
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp < 0xE000))
      url_error(v, name);
    append_utf8(out, cp);
    i = k;
  }
  return Value::string(std::move(out));
}

Value fn_encode_url_component(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  return encode_uri(arg(a, 0), "", "encodeUrlComponent");
}
Value fn_encode_url(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  return encode_uri(arg(a, 0), ";,/?:@&=+$#", "encodeUrl");
}
Value fn_decode_url_component(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  return decode_uri(arg(a, 0), "", "decodeUrlComponent");
}
Value fn_decode_url(Evaluator&, Args& a, const Value&, const Env&) {
  if (arg(a, 0).is_undefined()) return Value();
  return decode_uri(arg(a, 0), ";/?:@&=+$,#", "decodeUrl");
}

Value fn_millis(Evaluator& ev, Args&, const Value&, const Env&) {
  return Value::number(static_cast<double>(ev.now_ms()));
}
Value fn_now(Evaluator& ev, Args& a, const Value& input, const Env& env) {
  Args args{Value::number(static_cast<double>(ev.now_ms())), arg(a, 0), arg(a, 1)};
  return builtin_from_millis(ev, args, input, env);
}

const Builtin kBuiltins[] = {
    {"sum", "<a<n>:n>", 1, fn_sum, false},
    {"count", "<a:n>", 1, fn_count, false},
    {"max", "<a<n>:n>", 1, fn_max, false},
    {"min", "<a<n>:n>", 1, fn_min, false},
    {"average", "<a<n>:n>", 1, fn_average, false},
    {"string", "<x-b?:s>", 1, fn_string, false},
    {"substring", "<s-nn?:s>", 3, fn_substring, false},
    {"substringBefore", "<s-s:s>", 2, fn_substring_before, false},
    {"substringAfter", "<s-s:s>", 2, fn_substring_after, false},
    {"lowercase", "<s-:s>", 1, fn_lowercase, false},
    {"uppercase", "<s-:s>", 1, fn_uppercase, false},
    {"length", "<s-:n>", 1, fn_length, false},
    {"trim", "<s-:s>", 1, fn_trim, false},
    {"pad", "<s-ns?:s>", 3, fn_pad, false},
    {"match", "<s-f<s:o>n?:a<o>>", 3, fn_match, false},
    {"contains", "<s-(sf):b>", 2, fn_contains, false},
    {"replace", "<s-(sf)(sf)n?:s>", 4, fn_replace, false},
    {"split", "<s-(sf)n?:a<s>>", 3, fn_split, false},
    {"join", "<a<s>s?:s>", 2, fn_join, false},
    {"formatNumber", "<n-so?:s>", 3, builtin_format_number, false},
    {"formatBase", "<n-n?:s>", 2, fn_format_base, false},
    {"formatInteger", "<n-s:s>", 2, builtin_format_integer, false},
    {"parseInteger", "<s-s:n>", 2, builtin_parse_integer, false},
    {"number", "<(nsb)-:n>", 1, fn_number, false},
    {"floor", "<n-:n>", 1, fn_floor, false},
    {"ceil", "<n-:n>", 1, fn_ceil, false},
    {"round", "<n-n?:n>", 2, fn_round, false},
    {"abs", "<n-:n>", 1, fn_abs, false},
    {"sqrt", "<n-:n>", 1, fn_sqrt, false},
    {"power", "<n-n:n>", 2, fn_power, false},
    {"random", "<:n>", 0, fn_random, false},
    {"boolean", "<x-:b>", 1, fn_boolean, false},
    {"not", "<x-:b>", 1, fn_not, false},
    {"map", "<af>", 2, fn_map, false},
    {"zip", "<a+>", 0, fn_zip, false},
    {"filter", "<af>", 2, fn_filter, false},
    {"single", "<af?>", 2, fn_single, false},
    {"reduce", "<afj?:j>", 3, fn_reduce, false},
    {"sift", "<o-f?:o>", 2, fn_sift, false},
    {"keys", "<x-:a<s>>", 1, fn_keys, false},
    {"lookup", "<x-s:x>", 2, fn_lookup, false},
    {"append", "<xx:a>", 2, fn_append, false},
    {"exists", "<x:b>", 1, fn_exists, false},
    {"spread", "<x-:a<o>>", 1, fn_spread, false},
    {"merge", "<a<o>:o>", 1, fn_merge, false},
    {"reverse", "<a:a>", 1, fn_reverse, false},
    {"each", "<o-f:a>", 2, fn_each, false},
    {"error", "<s?:x>", 1, fn_error, false},
    {"assert", "<bs?:x>", 2, fn_assert, false},
    {"type", "<x:s>", 1, fn_type, false},
    {"sort", "<af?:a>", 2, fn_sort, false},
    {"shuffle", "<a:a>", 1, fn_shuffle, false},
    {"distinct", "<x:x>", 1, fn_distinct, false},
    {"base64encode", "<s-:s>", 1, fn_base64encode, false},
    {"base64decode", "<s-:s>", 1, fn_base64decode, false},
    {"encodeUrlComponent", "<s-:s>", 1, fn_encode_url_component, false},
    {"encodeUrl", "<s-:s>", 1, fn_encode_url, false},
    {"decodeUrlComponent", "<s-:s>", 1, fn_decode_url_component, false},
    {"decodeUrl", "<s-:s>", 1, fn_decode_url, false},
    {"toMillis", "<s-s?:n>", 2, builtin_to_millis, false},
    {"fromMillis", "<n-s?s?:s>", 3, builtin_from_millis, false},
    {"clone", "<(oa)-:o>", 1, fn_clone, false},
    {"now", "<s?s?:s>", 2, fn_now, false},
    {"millis", "<:n>", 0, fn_millis, false},
};

struct Table {
  std::unordered_map<std::string_view, Value> core;
  std::unordered_map<std::string_view, Value> sfn;
};

const Table& table() {
  static const Table t = [] {
    Table tb;
    auto add = [](std::unordered_map<std::string_view, Value>& m, const Builtin& b) {
      auto f = std::make_shared<NativeFn>();
      f->def = &b;
      f->signature = Signature::builtin(b.signature);
      m[b.name] = Value::function(std::move(f));
    };
    for (const auto& b : kBuiltins) {
      add(tb.core, b);
      add(tb.sfn, b);
    }
    for (const Builtin* b = sfn_builtins(); b && b->name; ++b) add(tb.sfn, *b);
    return tb;
  }();
  return t;
}

}  // namespace

const Value* find_builtin(std::string_view name, bool sfn_functions) {
  const auto& m = sfn_functions ? table().sfn : table().core;
  auto it = m.find(name);
  return it == m.end() ? nullptr : &it->second;
}

}  // namespace stepfiber::jsonata
