// jsonata::Value: construction, object key order, JS number printing,
// JSON conversion and deep equality.
#include "jsonata/value.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <double-conversion/double-conversion.h>

#include "jsonata/unicode.h"

namespace stepfiber::jsonata {

Value Value::string(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.heap_ = std::make_shared<StringData>(std::move(s));
  return v;
}
Value Value::array(std::shared_ptr<ArrayData> a) {
  Value v;
  v.kind_ = Kind::kArray;
  v.heap_ = std::move(a);
  return v;
}
Value Value::object(std::shared_ptr<ObjectData> o) {
  Value v;
  v.kind_ = Kind::kObject;
  v.heap_ = std::move(o);
  return v;
}
Value Value::function(std::shared_ptr<FunctionData> f) {
  Value v;
  v.kind_ = Kind::kFunction;
  v.heap_ = std::move(f);
  return v;
}
Value Value::sequence() { return make_array({}, true); }

const std::string& Value::as_string() const { return static_cast<StringData*>(heap_.get())->str; }
ArrayData& Value::arr() const { return *static_cast<ArrayData*>(heap_.get()); }
ObjectData& Value::obj() const { return *static_cast<ObjectData*>(heap_.get()); }
FunctionData& Value::fn() const { return *static_cast<FunctionData*>(heap_.get()); }
bool Value::is_sequence() const { return kind_ == Kind::kArray && arr().sequence; }

Value make_array(std::vector<Value> items, bool sequence) {
  auto a = std::make_shared<ArrayData>();
  a->items = std::move(items);
  a->sequence = sequence;
  return Value::array(std::move(a));
}
Value make_object() { return Value::object(std::make_shared<ObjectData>()); }

bool is_array_index_key(std::string_view key) {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  std::uint64_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n < 4294967295ULL;
}

static std::uint64_t index_key_value(std::string_view key) {
  std::uint64_t n = 0;
  for (char c : key) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  return n;
}

void ObjectData::rebuild_index() {
  index_.reset();
  if (entries.size() <= 8) return;
  auto index = std::make_shared<Index>();
  index->reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) index->emplace(entries[i].first, i);
  index_ = std::move(index);
}

void ObjectData::reindex() {
  int_keys_ = 0;
  while (int_keys_ < entries.size() && is_array_index_key(entries[int_keys_].first)) ++int_keys_;
  rebuild_index();
}

const Value* ObjectData::find(std::string_view key) const {
  if (entries.size() <= 8 || !index_) {
    for (const auto& e : entries)
      if (e.first == key) return &e.second;
    return nullptr;
  }
  auto it = index_->find(key);
  return it == index_->end() ? nullptr : &entries[it->second].second;
}

void ObjectData::set(std::string_view key, Value v) {
  if (const Value* existing = find(key)) {
    *const_cast<Value*>(existing) = std::move(v);
    return;
  }
  insert_new(key, std::move(v));
}

void ObjectData::insert_new(std::string_view key, Value v) {
  if (!key.empty() && key[0] >= '0' && key[0] <= '9' && is_array_index_key(key)) {
    std::uint64_t k = index_key_value(key);
    std::size_t pos = 0;
    while (pos < int_keys_ && index_key_value(entries[pos].first) < k) ++pos;
    entries.insert(entries.begin() + static_cast<std::ptrdiff_t>(pos), {std::string(key), std::move(v)});
    ++int_keys_;
    rebuild_index();
    return;
  }
  entries.emplace_back(std::string(key), std::move(v));
  if (index_) {
    if (index_.use_count() > 1) {  // shared with a copy: this node gets its own
      rebuild_index();
      return;
    }
    index_->emplace(entries.back().first, entries.size() - 1);
  } else if (entries.size() > 8) {
    rebuild_index();
  }
}

void ObjectData::erase(std::string_view key) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].first == key) {
      if (i < int_keys_) --int_keys_;
      entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
      rebuild_index();
      return;
    }
  }
}

std::string number_to_js(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  char buf[64];
  double_conversion::StringBuilder sb(buf, sizeof buf);
  double_conversion::DoubleToStringConverter::EcmaScriptConverter().ToShortest(d, &sb);
  return std::string(sb.Finalize());
}

std::string number_to_js_precision15(double d) {
  if (!std::isfinite(d) || d == 0) return number_to_js(d);
  char buf[64];
  double_conversion::StringBuilder sb(buf, sizeof buf);
  double_conversion::DoubleToStringConverter::EcmaScriptConverter().ToPrecision(d, 15, &sb);
  double r = std::strtod(sb.Finalize(), nullptr);
  return number_to_js(r);
}

static void indent(std::string& out, int level) {
  out += '\n';
  out.append(static_cast<std::size_t>(level) * 2, ' ');
}

