// JsonPath (Jayway-style JSONPath compile/select) and ReferencePath (ResultPath-style assignment).
#include "path/json_path.h"

#include <charconv>
#include <cstdint>
#include <memory>
#include <utility>

namespace stepfiber::path {
namespace {

constexpr int kMaxFilterNesting = 16;

// -1 / 0 / 1 for two JSON numbers: exact when both are integers, IEEE double
// otherwise.
int compare_numbers(const Json& a, const Json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    const bool au = a.is_number_unsigned();
    const bool bu = b.is_number_unsigned();
    if (!au && !bu) {
      const auto x = a.get<std::int64_t>();
      const auto y = b.get<std::int64_t>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (au && bu) {
      const auto x = a.get<std::uint64_t>();
      const auto y = b.get<std::uint64_t>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    // One signed, one unsigned.
    const auto s = au ? b.get<std::int64_t>() : a.get<std::int64_t>();
    const auto u = au ? a.get<std::uint64_t>() : b.get<std::uint64_t>();
    int signed_vs_unsigned = 0;
    if (s < 0 || static_cast<std::uint64_t>(s) < u) {
      signed_vs_unsigned = -1;
    } else if (static_cast<std::uint64_t>(s) > u) {
      signed_vs_unsigned = 1;
    }
    return au ? -signed_vs_unsigned : signed_vs_unsigned;
  }
  const double x = a.get<double>();
  const double y = b.get<double>();
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool parse_int(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (*begin == '+') return false;
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const char* type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "number";
    default: return "value";
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Filter expressions: `[?( ... )]`.

struct FilterNode;

/// One side of a filter comparison: a literal, `@...` or `$...`.
struct FilterOperand {
  bool is_path = false;
  bool from_root = false;  // `$...` instead of `@...`
  std::shared_ptr<JsonPath> path;
  Json literal;
};

enum class FilterOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct FilterNode {
  enum class Kind { kOr, kAnd, kNot, kExists, kCompare };
  Kind kind = Kind::kExists;
  std::vector<std::shared_ptr<const FilterNode>> children;  // Or/And/Not
  FilterOperand lhs, rhs;
  FilterOp op = FilterOp::kEq;
};

struct JsonPath::Segment {
  enum class Kind { kNames, kIndexes, kSlice, kWildcard, kFilter };
  Kind kind = Kind::kNames;
  bool scan = false;              // preceded by `..`
  std::vector<std::string> names;
  char quote = 0;                 // 0 = dotted, else `'` or `"`
  std::vector<std::int64_t> indexes;
  std::optional<std::int64_t> slice_from, slice_to;
  std::shared_ptr<const FilterNode> filter;
};

JsonPath::JsonPath() = default;
JsonPath::~JsonPath() = default;
JsonPath::JsonPath(const JsonPath&) = default;
JsonPath& JsonPath::operator=(const JsonPath&) = default;
JsonPath::JsonPath(JsonPath&&) noexcept = default;
JsonPath& JsonPath::operator=(JsonPath&&) noexcept = default;

/// What a select found: a borrowed node, or an owned value (leaf merges and
/// indefinite results).
struct SelectOutcome {
  bool found = false;
  const Json* node = nullptr;
  std::optional<Json> owned;
};

/// One top-level select in progress: the document `$` refers to, and the
/// steps left before it gives up (shared by the paths nested in filters).
struct Walk {
  const Json& root;
  const JsonPath& top;
  std::size_t left = kMaxSelectSteps;

  void charge(std::size_t steps = 1) {
    if (steps > left) throw SelectLimitExceeded(top.text());
    left -= steps;
  }
};

struct JsonPathAccess {
  static Status compile_into(std::string_view text, int nesting, JsonPath& out);
  static SelectOutcome select(const JsonPath& p, const Json& root, std::string* reason);
  /// `p` (nested in a filter of the select `w` belongs to) from `start`.
  static SelectOutcome select_within(const JsonPath& p, const Json& start, Walk& w);
  static bool is_definite(const JsonPath& p) { return p.definite_; }
  static char root(const JsonPath& p) { return p.root_; }
};

namespace {

using Segment = JsonPath::Segment;

bool is_definite_segment(const Segment& s, bool is_leaf) {
  if (s.scan) return false;
  switch (s.kind) {
    case Segment::Kind::kNames: return s.names.size() == 1 || is_leaf;
    case Segment::Kind::kIndexes: return s.indexes.size() == 1;
    default: return false;
  }
}

// ----------------------------- compiler ------------------------------------

class PathParser {
 public:
  PathParser(std::string_view text, int nesting) : text_(text), nesting_(nesting) {}

  // Parses the whole text; `root` is '$' or '@' (the latter only in filters).
  Status parse(std::vector<Segment>& out, char& root) {
    if (text_.empty()) return fail("the path is empty");
    if (text_[0] != '$' && !(nesting_ > 0 && text_[0] == '@')) {
      return fail("a path must start with '$'");
    }
    root = text_[0];
    pos_ = 1;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      bool scan = false;
      if (c == '.') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '.') {
          scan = true;
          pos_ += 2;
        } else {
          pos_ += 1;
        }
        if (pos_ >= text_.size()) {
          return fail(scan ? "the path must not end with '..'" : "the path must not end with '.'");
        }
        const char n = text_[pos_];
        if (n == '.') return fail_at("unexpected '.'");
        if (n == '[') {
          STEPFIBER_TRY(parse_bracket(out, scan));
        } else if (n == '*') {
          Segment s;
          s.kind = Segment::Kind::kWildcard;
          s.scan = scan;
          out.push_back(std::move(s));
          ++pos_;
        } else {
          STEPFIBER_TRY(parse_dotted_name(out, scan));
        }
      } else if (c == '[') {
        STEPFIBER_TRY(parse_bracket(out, false));
      } else {
        return fail_at(std::string("unexpected character '") + c + "' (expected '.' or '[')");
      }
    }
    return Status();
  }

 private:
  Status fail(std::string problem) const {
    return Status(ErrorCode::kInvalidDefinition,
                  "invalid JSONPath '" + std::string(text_) + "': " + problem);
  }
  Status fail_at(std::string problem) const {
    return fail(problem + " at position " + std::to_string(pos_));
  }

  Status parse_dotted_name(std::vector<Segment>& out, bool scan) {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '.' && text_[pos_] != '[') {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        return fail_at("whitespace in a property name (use bracket notation ['my prop'])");
      }
      if (c == '(') return fail_at("functions such as length() are not supported");
      if (c == ']' || c == '\'' || c == '"') return fail_at(std::string("unexpected '") + c + "'");
      ++pos_;
    }
    Segment s;
    s.kind = Segment::Kind::kNames;
    s.scan = scan;
    s.names.emplace_back(text_.substr(start, pos_ - start));
    out.push_back(std::move(s));
    return Status();
  }

  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }

