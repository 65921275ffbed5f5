// Text -> Json through simdjson (the only place simdjson is used for payloads),
// plus the shared serialisation helpers.
#include "stepfiber/json.h"

#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

namespace stepfiber {
namespace {

// One parser per thread: simdjson reuses its buffers (doc/performance.md).
// simdjson's depth limit is one above ours: with max_depth D it accepts D-1
// levels around a scalar and D around an empty container (which it does not
// count), measured with simdjson 3.0.1. So it stops anything far too deep
// early, and convert() draws the exact line at kMaxJsonDepth, as Jackson
// does. parse() keeps the max_depth of the first allocation when it grows.
simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser p;
    if (p.allocate(4096, kMaxJsonDepth + 1) != simdjson::SUCCESS) throw std::bad_alloc();
    return p;
  }();
  return parser;
}

Json scalar_to_json(simdjson::dom::element el) {
  using simdjson::dom::element_type;
  switch (el.type()) {
    case element_type::STRING: {
      std::string_view s = el.get_string().value_unsafe();
      return Json(std::string(s));
    }
    case element_type::INT64: return Json(el.get_int64().value_unsafe());
    case element_type::UINT64: return Json(el.get_uint64().value_unsafe());
    case element_type::DOUBLE: return Json(el.get_double().value_unsafe());
    case element_type::BOOL: return Json(el.get_bool().value_unsafe());
    case element_type::NULL_VALUE: return Json(nullptr);
    default: return Json();  // containers are handled by the caller
  }
}

// Duplicate keys: the last value wins, at the first key's position (as
// Jackson's LinkedHashMap-backed ObjectNode does).
void fold_duplicate_keys(Json& object) {
  auto& members = object.get_ref<Json::object_t&>();
  if (members.size() < 2) return;
  std::unordered_map<std::string_view, std::size_t> first;
  first.reserve(members.size());
  bool duplicates = false;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (!first.emplace((members.begin() + static_cast<std::ptrdiff_t>(i))->first, i).second) {
      duplicates = true;
      break;
    }
  }
  if (!duplicates) return;
  Json::object_t folded;
  std::unordered_map<std::string, std::size_t> index;
  for (auto& [key, value] : members) {
    auto [it, inserted] = index.emplace(key, folded.size());
    if (inserted) {
      folded.emplace_back(key, std::move(value));
    } else {
      (folded.begin() + static_cast<std::ptrdiff_t>(it->second))->second = std::move(value);
    }
  }
  members = std::move(folded);
}

// Iterative conversion: stack use stays constant whatever the shape of the
// document. False when containers nest deeper than kMaxJsonDepth (the open
// frames are the depth).
bool convert(simdjson::dom::element root, Json& out) {
  using simdjson::dom::element_type;
  struct Frame {
    Json* target;
    bool is_object;
    simdjson::dom::object::iterator obj_it, obj_end;
    simdjson::dom::array::iterator arr_it, arr_end;
  };
  auto make_container = [](simdjson::dom::element el) {
    return el.type() == element_type::OBJECT ? Json::object() : Json::array();
  };
  auto is_container = [](simdjson::dom::element el) {
    return el.type() == element_type::OBJECT || el.type() == element_type::ARRAY;
  };
  if (!is_container(root)) {
    out = scalar_to_json(root);
    return true;
  }
  out = make_container(root);
  std::vector<Frame> stack;
  auto push = [&](Json* target, simdjson::dom::element el) {
    Frame f{};
    f.target = target;
    f.is_object = el.type() == element_type::OBJECT;
    if (f.is_object) {
      simdjson::dom::object o = el.get_object().value_unsafe();
      f.obj_it = o.begin();
      f.obj_end = o.end();
    } else {
      simdjson::dom::array a = el.get_array().value_unsafe();
      f.arr_it = a.begin();
      f.arr_end = a.end();
    }
    stack.push_back(f);
  };
  push(&out, root);
  while (!stack.empty()) {
    Frame& f = stack.back();
    simdjson::dom::element child;
    Json* slot = nullptr;
    if (f.is_object) {
      if (f.obj_it == f.obj_end) {
        fold_duplicate_keys(*f.target);
        stack.pop_back();
        continue;
      }
      auto kv = *f.obj_it;
      ++f.obj_it;
      child = kv.value;
      // Append without ordered_map's linear key search (quadratic on wide
      // objects); duplicates are folded when the object is complete.
      auto& members = f.target->get_ref<Json::object_t&>();
      members.emplace_back(std::string(kv.key), Json());
      slot = &members.back().second;
    } else {
      if (f.arr_it == f.arr_end) { stack.pop_back(); continue; }
      child = *f.arr_it;
      ++f.arr_it;
      f.target->push_back(Json());
      slot = &f.target->back();
    }
    if (is_container(child)) {
      if (stack.size() == kMaxJsonDepth) return false;
      *slot = make_container(child);
      push(slot, child);  // may invalidate f; it is not used after this
    } else {
      *slot = scalar_to_json(child);
    }
  }
  return true;
}

}  // namespace