static void stringify_into(std::string& out, const Value& v, const StringifyOptions& o, int level) {
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBoolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case Kind::kNumber: {
      double d = v.as_number();
      if (!std::isfinite(d)) {
        out += o.nonfinite_tokens ? number_to_js(d) : "null";
      } else {
        out += o.precision15 ? number_to_js_precision15(d) : number_to_js(d);
      }
      return;
    }
    case Kind::kString:
      append_json_quoted(out, v.as_string());
      return;
    case Kind::kFunction:
      out += "\"\"";
      return;
    case Kind::kArray: {
      const auto& items = v.arr().items;
      out += '[';
      if (items.empty()) {
        out += ']';
        return;
      }
      bool first = true;
      for (const auto& it : items) {
        if (!first) out += ',';
        first = false;
        if (o.pretty) indent(out, level + 1);
        stringify_into(out, it, o, level + 1);
      }
      if (o.pretty) indent(out, level);
      out += ']';
      return;
    }
    case Kind::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [k, val] : v.obj().entries) {
        if (val.is_undefined()) continue;
        if (!first) out += ',';
        first = false;
        if (o.pretty) indent(out, level + 1);
        append_json_quoted(out, k);
        out += o.pretty ? ": " : ":";
        stringify_into(out, val, o, level + 1);
      }
      if (!first && o.pretty) indent(out, level);
      out += '}';
      return;
    }
  }
}

std::string stringify(const Value& v, const StringifyOptions& opts) {
  std::string out;
  stringify_into(out, v, opts, 0);
  return out;
}

bool deep_equal(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      return true;
    case Kind::kBoolean:
      return a.as_bool() == b.as_bool();
    case Kind::kNumber:
      return a.as_number() == b.as_number();
    case Kind::kString:
      return a.as_string() == b.as_string();
    case Kind::kFunction:
      return a.node() == b.node();
    case Kind::kArray: {
      const auto& x = a.arr().items;
      const auto& y = b.arr().items;
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!deep_equal(x[i], y[i])) return false;
      return true;
    }
    case Kind::kObject: {
      const auto& x = a.obj();
      const auto& y = b.obj();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.entries) {
        const Value* o = y.find(k);
        if (!o || !deep_equal(v, *o)) return false;
      }
      return true;
    }
  }
  return false;
}

Value from_json(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      return Value::null();
    case Json::value_t::boolean:
      return Value::boolean(j.get<bool>());
    case Json::value_t::number_integer:
      return Value::number(static_cast<double>(j.get<std::int64_t>()));
    case Json::value_t::number_unsigned:
      return Value::number(static_cast<double>(j.get<std::uint64_t>()));
    case Json::value_t::number_float:
      return Value::number(j.get<double>());
    case Json::value_t::string:
      return Value::string(j.get<std::string>());
    case Json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(from_json(e));
      return make_array(std::move(items));
    }
    case Json::value_t::object: {
      auto o = std::make_shared<ObjectData>();
      for (auto it = j.begin(); it != j.end(); ++it) o->set(it.key(), from_json(it.value()));
      return Value::object(std::move(o));
    }
    case Json::value_t::binary:
      return Value::null();
  }
  return Value::null();
}

Json to_json(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      return Json();
    case Kind::kBoolean:
      return Json(v.as_bool());
    case Kind::kNumber: {
      double d = v.as_number();
      if (!std::isfinite(d)) return Json();
      if (d == std::floor(d) && std::fabs(d) < 9007199254740992.0) return Json(static_cast<std::int64_t>(d));
      return Json(d);
    }
    case Kind::kString:
      return Json(v.as_string());
    case Kind::kFunction:
      return Json("");
    case Kind::kArray: {
      Json a = Json::array();
      for (const auto& e : v.arr().items) a.push_back(to_json(e));
      return a;
    }
    case Kind::kObject: {
      Json o = Json::object();
      for (const auto& [k, e] : v.obj().entries)
        if (!e.is_undefined()) o[k] = to_json(e);
      return o;
    }
  }
  return Json();
}