  // At '['.
  Status parse_bracket(std::vector<Segment>& out, bool scan) {
    const std::size_t open = pos_;
    ++pos_;
    skip_spaces();
    if (pos_ >= text_.size()) {
      pos_ = open;
      return fail_at("unterminated '['");
    }
    const char c = text_[pos_];
    Segment s;
    s.scan = scan;
    if (c == '?') return parse_filter(out, scan, open);
    if (c == '\'' || c == '"') {
      s.kind = Segment::Kind::kNames;
      s.quote = c;
      while (true) {
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
          return fail_at("expected a quoted property name");
        }
        const char q = text_[pos_];
        const std::size_t start = ++pos_;
        bool escaped = false;
        while (pos_ < text_.size()) {
          const char ch = text_[pos_];
          if (escaped) {
            escaped = false;
          } else if (ch == '\\') {
            escaped = true;
          } else if (ch == q) {
            break;
          }
          ++pos_;
        }
        if (pos_ >= text_.size()) {
          pos_ = start - 1;
          return fail_at(std::string("unterminated quoted property name (missing closing ") + q + ")");
        }
        // AWS keeps backslashes literally in bracket names (recorded case
        // ESCAPE_SEQUENCES_JSONPATH: $['Test\""Name"'] reads key Test\""Name").
        s.names.emplace_back(text_.substr(start, pos_ - start));
        ++pos_;
        skip_spaces();
        if (pos_ >= text_.size()) {
          pos_ = open;
          return fail_at("unterminated '['");
        }
        if (text_[pos_] == ']') break;
        if (text_[pos_] != ',') return fail_at("expected ',' or ']' after a property name");
        ++pos_;
        skip_spaces();
      }
      ++pos_;  // ']'
      out.push_back(std::move(s));
      return Status();
    }
    const std::size_t close = text_.find(']', pos_);
    if (close == std::string_view::npos) {
      pos_ = open;
      return fail_at("unterminated '['");
    }
    const std::string_view body = trim(text_.substr(pos_, close - pos_));
    if (body.empty()) {
      pos_ = open;
      return fail_at("empty brackets");
    }
    if (body == "*") {
      s.kind = Segment::Kind::kWildcard;
    } else if (body.find(':') != std::string_view::npos) {
      const std::size_t colon = body.find(':');
      if (body.find(':', colon + 1) != std::string_view::npos) {
        pos_ = open;
        return fail_at("slice steps ([a:b:c]) are not supported");
      }
      s.kind = Segment::Kind::kSlice;
      const std::string_view from = trim(body.substr(0, colon));
      const std::string_view to = trim(body.substr(colon + 1));
      std::int64_t v = 0;
      if (!from.empty()) {
        if (!parse_int(from, v)) {
          pos_ = open;
          return fail_at("invalid slice start '" + std::string(from) + "'");
        }
        s.slice_from = v;
      }
      if (!to.empty()) {
        if (!parse_int(to, v)) {
          pos_ = open;
          return fail_at("invalid slice end '" + std::string(to) + "'");
        }
        s.slice_to = v;
      }
      if (!s.slice_from && !s.slice_to) {
        pos_ = open;
        return fail_at("a slice needs a start or an end");
      }
    } else {
      s.kind = Segment::Kind::kIndexes;
      std::string_view rest = body;
      while (true) {
        const std::size_t comma = rest.find(',');
        const std::string_view item = trim(rest.substr(0, comma));
        std::int64_t v = 0;
        if (!parse_int(item, v)) {
          pos_ = open;
          return fail_at("invalid array index '" + std::string(item) + "'");
        }
        s.indexes.push_back(v);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
      }
    }
    pos_ = close + 1;
    out.push_back(std::move(s));
    return Status();
  }

  // At '?' inside '['.
  Status parse_filter(std::vector<Segment>& out, bool scan, std::size_t open) {
    ++pos_;
    skip_spaces();
    if (pos_ >= text_.size() || text_[pos_] != '(') return fail_at("expected '(' after '[?'");
    const std::size_t expr_start = pos_ + 1;
    int depth = 0;
    char quote = 0;
    std::size_t i = pos_;
    for (; i < text_.size(); ++i) {
      const char ch = text_[i];
      if (quote) {
        if (ch == '\\') {
          ++i;
        } else if (ch == quote) {
          quote = 0;
        }
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
      } else if (ch == '(') {
        ++depth;
      } else if (ch == ')') {
        if (--depth == 0) break;
      }
    }
    if (i >= text_.size()) {
      pos_ = open;
      return fail_at("unterminated filter expression");
    }
    const std::string_view expr = text_.substr(expr_start, i - expr_start);
    pos_ = i + 1;
    skip_spaces();
    if (pos_ >= text_.size() || text_[pos_] != ']') return fail_at("expected ']' after a filter expression");
    ++pos_;
    if (nesting_ + 1 > kMaxFilterNesting) return fail("filters are nested too deeply");
    FilterParser fp(expr, nesting_ + 1);
    auto node = fp.parse_all();
    if (!node.ok()) return fail(node.status().message());
    Segment s;
    s.kind = Segment::Kind::kFilter;
    s.scan = scan;
    s.filter = std::move(node.value());
    out.push_back(std::move(s));
    return Status();
  }

  // Recursive descent over one filter expression (depth bounded by the text
  // and by kMaxFilterNesting).
  class FilterParser {
   public:
    FilterParser(std::string_view text, int nesting) : t_(text), nesting_(nesting) {}

    Result<std::shared_ptr<const FilterNode>> parse_all() {
      auto n = parse_or(0);
      if (!n.ok()) return n;
      skip();
      if (p_ != t_.size()) return err("unexpected '" + std::string(t_.substr(p_)) + "'");
      return n;
    }

   private:
    Status err(std::string m) const {
      return Status(ErrorCode::kInvalidDefinition, "invalid filter expression '" + std::string(t_) + "': " + m);
    }
    void skip() {
      while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t')) ++p_;
    }
    bool eat(std::string_view tok) {
      skip();
      if (t_.substr(p_, tok.size()) == tok) {
        p_ += tok.size();
        return true;
      }
      return false;
    }

    Result<std::shared_ptr<const FilterNode>> parse_or(int depth) {
      auto first = parse_and(depth);
      if (!first.ok()) return first;
      if (!(skip(), t_.substr(p_, 2) == "||")) return first;
      auto node = std::make_shared<FilterNode>();
      node->kind = FilterNode::Kind::kOr;
      node->children.push_back(std::move(first.value()));
      while (eat("||")) {
        auto next = parse_and(depth);
        if (!next.ok()) return next;
        node->children.push_back(std::move(next.value()));
      }
      return std::shared_ptr<const FilterNode>(node);
    }

    Result<std::shared_ptr<const FilterNode>> parse_and(int depth) {
      auto first = parse_unary(depth);
      if (!first.ok()) return first;
      if (!(skip(), t_.substr(p_, 2) == "&&")) return first;
      auto node = std::make_shared<FilterNode>();
      node->kind = FilterNode::Kind::kAnd;
      node->children.push_back(std::move(first.value()));
      while (eat("&&")) {
        auto next = parse_unary(depth);
        if (!next.ok()) return next;
        node->children.push_back(std::move(next.value()));
      }
      return std::shared_ptr<const FilterNode>(node);
    }

    Result<std::shared_ptr<const FilterNode>> parse_unary(int depth) {
      if (depth > 32) return err("too deeply nested");
      skip();
      if (p_ < t_.size() && t_[p_] == '!' && t_.substr(p_, 2) != "!=") {
        ++p_;
        auto inner = parse_unary(depth + 1);
        if (!inner.ok()) return inner;
        auto node = std::make_shared<FilterNode>();
        node->kind = FilterNode::Kind::kNot;
        node->children.push_back(std::move(inner.value()));
        return std::shared_ptr<const FilterNode>(node);
      }
      if (p_ < t_.size() && t_[p_] == '(') {
        ++p_;
        auto inner = parse_or(depth + 1);
        if (!inner.ok()) return inner;
        if (!eat(")")) return err("missing ')'");
        return inner;
      }
      return parse_relation();
    }

    Result<std::shared_ptr<const FilterNode>> parse_relation() {
      FilterOperand lhs;
      STEPFIBER_TRY(parse_operand(lhs));
      skip();
      static constexpr std::pair<std::string_view, FilterOp> kOps[] = {
          {"==", FilterOp::kEq}, {"!=", FilterOp::kNe}, {"<=", FilterOp::kLe},
          {">=", FilterOp::kGe}, {"<", FilterOp::kLt},  {">", FilterOp::kGt},
      };
      auto node = std::make_shared<FilterNode>();
      for (const auto& [tok, op] : kOps) {
        if (t_.substr(p_, tok.size()) == tok) {
          p_ += tok.size();
          node->kind = FilterNode::Kind::kCompare;
          node->op = op;
          node->lhs = std::move(lhs);
          STEPFIBER_TRY(parse_operand(node->rhs));
          return std::shared_ptr<const FilterNode>(node);
        }
      }
      if (p_ < t_.size() && t_[p_] != ')' && t_.substr(p_, 2) != "&&" && t_.substr(p_, 2) != "||") {
        return err("unsupported operator at '" + std::string(t_.substr(p_)) + "'");
      }
      if (!lhs.is_path) return err("a literal alone is not a condition");
      node->kind = FilterNode::Kind::kExists;
      node->lhs = std::move(lhs);
      return std::shared_ptr<const FilterNode>(node);
    }

    Status parse_operand(FilterOperand& out) {
      skip();
      if (p_ >= t_.size()) return err("missing operand");
      const char c = t_[p_];
      if (c == '@' || c == '$') {
        const std::size_t start = p_;
        int depth = 0;
        char quote = 0;
        while (p_ < t_.size()) {
          const char ch = t_[p_];
          if (quote) {
            if (ch == '\\') {
              ++p_;
            } else if (ch == quote) {
              quote = 0;
            }
          } else if (ch == '\'' || ch == '"') {
            quote = ch;
          } else if (ch == '[' || ch == '(') {
            ++depth;
          } else if (ch == ']' || ch == ')') {
            if (depth == 0) break;
            --depth;
          } else if (depth == 0 && (ch == ' ' || ch == '\t' || ch == '=' || ch == '!' || ch == '<' ||
                                    ch == '>' || ch == '&' || ch == '|')) {
            break;
          }
          ++p_;
        }
        if (p_ > t_.size()) p_ = t_.size();
        const std::string_view sub = t_.substr(start, p_ - start);
        auto path = std::make_shared<JsonPath>();
        STEPFIBER_TRY(JsonPathAccess::compile_into(sub, nesting_, *path));
        out.is_path = true;
        out.from_root = JsonPathAccess::root(*path) == '$';
        out.path = std::move(path);
        return Status();
      }
      if (c == '\'' || c == '"') {
        std::string s;
        ++p_;
        while (p_ < t_.size() && t_[p_] != c) {
          if (t_[p_] == '\\' && p_ + 1 < t_.size()) ++p_;
          s.push_back(t_[p_]);
          ++p_;
        }
        if (p_ >= t_.size()) return err("unterminated string literal");
        ++p_;
        out.literal = Json(std::move(s));
        return Status();
      }
      for (const auto& [word, value] :
           {std::pair<std::string_view, Json>{"true", Json(true)}, {"false", Json(false)}, {"null", Json(nullptr)}}) {
        if (t_.substr(p_, word.size()) == word) {
          p_ += word.size();
          out.literal = value;
          return Status();
        }
      }
      // Number.
      const std::size_t start = p_;
      if (p_ < t_.size() && (t_[p_] == '-' || t_[p_] == '+')) ++p_;
      bool is_float = false;
      while (p_ < t_.size() && ((t_[p_] >= '0' && t_[p_] <= '9') || t_[p_] == '.' || t_[p_] == 'e' ||
                                t_[p_] == 'E' || ((t_[p_] == '-' || t_[p_] == '+') &&
                                                  (t_[p_ - 1] == 'e' || t_[p_ - 1] == 'E')))) {
        if (t_[p_] == '.' || t_[p_] == 'e' || t_[p_] == 'E') is_float = true;
        ++p_;
      }
      std::string_view num = t_.substr(start, p_ - start);
      if (!num.empty() && num.front() == '+') num.remove_prefix(1);
      if (num.empty() || num == "-") return err("invalid operand at '" + std::string(t_.substr(start)) + "'");
      if (!is_float) {
        std::int64_t v = 0;
        if (parse_int(num, v)) {
          out.literal = Json(v);
          return Status();
        }
      }
      double d = 0;
      auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), d);
      if (ec != std::errc() || ptr != num.data() + num.size()) {
        return err("invalid number '" + std::string(num) + "'");
      }
      out.literal = Json(d);
      return Status();
    }

    std::string_view t_;
    std::size_t p_ = 0;
    int nesting_;
  };

  std::string_view text_;
  std::size_t pos_ = 0;
  int nesting_;
};

