// $formatNumber: XPath F&O 3.1 decimal-format pictures, as jsonata-js
// functions.js implements them (sub-pictures, grouping, exponents).
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <double-conversion/double-conversion.h>

#include "jsonata/builtins.h"
#include "jsonata/unicode.h"

namespace stepfiber::jsonata {

namespace {

using Args = std::vector<Value>;
using U32 = std::u32string;

U32 u32(const std::string& s) {
  auto cps = to_code_points(s);
  return U32(cps.begin(), cps.end());
}
std::string u8(const U32& s) { return from_code_points(reinterpret_cast<const std::uint32_t*>(s.data()), s.size()); }

struct Props {
  char32_t decimal = '.', grouping = ',', exponent = 'e', percent = '%', permille = 0x2030, zero = '0', digit = '#',
           pattern = ';';
  U32 minus = U"-";
};

struct Parts {
  U32 prefix, suffix, active, mantissa, integer, fractional, sub;
  bool has_exponent = false;
  U32 exponent;
};

struct Vars {
  std::vector<int> int_grouping;
  int regular = 0;
  int min_int = 0;
  int scaling = 0;
  U32 prefix, suffix, picture;
  std::vector<int> frac_grouping;
  int min_frac = 0, max_frac = 0, min_exp = 0;
};

std::size_t index_of(const U32& s, char32_t c, std::size_t from = 0) {
  auto p = s.find(c, from);
  return p;
}

}  // namespace

std::string js_to_fixed(double v, int dp) {
  char buf[512];
  double_conversion::StringBuilder sb(buf, sizeof buf);
  if (std::fabs(v) >= 1e21 || dp > 100) {
    return number_to_js(v);
  }
  double_conversion::DoubleToStringConverter::EcmaScriptConverter().ToFixed(v, dp, &sb);
  return std::string(sb.Finalize());
}

Value builtin_format_number(Evaluator&, Args& a, const Value&, const Env&) {
  if (a.empty() || a[0].is_undefined()) return Value();
  double value = a[0].as_number();
  U32 picture = u32(a.size() > 1 && a[1].is_string() ? a[1].as_string() : "");
  Props p;
  if (a.size() > 2 && a[2].is_object()) {
    for (const auto& [k, v] : a[2].obj().entries) {
      if (!v.is_string()) continue;
      U32 s = u32(v.as_string());
      char32_t c = s.empty() ? 0 : s[0];
      if (k == "decimal-separator") p.decimal = c;
      else if (k == "grouping-separator") p.grouping = c;
      else if (k == "exponent-separator") p.exponent = c;
      else if (k == "minus-sign") p.minus = s;
      else if (k == "percent") p.percent = c;
      else if (k == "per-mille") p.permille = c;
      else if (k == "zero-digit") p.zero = c;
      else if (k == "digit") p.digit = c;
      else if (k == "pattern-separator") p.pattern = c;
    }
  }
  U32 family;
  for (int i = 0; i < 10; ++i) family += static_cast<char32_t>(p.zero + static_cast<char32_t>(i));
  auto is_digit_family = [&](char32_t c) { return family.find(c) != U32::npos; };
  auto is_active = [&](char32_t c) {
    return is_digit_family(c) || c == p.decimal || c == p.exponent || c == p.grouping || c == p.digit || c == p.pattern;
  };

  std::vector<U32> subs;
  {
    U32 cur;
    for (char32_t c : picture) {
      if (c == p.pattern) {
        subs.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    subs.push_back(cur);
  }
  if (subs.size() > 2) throw_error("D3080");

  auto split_parts = [&](const U32& sp) {
    Parts r;
    r.sub = sp;
    std::size_t pre = sp.size();
    for (std::size_t i = 0; i < sp.size(); ++i) {
      if (is_active(sp[i]) && sp[i] != p.exponent) {
        pre = i;
        break;
      }
    }
    r.prefix = sp.substr(0, pre);
    std::size_t suf_start = sp.size();
    for (std::size_t i = sp.size(); i-- > 0;) {
      if (is_active(sp[i]) && sp[i] != p.exponent) {
        suf_start = i + 1;
        break;
      }
    }
    // jsonata-js: prefix/suffix undefined when no active char (then .length throws); treat as whole
    if (pre == sp.size()) suf_start = sp.size();
    r.suffix = sp.substr(std::min(suf_start, sp.size()));
    std::size_t active_len = sp.size() >= r.prefix.size() + r.suffix.size() ? sp.size() - r.prefix.size() - r.suffix.size() : 0;
    r.active = sp.substr(r.prefix.size(), active_len);
    std::size_t exp_pos = index_of(sp, p.exponent, r.prefix.size());
    if (exp_pos == U32::npos || exp_pos > sp.size() - r.suffix.size()) {
      r.mantissa = r.active;
      r.has_exponent = false;
    } else {
      // jsonata-js uses the subpicture offset on activePart
      r.mantissa = r.active.substr(0, std::min(exp_pos, r.active.size()));
      r.exponent = exp_pos + 1 <= r.active.size() ? r.active.substr(exp_pos + 1) : U32();
      r.has_exponent = true;
    }
    std::size_t dec = r.mantissa.find(p.decimal);
    if (dec == U32::npos) {
      r.integer = r.mantissa;
      r.fractional = r.suffix;
    } else {
      r.integer = r.mantissa.substr(0, dec);
      r.fractional = r.mantissa.substr(dec + 1);
    }
    return r;
  };

  auto validate = [&](const Parts& parts) {
    const char* error = nullptr;
    const U32& sp = parts.sub;
    auto count = [&](char32_t c) {
      std::size_t n = 0;
      for (char32_t x : sp)
        if (x == c) ++n;
      return n;
    };
    if (count(p.decimal) > 1) error = "D3081";
    if (count(p.percent) > 1) error = "D3082";
    if (count(p.permille) > 1) error = "D3083";
    if (count(p.percent) > 0 && count(p.permille) > 0) error = "D3084";
    bool valid = false;
    for (char32_t c : parts.mantissa)
      if (is_digit_family(c) || c == p.digit) {
        valid = true;
        break;
      }
    if (!valid) error = "D3085";
    for (char32_t c : parts.active)
      if (!is_active(c)) error = "D3086";
    std::size_t dec = sp.find(p.decimal);
    if (dec != U32::npos) {
      if ((dec > 0 && sp[dec - 1] == p.grouping) || (dec + 1 < sp.size() && sp[dec + 1] == p.grouping)) error = "D3087";
    } else if (!parts.integer.empty() && parts.integer.back() == p.grouping) {
      error = "D3088";
    }
    U32 gg;
    gg += p.grouping;
    gg += p.grouping;
    if (sp.find(gg) != U32::npos) error = "D3089";
    std::size_t opt = parts.integer.find(p.digit);
    if (opt != U32::npos) {
      for (std::size_t i = 0; i < opt; ++i)
        if (is_digit_family(parts.integer[i])) error = "D3090";
    }
    opt = parts.fractional.rfind(p.digit);
    if (opt != U32::npos) {
      for (std::size_t i = opt; i < parts.fractional.size(); ++i)
        if (is_digit_family(parts.fractional[i])) error = "D3091";
    }
    if (parts.has_exponent && !parts.exponent.empty() && (count(p.percent) > 0 || count(p.permille) > 0)) error = "D3092";
    if (parts.has_exponent) {
      bool bad = parts.exponent.empty();
      for (char32_t c : parts.exponent)
        if (!is_digit_family(c)) bad = true;
      if (bad) error = "D3093";
    }
    if (error) throw_error(error);
  };

  auto analyse = [&](const Parts& parts) {
    Vars v;
    auto grouping_positions = [&](const U32& part, bool to_left) {
      std::vector<int> positions;
      std::size_t gp = part.find(p.grouping);
      while (gp != U32::npos) {
        U32 side = to_left ? part.substr(0, gp) : part.substr(gp);
        int n = 0;
        for (char32_t c : side)
          if (is_digit_family(c) || c == p.digit) ++n;
        positions.push_back(n);
        gp = parts.integer.find(p.grouping, gp + 1);
      }
      return positions;
    };
    v.int_grouping = grouping_positions(parts.integer, false);
    auto regular = [](const std::vector<int>& idx) {
      if (idx.empty()) return 0;
      int factor = idx[0];
      for (int x : idx) factor = x == 0 ? factor : std::gcd(factor, x);
      if (factor == 0) return 0;
      for (std::size_t index = 1; index <= idx.size(); ++index) {
        bool found = false;
        for (int x : idx)
          if (x == static_cast<int>(index) * factor) found = true;
        if (!found) return 0;
      }
      return factor;
    };
    v.regular = regular(v.int_grouping);
    v.frac_grouping = grouping_positions(parts.fractional, true);
    for (char32_t c : parts.integer)
      if (is_digit_family(c)) ++v.min_int;
    v.scaling = v.min_int;
    for (char32_t c : parts.fractional) {
      if (is_digit_family(c)) ++v.min_frac;
      if (is_digit_family(c) || c == p.digit) ++v.max_frac;
    }
    bool exp_present = parts.has_exponent;
    if (v.min_int == 0 && v.max_frac == 0) {
      if (exp_present) {
        v.min_frac = 1;
        v.max_frac = 1;
      } else {
        v.min_int = 1;
      }
    }
    if (exp_present && v.min_int == 0 && parts.integer.find(p.digit) != U32::npos) v.min_int = 1;
    if (v.min_int == 0 && v.min_frac == 0) v.min_frac = 1;
    if (exp_present) {
      for (char32_t c : parts.exponent)
        if (is_digit_family(c)) ++v.min_exp;
    }
    v.prefix = parts.prefix;
    v.suffix = parts.suffix;
    v.picture = parts.sub;
    return v;
  };

  std::vector<Parts> parts;
  for (const auto& s : subs) parts.push_back(split_parts(s));
  for (const auto& pt : parts) validate(pt);
  std::vector<Vars> vars;
  for (const auto& pt : parts) vars.push_back(analyse(pt));
  if (vars.size() == 1) {
    vars.push_back(vars[0]);
    vars[1].prefix = p.minus + vars[1].prefix;
  }
  Vars pic = value >= 0 ? vars[0] : vars[1];
  double adjusted = value;
  if (pic.picture.find(p.percent) != U32::npos) adjusted = value * 100;
  else if (pic.picture.find(p.permille) != U32::npos) adjusted = value * 1000;
  double mantissa = adjusted;
  bool has_exp = false;
  double exponent = 0;
  if (pic.min_exp != 0) {
    has_exp = true;
    double max_m = std::pow(10, pic.scaling);
    double min_m = std::pow(10, pic.scaling - 1);
    int guard = 0;
    while (mantissa < min_m && mantissa != 0 && guard++ < 1000) {
      mantissa *= 10;
      exponent -= 1;
    }
    while (mantissa > max_m && guard++ < 2000) {
      mantissa /= 10;
      exponent += 1;
    }
  }
  double rounded = round_half_even(mantissa, pic.max_frac);
  auto make_string = [&](double v, int dp) {
    std::string s = js_to_fixed(std::fabs(v), dp);
    U32 out = u32(s);
    if (p.zero != '0') {
      for (auto& c : out)
        if (c >= '0' && c <= '9') c = p.zero + (c - '0');
    }
    return out;
  };
  U32 sv = make_string(rounded, pic.max_frac);
  std::size_t dpos = sv.find('.');
  if (dpos == U32::npos) {
    sv += p.decimal;
  } else {
    sv[dpos] = p.decimal;
  }
  while (!sv.empty() && sv[0] == p.zero) sv.erase(0, 1);
  while (!sv.empty() && sv.back() == p.zero) sv.pop_back();
  std::size_t dp = sv.find(p.decimal);
  long pad_left = pic.min_int - static_cast<long>(dp);
  long pad_right = pic.min_frac - static_cast<long>(sv.size() - dp - 1);
  if (pad_left > 0) sv = U32(static_cast<std::size_t>(pad_left), p.zero) + sv;
  if (pad_right > 0) sv += U32(static_cast<std::size_t>(pad_right), p.zero);
  dp = sv.find(p.decimal);
  if (pic.regular > 0) {
    long group_count = (static_cast<long>(dp) - 1) / pic.regular;
    for (long g = 1; g <= group_count; ++g) {
      long at = static_cast<long>(dp) - g * pic.regular;
      if (at >= 0) sv.insert(static_cast<std::size_t>(at), 1, p.grouping);
    }
  } else {
    for (int pos : pic.int_grouping) {
      long at = static_cast<long>(dp) - pos;
      if (at >= 0 && static_cast<std::size_t>(at) <= sv.size()) sv.insert(static_cast<std::size_t>(at), 1, p.grouping);
      ++dp;
    }
  }
  dp = sv.find(p.decimal);
  for (int pos : pic.frac_grouping) {
    std::size_t at = static_cast<std::size_t>(pos) + dp + 1;
    if (at <= sv.size()) sv.insert(at, 1, p.grouping);
  }
  dp = sv.find(p.decimal);
  if (pic.picture.find(p.decimal) == U32::npos || dp == sv.size() - 1) {
    if (!sv.empty()) sv.pop_back();
  }
  if (has_exp) {
    U32 se = make_string(exponent, 0);
    long pl = pic.min_exp - static_cast<long>(se.size());
    if (pl > 0) se = U32(static_cast<std::size_t>(pl), p.zero) + se;
    U32 tail;
    tail += p.exponent;
    if (exponent < 0) tail += p.minus;
    sv = sv + tail + se;
  }
  sv = pic.prefix + sv + pic.suffix;
  return Value::string(u8(sv));
}

}  // namespace stepfiber::jsonata
