// Builds the Model tables from the generated, pruned botocore model.
#include "api/model.h"

#include <algorithm>
#include <stdexcept>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "stepfiber/json.h"

namespace stepfiber::api {
namespace {

#include "api/model_generated.inc"

Shape::Type type_of(const std::string& t) {
  if (t == "structure") return Shape::Type::kStructure;
  if (t == "string") return Shape::Type::kString;
  if (t == "integer") return Shape::Type::kInteger;
  if (t == "long") return Shape::Type::kLong;
  if (t == "boolean") return Shape::Type::kBoolean;
  if (t == "timestamp") return Shape::Type::kTimestamp;
  if (t == "list") return Shape::Type::kList;
  if (t == "map") return Shape::Type::kMap;
  if (t == "blob") return Shape::Type::kBlob;
  if (t == "float") return Shape::Type::kFloat;
  if (t == "double") return Shape::Type::kDouble;
  throw std::logic_error("model: unknown shape type " + t);
}

/// Java regex -> PCRE2: the POSIX-style classes Java spells \p{Name}.
std::string to_pcre2(const std::string& java) {
  std::string out;
  for (std::size_t i = 0; i < java.size(); ++i) {
    if (java.compare(i, 9, "\\p{ASCII}") == 0) {
      out += "[\\x00-\\x7F]";
      i += 8;
    } else {
      out += java[i];
    }
  }
  return out;
}

}  // namespace

Pattern::Pattern(std::string source) : source_(std::move(source)) {
  const std::string pcre = to_pcre2(source_);
  int err = 0;
  PCRE2_SIZE offset = 0;
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pcre.data()), pcre.size(),
                        PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &err, &offset, nullptr);
  if (code_ == nullptr) throw std::logic_error("model: bad pattern " + source_);
}

Pattern::~Pattern() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

bool Pattern::matches(std::string_view text) const {
  auto* code = static_cast<pcre2_code*>(code_);
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
  // Invalid UTF-8 never reaches here (requests are parsed JSON), but check anyway.
  const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, md, nullptr);
  pcre2_match_data_free(md);
  return rc >= 0;
}

const Member* Shape::find_member(std::string_view n) const noexcept {
  for (const auto& m : members) {
    if (m.name == n) return &m;
  }
  return nullptr;
}

const Model& Model::get() {
  static const Model model;
  return model;
}

Model::Model() : text_(kModelJson), botocore_version_(kBotocoreVersion) {
  const Json doc = Json::parse(text_);
  target_prefix_ = doc["metadata"]["targetPrefix"].get<std::string>();
  // Two passes: create every shape, then link members to their targets.
  for (const auto& [name, s] : doc["shapes"].items()) {
    auto shape = std::make_unique<Shape>();
    shape->name = name;
    shape->type = type_of(s["type"].get<std::string>());
    if (s.contains("min")) shape->min = s["min"].get<double>();
    if (s.contains("max")) shape->max = s["max"].get<double>();
    if (s.contains("pattern")) shape->pattern = std::make_unique<Pattern>(s["pattern"].get<std::string>());
    if (s.contains("enum")) shape->enum_values = s["enum"].get<std::vector<std::string>>();
    shape->sensitive = s.value("sensitive", false);
    shape->exception = s.value("exception", false);
    shapes_.emplace(name, std::move(shape));
  }
  for (const auto& [name, s] : doc["shapes"].items()) {
    Shape& shape = *shapes_.at(name);
    if (s.contains("members")) {
      std::vector<std::string> required;
      if (s.contains("required")) required = s["required"].get<std::vector<std::string>>();
      for (const auto& [mname, m] : s["members"].items()) {
        Member member;
        member.name = mname;
        member.shape = shapes_.at(m["shape"].get<std::string>()).get();
        member.required = std::find(required.begin(), required.end(), mname) != required.end();
        shape.members.push_back(std::move(member));
      }
    }
    if (s.contains("member")) shape.member = shapes_.at(s["member"].get<std::string>()).get();
    if (s.contains("key")) shape.key = shapes_.at(s["key"].get<std::string>()).get();
    if (s.contains("value")) shape.value = shapes_.at(s["value"].get<std::string>()).get();
  }
  for (const auto& [name, o] : doc["operations"].items()) {
    auto op = std::make_unique<Operation>();
    op->name = name;
    if (!o["input"].is_null()) op->input = shapes_.at(o["input"].get<std::string>()).get();
    if (!o["output"].is_null()) op->output = shapes_.at(o["output"].get<std::string>()).get();
    op->errors = o["errors"].get<std::vector<std::string>>();
    op->host_prefix = o.value("hostPrefix", "");
    ordered_ops_.push_back(op.get());
    ops_.emplace(name, std::move(op));
  }
}

const Operation* Model::operation(std::string_view name) const noexcept {
  auto it = ops_.find(std::string(name));
  return it == ops_.end() ? nullptr : it->second.get();
}

const Shape* Model::shape(std::string_view name) const noexcept {
  auto it = shapes_.find(std::string(name));
  return it == shapes_.end() ? nullptr : it->second.get();
}

}  // namespace stepfiber::api