// ----------------------------- evaluator -----------------------------------

/// Appends the matches of `seg` applied to `node`. For scan segments the
/// caller visits every container of the subtree.
void apply_plain(const Segment& seg, const Json& node, Walk& w, bool in_scan,
                 std::vector<const Json*>& out);

void apply_matches(const Segment& seg, const Json& node, Walk& w, bool in_scan,
                   std::vector<const Json*>& out);

bool eval_filter(const FilterNode& f, const Json& item, Walk& w);

void apply_segment(const Segment& seg, const Json& node, Walk& w,
                   std::vector<const Json*>& out) {
  if (!seg.scan) {
    apply_plain(seg, node, w, false, out);
    return;
  }
  // Pre-order walk of the containers under `node` (iterative; the stack
  // holds iterators so each child is reached in O(1)).
  struct Frame {
    Json::const_iterator it, end;
  };
  if (!node.is_structured()) return;
  std::vector<Frame> stack;
  apply_plain(seg, node, w, true, out);
  stack.push_back({node.cbegin(), node.cend()});
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.it == f.end) {
      stack.pop_back();
      continue;
    }
    const Json& child = *f.it;
    ++f.it;
    w.charge();
    if (child.is_structured()) {
      apply_plain(seg, child, w, true, out);
      stack.push_back({child.cbegin(), child.cend()});  // may invalidate `f`
    }
  }
}