Result<Json> parse_json(std::string_view text, ErrorCode error_code) {
  simdjson::dom::parser& parser = thread_parser();
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  auto err = parser.parse(padded).get(root);
  if (err) {
    std::string why = simdjson::error_message(err);
    if (err == simdjson::DEPTH_ERROR) return Result<Json>(error_code, nesting_depth_message());
    return Result<Json>(error_code, "Invalid JSON: " + why);
  }
  Json value;
  if (!convert(root, value)) return Result<Json>(error_code, nesting_depth_message());
  return value;
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void append_json_string(std::string& out, const std::string& s) {
  // The same bytes as nlohmann's dump() of a string node (a test compares
  // them). ASCII text is escaped here without allocating; anything with a
  // byte >= 0x80 goes through nlohmann's escaper, which validates UTF-8
  // and replaces invalid sequences (its escaper is private, hence the copy).
  const std::size_t start = out.size();
  out.reserve(start + s.size() + 2);
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      out.resize(start);
      out += Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
    }
    append_json_escaped_ascii(out, c);
  }
  out += '"';
}

void JsonObjectText::key(std::string_view key) {
  if (text_.size() > 1) text_ += ',';
  text_ += '"';
  text_ += key;
  text_ += "\":";
}

JsonObjectText& JsonObjectText::string(std::string_view key_name, const std::string& value) {
  key(key_name);
  append_json_string(text_, value);
  return *this;
}

JsonObjectText& JsonObjectText::json(std::string_view key_name, std::string_view json_text) {
  key(key_name);
  text_ += json_text;
  return *this;
}

JsonObjectText& JsonObjectText::number(std::string_view key_name, std::int64_t value) {
  key(key_name);
  text_ += std::to_string(value);
  return *this;
}

std::string JsonObjectText::finish() && {
  text_ += '}';
  return std::move(text_);
}

const char* asl_type_name(const Json& v) noexcept {
  switch (v.type()) {
    case Json::value_t::null: return "NULL";
    case Json::value_t::object: return "OBJECT";
    case Json::value_t::array: return "ARRAY";
    case Json::value_t::boolean: return "BOOLEAN";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "INTEGER";
    case Json::value_t::number_float: return "NUMBER";
    default: return "STRING";
  }
}

std::size_t json_depth(const Json& value) {
  std::size_t max_depth = 0;
  std::vector<std::pair<const Json*, std::size_t>> stack{{&value, 0}};
  while (!stack.empty()) {
    auto [v, d] = stack.back();
    stack.pop_back();
    if (!v->is_structured()) continue;
    if (d + 1 > max_depth) max_depth = d + 1;
    for (const auto& child : *v) stack.emplace_back(&child, d + 1);
  }
  return max_depth;
}

}  // namespace stepfiber