namespace {

// A small recursive JSON reader straight into Values (depth-limited as
// parse_json is: kMaxJsonDepth).
struct JsonReader {
  std::string_view s;
  std::size_t i = 0;
  std::string err;
  int depth = 0;

  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  bool fail(const char* m) {
    if (err.empty()) err = std::string(m) + " at offset " + std::to_string(i);
    return false;
  }
  bool hex4(unsigned& out) {
    if (i + 4 > s.size()) return fail("bad \\u escape");
    out = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s[i++];
      out <<= 4;
      if (c >= '0' && c <= '9') out |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') out |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') out |= static_cast<unsigned>(c - 'A' + 10);
      else return fail("bad \\u escape");
    }
    return true;
  }
  bool str(std::string& out) {
    ++i;  // opening quote
    while (true) {
      if (i >= s.size()) return fail("unterminated string");
      char c = s[i];
      if (c == '"') {
        ++i;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
      if (c != '\\') {
        out += c;
        ++i;
        continue;
      }
      ++i;
      if (i >= s.size()) return fail("bad escape");
      char e = s[i++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < s.size() && s[i] == '\\' && s[i + 1] == 'u') {
            std::size_t save = i;
            i += 2;
            unsigned lo = 0;
            if (!hex4(lo)) return false;
            if (lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              i = save;
            }
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return fail("bad escape");
      }
    }
  }
  bool value(Value& out) {
    ws();
    if (i >= s.size()) return fail("unexpected end of input");
    char c = s[i];
    if (c == '{' || c == '[') {
      if (++depth > static_cast<int>(kMaxJsonDepth)) return fail(nesting_depth_message().c_str());
    }
    if (c == '{') {
      ++i;
      auto o = std::make_shared<ObjectData>();
      ws();
      if (i < s.size() && s[i] == '}') {
        ++i;
      } else {
        while (true) {
          ws();
          if (i >= s.size() || s[i] != '"') return fail("expected string key");
          std::string k;
          if (!str(k)) return false;
          ws();
          if (i >= s.size() || s[i] != ':') return fail("expected ':'");
          ++i;
          Value v;
          if (!value(v)) return false;
          o->set(k, std::move(v));
          ws();
          if (i < s.size() && s[i] == ',') {
            ++i;
            continue;
          }
          if (i < s.size() && s[i] == '}') {
            ++i;
            break;
          }
          return fail("expected ',' or '}'");
        }
      }
      --depth;
      out = Value::object(std::move(o));
      return true;
    }
    if (c == '[') {
      ++i;
      std::vector<Value> items;
      ws();
      if (i < s.size() && s[i] == ']') {
        ++i;
      } else {
        while (true) {
          Value v;
          if (!value(v)) return false;
          items.push_back(std::move(v));
          ws();
          if (i < s.size() && s[i] == ',') {
            ++i;
            continue;
          }
          if (i < s.size() && s[i] == ']') {
            ++i;
            break;
          }
          return fail("expected ',' or ']'");
        }
      }
      --depth;
      out = make_array(std::move(items));
      return true;
    }
    if (c == '"') {
      std::string x;
      if (!str(x)) return false;
      out = Value::string(std::move(x));
      return true;
    }
    auto word = [&](std::string_view w) {
      if (s.substr(i, w.size()) == w) {
        i += w.size();
        return true;
      }
      return false;
    };
    if (word("true")) { out = Value::boolean(true); return true; }
    if (word("false")) { out = Value::boolean(false); return true; }
    if (word("null")) { out = Value::null(); return true; }
    if (word("NaN")) { out = Value::number(std::nan("")); return true; }
    if (word("Infinity")) { out = Value::number(HUGE_VAL); return true; }
    if (word("-Infinity")) { out = Value::number(-HUGE_VAL); return true; }
    std::size_t st = i;
    if (i < s.size() && s[i] == '-') ++i;
    if (i >= s.size() || !(s[i] >= '0' && s[i] <= '9')) return fail("unexpected character");
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == 'e' || s[i] == 'E' ||
                            s[i] == '+' || s[i] == '-'))
      ++i;
    std::string num(s.substr(st, i - st));
    char* end = nullptr;
    double d = std::strtod(num.c_str(), &end);
    if (end != num.c_str() + num.size()) return fail("bad number");
    out = Value::number(d);
    return true;
  }
};

}  // namespace

bool from_json_text(std::string_view text, Value* out, std::string* error) {
  JsonReader r;
  r.s = text;
  Value v;
  if (!r.value(v)) {
    if (error) *error = r.err;
    return false;
  }
  r.ws();
  if (r.i != text.size()) {
    if (error) *error = "trailing content at offset " + std::to_string(r.i);
    return false;
  }
  *out = std::move(v);
  return true;
}

Value deep_clone(const Value& v) {
  if (v.is_array()) {
    auto a = std::make_shared<ArrayData>();
    const auto& src = v.arr();
    a->items.reserve(src.items.size());
    for (const auto& e : src.items) a->items.push_back(deep_clone(e));
    a->sequence = src.sequence;
    a->keep_singleton = src.keep_singleton;
    a->outer_wrapper = src.outer_wrapper;
    a->cons = src.cons;
    return Value::array(std::move(a));
  }
  if (v.is_object()) {
    auto o = std::make_shared<ObjectData>();
    for (const auto& [k, e] : v.obj().entries) o->set(k, deep_clone(e));
    return Value::object(std::move(o));
  }
  return v;
}

}  // namespace stepfiber::jsonata