void add_index(const Json& arr, std::int64_t index, std::vector<const Json*>& out) {
  const auto len = static_cast<std::int64_t>(arr.size());
  const std::int64_t eff = index < 0 ? len + index : index;
  if (eff >= 0 && eff < len) out.push_back(&arr[static_cast<std::size_t>(eff)]);
}

void apply_plain(const Segment& seg, const Json& node, Walk& w, bool in_scan,
                 std::vector<const Json*>& out) {
  const std::size_t before = out.size();
  apply_matches(seg, node, w, in_scan, out);
  w.charge(1 + out.size() - before);
}

void apply_matches(const Segment& seg, const Json& node, Walk& w, bool in_scan,
                   std::vector<const Json*>& out) {
  switch (seg.kind) {
    case Segment::Kind::kNames:
      if (node.is_object()) {
        for (const auto& name : seg.names) {
          auto it = node.find(name);
          if (it != node.end()) out.push_back(&it.value());
        }
      }
      return;
    case Segment::Kind::kWildcard:
      if (node.is_structured()) {
        for (const auto& v : node) out.push_back(&v);
      }
      return;
    case Segment::Kind::kIndexes:
      if (node.is_array()) {
        for (auto i : seg.indexes) add_index(node, i, out);
      }
      return;
    case Segment::Kind::kSlice: {
      if (!node.is_array()) return;
      const auto len = static_cast<std::int64_t>(node.size());
      std::int64_t from = seg.slice_from.value_or(0);
      std::int64_t to = seg.slice_to.value_or(len);
      if (from < 0) from = std::max<std::int64_t>(0, len + from);
      if (to < 0) to = std::max<std::int64_t>(0, len + to);
      if (to > len) to = len;
      for (std::int64_t i = from; i < to; ++i) out.push_back(&node[static_cast<std::size_t>(i)]);
      return;
    }
    case Segment::Kind::kFilter:
      if (node.is_object()) {
        if (eval_filter(*seg.filter, node, w)) out.push_back(&node);
      } else if (node.is_array() && !in_scan) {
        for (const auto& v : node) {
          if (eval_filter(*seg.filter, v, w)) out.push_back(&v);
        }
      }
      return;
  }
}

}  // namespace

