// Intrinsic functions for strings and JSON text: States.Format, StringSplit,
// StringToJson, JsonToString.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "intrinsics/functions.h"

namespace stepfiber::intrinsics::detail {
namespace {

using R = asl::Eval<Json>;

// Decodes one UTF-8 code point at `i` (a stray byte counts as one "code point").
std::pair<std::uint32_t, std::size_t> next_code_point(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 1;
  if (i + len > s.size()) len = 1;
  if (len == 1) return {b0, 1};
  std::uint32_t cp = b0 & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {b0, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, len};
}

void append_java_string(const Json& v, std::string& out) {
  switch (v.type()) {
    case Json::value_t::string: out += v.get_ref<const std::string&>(); return;
    case Json::value_t::null: out += "null"; return;
    case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer: out += std::to_string(v.get<std::int64_t>()); return;
    case Json::value_t::number_unsigned: out += std::to_string(v.get<std::uint64_t>()); return;
    case Json::value_t::number_float: out += java_double(v.get<double>()); return;
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ", ";
        first = false;
        append_java_string(item, out);  // bounded by kMaxJsonDepth
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        out += it.key();
        out.push_back('=');
        append_java_string(it.value(), out);
      }
      out.push_back('}');
      return;
    }
    default: out += dump_json(v); return;
  }
}

}  // namespace

std::string java_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // e.g. "-1.2345e+07": shortest round-trip digits
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  const auto e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exponent = std::stoi(sci.substr(e + 1));
  const double magnitude = std::fabs(d);
  std::string out = sign;
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exponent >= 0) {
      const auto int_len = static_cast<std::size_t>(exponent) + 1;
      std::string int_part = digits.substr(0, std::min(int_len, digits.size()));
      while (int_part.size() < int_len) int_part.push_back('0');
      std::string frac = digits.size() > int_len ? digits.substr(int_len) : "0";
      out += int_part + "." + frac;
    } else {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" + std::to_string(exponent);
  return out;
}

std::string java_string(const Json& v) {
  std::string out;
  append_java_string(v, out);
  return out;
}

std::vector<std::string> split_format_template(std::string_view text, bool escaped) {
  std::vector<std::string> pieces(1);
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (escaped && c == '\\' && i + 1 < text.size()) {
      pieces.back().push_back(text[i + 1]);
      i += 2;
    } else if (c == '{' && i + 1 < text.size() && text[i + 1] == '}') {
      pieces.emplace_back();
      i += 2;
    } else {
      pieces.back().push_back(c);
      ++i;
    }
  }
  return pieces;
}

std::string check_format(std::string_view name, const std::vector<ArgInfo>& args) {
  if (args.empty() || !args[0].literal || args[0].raw == nullptr) return {};
  const std::size_t placeholders = split_format_template(*args[0].raw, true).size() - 1;
  if (placeholders != args.size() - 1) {
    return std::string(name) + ": the format string has " + std::to_string(placeholders) +
           " placeholder(s) '{}' but " + std::to_string(args.size() - 1) + " value argument(s) follow";
  }
  return {};
}

std::string check_path_argument(std::string_view name, const std::vector<ArgInfo>& args) {
  if (!args.empty() && args[0].literal) {
    return std::string(name) + ": the argument must be a path, not the literal " + dump_json(*args[0].value);
  }
  return {};
}

// States.Format('Hello, {}!', $.name); `\{` in a literal template is a brace, not a placeholder.
R format(Invocation& call) {
  const auto& raw = call.raw_strings.empty() ? std::nullopt : call.raw_strings[0];
  const auto pieces = raw ? split_format_template(*raw, true)
                          : split_format_template(call.args[0].get_ref<const std::string&>(), false);
  if (pieces.size() - 1 != call.args.size() - 1) {
    return failure(call, "the format string has " + std::to_string(pieces.size() - 1) +
                             " placeholder(s) '{}' but " + std::to_string(call.args.size() - 1) +
                             " value argument(s) were given");
  }
  std::string out = pieces[0];
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    append_java_string(call.args[i], out);
    out += pieces[i];
  }
  return R::success(Json(std::move(out)));
}

// States.StringSplit('a,b;c', ',;') -> ["a","b","c"]. Java StringTokenizer:
// every character of the second argument is a delimiter, empty tokens are dropped.
R string_split(Invocation& call) {
  const std::string& s = call.args[0].get_ref<const std::string&>();
  const std::string& delims = call.args[1].get_ref<const std::string&>();
  std::vector<std::uint32_t> set;
  for (std::size_t i = 0; i < delims.size();) {
    auto [cp, len] = next_code_point(delims, i);
    set.push_back(cp);
    i += len;
  }
  Json out = Json::array();
  std::string token;
  for (std::size_t i = 0; i < s.size();) {
    auto [cp, len] = next_code_point(s, i);
    if (std::find(set.begin(), set.end(), cp) != set.end()) {
      if (!token.empty()) out.push_back(std::move(token));
      token.clear();
    } else {
      token.append(s, i, len);
    }
    i += len;
  }
  if (!token.empty()) out.push_back(std::move(token));
  return R::success(std::move(out));
}

// States.StringToJson('{"a":1}') -> {"a":1}; a blank string gives null (Jackson readTree).
R string_to_json(Invocation& call) {
  const std::string& s = call.args[0].get_ref<const std::string&>();
  if (s.find_first_not_of(" \t\n\r") == std::string::npos) return R::success(Json(nullptr));
  auto parsed = parse_json(s);
  if (!parsed.ok()) return failure(call, "the string is not valid JSON: " + parsed.status().message());
  Json v = std::move(parsed).value();
  // Jackson reads "-0" as the integer 0, not the double -0.0.
  if (v.is_number_float() && v.get<double>() == 0 && s.find_first_of(".eE") == std::string::npos) v = 0;
  return R::success(std::move(v));
}

// States.JsonToString($.obj) -> compact JSON text.
R json_to_string(Invocation& call) { return R::success(Json(dump_json(call.args[0]))); }

}  // namespace stepfiber::intrinsics::detail
