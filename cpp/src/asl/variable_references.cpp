// DescribeStateMachine's variableReferences (variable_references.h).
#include "asl/variable_references.h"

#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace stepfiber::asl {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// The `$name` references in a path or intrinsic text, outside quoted strings.
void references_in(std::string_view text, std::set<std::string>& out) {
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (c != '$' || (i > 0 && name_char(text[i - 1]))) continue;
    std::size_t end = i + 1;
    if (end >= text.size() || !(std::isalpha(static_cast<unsigned char>(text[end])) || text[end] == '_')) continue;
    while (end < text.size() && name_char(text[end])) ++end;
    out.emplace(text.substr(i + 1, end - i - 1));
    i = end - 1;
  }
}

bool reads_variables(std::string_view key) {
  return ends_with(key, ".$") || key == "Variable" || (ends_with(key, "Path") && key != "ResultPath");
}

struct Walker {
  Json out = Json::object();

  void scope(const Json& s) {
    if (!s.is_object()) return;
    auto states = s.find("States");
    if (states == s.end() || !states->is_object()) return;
    for (auto it = states->begin(); it != states->end(); ++it) state(it.key(), it.value());
  }

  void state(const std::string& name, const Json& body) {
    if (!body.is_object()) return;
    std::set<std::string> names;
    std::vector<const Json*> nested;  // walked after this state, so it is listed first
    for (auto it = body.begin(); it != body.end(); ++it) {
      const std::string& key = it.key();
      if (key == "Branches" && it->is_array()) {
        for (const Json& b : *it) nested.push_back(&b);
      } else if (key == "ItemProcessor" || key == "Iterator") {
        nested.push_back(&*it);
      } else {
        fields(key, *it, names);
      }
    }
    if (!names.empty()) {
      Json list = Json::array();
      for (const std::string& n : names) list.push_back(n);
      out[name] = std::move(list);
    }
    for (const Json* s : nested) scope(*s);
  }

  /// A field of the state: its own value if it reads variables, and every
  /// nested field (templates, Choice rules, Catch/Retry, ItemReader).
  void fields(const std::string& key, const Json& v, std::set<std::string>& names) {
    if (v.is_string()) {
      if (reads_variables(key)) references_in(v.get_ref<const std::string&>(), names);
      return;
    }
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) fields(it.key(), it.value(), names);
    } else if (v.is_array()) {
      for (const Json& item : v) fields(key, item, names);
    }
  }
};

}  // namespace

Json variable_references(const Json& definition) {
  Walker w;
  w.scope(definition);
  return std::move(w.out);
}

}  // namespace stepfiber::asl