namespace {

// Builds Jayway's multi-property merge of `obj` (only present keys).
Json merge_names(const Segment& seg, const Json& obj) {
  Json merged = Json::object();
  for (const auto& name : seg.names) {
    auto it = obj.find(name);
    if (it != obj.end()) merged[name] = it.value();
  }
  return merged;
}

std::string names_fragment(const Segment& seg) {
  const char q = seg.quote ? seg.quote : '\'';
  std::string s = "[";
  for (std::size_t i = 0; i < seg.names.size(); ++i) {
    if (i) s += ",";
    s += q;
    s += seg.names[i];
    s += q;
  }
  return s + "]";
}

std::string segment_fragment(const Segment& s) {
  std::string out = s.scan ? ".." : "";
  switch (s.kind) {
    case Segment::Kind::kNames: out += names_fragment(s); break;
    case Segment::Kind::kIndexes: {
      out += "[";
      for (std::size_t i = 0; i < s.indexes.size(); ++i) {
        if (i) out += ",";
        out += std::to_string(s.indexes[i]);
      }
      out += "]";
      break;
    }
    case Segment::Kind::kSlice:
      out += "[";
      if (s.slice_from) out += std::to_string(*s.slice_from);
      out += ":";
      if (s.slice_to) out += std::to_string(*s.slice_to);
      out += "]";
      break;
    case Segment::Kind::kWildcard: out += "[*]"; break;
    case Segment::Kind::kFilter: out += "[?]"; break;
  }
  return out;
}

}  // namespace

// Definite walk with Jayway's reasons for a miss.
static SelectOutcome walk_definite(const std::vector<Segment>& segs, const Json& start,
                                   const std::string& root_text, std::string* reason) {
  SelectOutcome r;
  const Json* cur = &start;
  std::string where = root_text;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    const bool leaf = i + 1 == segs.size();
    if (s.kind == Segment::Kind::kNames) {
      if (!cur->is_object()) {
        if (reason) {
          *reason = "Expected to find an object with property " + names_fragment(s) + " in path " + where +
                    " but found '" + type_name(*cur) + "'.";
        }
        return r;
      }
      if (s.names.size() > 1) {  // leaf merge
        r.found = true;
        r.owned = merge_names(s, *cur);
        return r;
      }
      auto it = cur->find(s.names[0]);
      if (it == cur->end()) {
        if (reason) {
          if (leaf) {
            std::string full = root_text;
            for (const auto& seg : segs) full += segment_fragment(seg);
            *reason = "No results for path: " + full;
          } else {
            *reason = "Missing property in path " + where + names_fragment(s);
          }
        }
        return r;
      }
      where += names_fragment(s);
      cur = &it.value();
    } else {  // single index
      if (!cur->is_array()) {
        if (reason) {
          if (cur->is_null()) {
            *reason = "The path " + where + " is null";
          } else {
            *reason = "Filter: " + segment_fragment(s) + " can only be applied to arrays. Current context is: " +
                      dump_json(*cur);
          }
        }
        return r;
      }
      const auto len = static_cast<std::int64_t>(cur->size());
      const std::int64_t eff = s.indexes[0] < 0 ? len + s.indexes[0] : s.indexes[0];
      if (eff < 0 || eff >= len) {
        if (reason) {
          std::string full = root_text;
          for (const auto& seg : segs) full += segment_fragment(seg);
          *reason = "No results for path: " + full;
        }
        return r;
      }
      where += segment_fragment(s);
      cur = &(*cur)[static_cast<std::size_t>(eff)];
    }
  }
  r.found = true;
  r.node = cur;
  return r;
}

static Json select_indefinite(const std::vector<Segment>& segs, const Json& start, Walk& w) {
  std::vector<const Json*> cur{&start};
  std::vector<const Json*> next;
  Json result = Json::array();
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    const bool leaf = i + 1 == segs.size();
    if (leaf && s.kind == Segment::Kind::kNames && s.names.size() > 1) {
      // Jayway merges a leaf multi-property into one object per parent.
      for (const Json* n : cur) {
        if (!s.scan) {
          if (n->is_object()) result.push_back(merge_names(s, *n));
          continue;
        }
        std::vector<const Json*> objs;
        if (n->is_object()) objs.push_back(n);
        // Every object in the subtree, in walk order.
        std::vector<std::pair<Json::const_iterator, Json::const_iterator>> stack;
        if (n->is_structured()) stack.emplace_back(n->cbegin(), n->cend());
        while (!stack.empty()) {
          auto& top = stack.back();
          if (top.first == top.second) {
            stack.pop_back();
            continue;
          }
          const Json& child = *top.first;
          ++top.first;
          w.charge();
          if (child.is_object()) objs.push_back(&child);
          if (child.is_structured()) stack.emplace_back(child.cbegin(), child.cend());
        }
        w.charge(objs.size());
        for (const Json* o : objs) result.push_back(merge_names(s, *o));
      }
      return result;
    }
    next.clear();
    for (const Json* n : cur) apply_segment(s, *n, w, next);
    cur.swap(next);
  }
  for (const Json* n : cur) result.push_back(*n);
  return result;
}

namespace {

struct OperandValue {
  bool defined = false;
  const Json* ptr = nullptr;
  Json owned;
  const Json& get() const { return ptr ? *ptr : owned; }
};

}  // namespace

static OperandValue eval_operand(const FilterOperand& op, const Json& item, Walk& w) {
  OperandValue v;
  if (!op.is_path) {
    v.defined = true;
    v.ptr = &op.literal;
    return v;
  }
  const Json& start = op.from_root ? w.root : item;
  if (op.path->is_definite()) {
    SelectOutcome r = JsonPathAccess::select_within(*op.path, start, w);
    if (!r.found) return v;
    v.defined = true;
    if (r.owned) {
      v.owned = std::move(*r.owned);
    } else {
      v.ptr = r.node;
    }
    return v;
  }
  v.defined = true;
  v.owned = JsonPathAccess::select_within(*op.path, start, w).owned.value_or(Json::array());
  return v;
}

namespace {

bool filter_equal(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return compare_numbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  return a == b;
}

// nullopt when the two cannot be ordered.
std::optional<int> filter_order(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return compare_numbers(a, b);
  if (a.is_string() && b.is_string()) {
    const int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

bool eval_filter(const FilterNode& f, const Json& item, Walk& w) {
  w.charge();
  switch (f.kind) {
    case FilterNode::Kind::kOr:
      for (const auto& c : f.children) {
        if (eval_filter(*c, item, w)) return true;
      }
      return false;
    case FilterNode::Kind::kAnd:
      for (const auto& c : f.children) {
        if (!eval_filter(*c, item, w)) return false;
      }
      return true;
    case FilterNode::Kind::kNot: return !eval_filter(*f.children[0], item, w);
    case FilterNode::Kind::kExists: {
      OperandValue v = eval_operand(f.lhs, item, w);
      if (!v.defined) return false;
      if (!f.lhs.path->is_definite()) return !v.get().empty();
      return true;
    }
    case FilterNode::Kind::kCompare: {
      OperandValue l = eval_operand(f.lhs, item, w);
      OperandValue r = eval_operand(f.rhs, item, w);
      const bool both = l.defined && r.defined;
      switch (f.op) {
        case FilterOp::kEq: return both && filter_equal(l.get(), r.get());
        case FilterOp::kNe: return !(both && filter_equal(l.get(), r.get()));
        default: break;
      }
      if (!both) return false;
      const auto ord = filter_order(l.get(), r.get());
      if (!ord) return false;
      switch (f.op) {
        case FilterOp::kLt: return *ord < 0;
        case FilterOp::kLe: return *ord <= 0;
        case FilterOp::kGt: return *ord > 0;
        case FilterOp::kGe: return *ord >= 0;
        default: return false;
      }
    }
  }
  return false;
}

}  // namespace

// ------------------------------ JsonPath -----------------------------------

Result<JsonPath> JsonPath::compile(std::string_view text) {
  JsonPath p;
  STEPFIBER_TRY(JsonPathAccess::compile_into(text, 0, p));
  return p;
}

Status JsonPathAccess::compile_into(std::string_view text, int nesting, JsonPath& out) {
  std::vector<Segment> segs;
  char root = '$';
  PathParser parser(text, nesting);
  STEPFIBER_TRY(parser.parse(segs, root));
  out.text_ = std::string(text);
  out.root_ = root;
  out.definite_ = true;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (!is_definite_segment(segs[i], i + 1 == segs.size())) out.definite_ = false;
  }
  out.segments_ = std::move(segs);
  return Status();
}

SelectOutcome JsonPathAccess::select(const JsonPath& p, const Json& root, std::string* reason) {
  if (p.definite_) return walk_definite(p.segments_, root, std::string(1, p.root_), reason);
  Walk w{root, p};
  SelectOutcome r;
  r.found = true;
  r.owned = select_indefinite(p.segments_, root, w);
  return r;
}

SelectOutcome JsonPathAccess::select_within(const JsonPath& p, const Json& start, Walk& w) {
  w.charge(p.segments_.size());
  if (p.definite_) return walk_definite(p.segments_, start, std::string(1, p.root_), nullptr);
  SelectOutcome r;
  r.found = true;
  r.owned = select_indefinite(p.segments_, start, w);
  return r;
}

std::optional<Json> JsonPath::select(const Json& root) const {
  SelectOutcome r = JsonPathAccess::select(*this, root, nullptr);
  if (!r.found) return std::nullopt;
  if (r.owned) return std::move(*r.owned);
  return *r.node;
}

std::string JsonPath::explain_no_match(const Json& root) const {
  std::string reason;
  if (!definite_) return reason;
  SelectOutcome r = JsonPathAccess::select(*this, root, &reason);
  if (r.found) reason.clear();
  return reason;
}

std::string JsonPath::normalized() const {
  std::string out(1, root_);
  for (const auto& s : segments_) out += segment_fragment(s);
  return out;
}

// ---------------------------- ReferencePath --------------------------------

Result<ReferencePath> ReferencePath::compile(std::string_view text) {
  std::vector<JsonPath::Segment> segs;
  char root = '$';
  PathParser parser(text, 0);
  Status st = parser.parse(segs, root);
  if (!st.ok()) {
    return Status(ErrorCode::kInvalidDefinition,
                  "invalid reference path '" + std::string(text) + "': " + st.message());
  }
  ReferencePath p;
  p.text_ = std::string(text);
  for (const auto& s : segs) {
    auto bad = [&](const std::string& why) {
      return Status(ErrorCode::kInvalidDefinition,
                    "invalid reference path '" + std::string(text) + "': " + why +
                        " (a reference path must identify exactly one node)");
    };
    if (s.scan) return bad("deep scan '..' is not allowed");
    switch (s.kind) {
      case JsonPath::Segment::Kind::kNames: {
        if (s.names.size() != 1) return bad("a union of names is not allowed");
        if (s.quote == 0 && s.names[0].find_first_of("@,:?*") != std::string::npos) {
          return bad("the characters @ , : ? * are not allowed");
        }
        Step step;
        step.name = s.names[0];
        p.steps_.push_back(std::move(step));
        break;
      }
      case JsonPath::Segment::Kind::kIndexes: {
        if (s.indexes.size() != 1) return bad("a union of indexes is not allowed");
        if (s.indexes[0] < 0) return bad("negative indexes are not allowed");
        Step step;
        step.is_index = true;
        step.index = static_cast<std::size_t>(s.indexes[0]);
        p.steps_.push_back(std::move(step));
        break;
      }
      case JsonPath::Segment::Kind::kSlice: return bad("slices are not allowed");
      case JsonPath::Segment::Kind::kWildcard: return bad("wildcards are not allowed");
      case JsonPath::Segment::Kind::kFilter: return bad("filters are not allowed");
    }
  }
  return p;
}

bool ReferencePath::assign(Json& target, Json value) const {
  // Validate first so that a failure leaves `target` untouched.
  {
    const Json* probe = &target;
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      const Step& s = steps_[i];
      if (s.is_index) {
        if (!probe->is_array() || s.index >= probe->size()) return false;
        probe = &(*probe)[s.index];
        continue;
      }
      if (!probe->is_object()) return false;
      auto it = probe->find(s.name);
      if (it == probe->end()) {
        // Everything below is created as objects: only names can follow.
        for (std::size_t j = i + 1; j < steps_.size(); ++j) {
          if (steps_[j].is_index) return false;
        }
        break;
      }
      probe = &it.value();
    }
  }
  Json* cur = &target;
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    const Step& s = steps_[i];
    const bool last = i + 1 == steps_.size();
    if (s.is_index) {
      cur = &(*cur)[s.index];
    } else {
      auto it = cur->find(s.name);
      if (it == cur->end()) {
        // Missing intermediate objects are created; the leaf is set below.
        cur = &(*cur)[s.name];
        if (!last) *cur = Json::object();
      } else {
        cur = &it.value();
      }
    }
  }
  *cur = std::move(value);
  return true;
}

std::optional<Json> ReferencePath::get(const Json& root) const {
  const Json* cur = &root;
  for (const Step& s : steps_) {
    if (s.is_index) {
      if (!cur->is_array() || s.index >= cur->size()) return std::nullopt;
      cur = &(*cur)[s.index];
    } else {
      if (!cur->is_object()) return std::nullopt;
      auto it = cur->find(s.name);
      if (it == cur->end()) return std::nullopt;
      cur = &it.value();
    }
  }
  return *cur;
}

}  // namespace stepfiber::path
