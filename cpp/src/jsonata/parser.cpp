// JSONata parser: tokenizer, Pratt parser and jsonata-js's AST post-pass
// (path steps, predicates, group-by, sort, focus/index binds, parent slots,
// keepArray, tail-call thunks).
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include "jsonata/ast.h"
#include "jsonata/errors.h"
#include "jsonata/regex.h"
#include "jsonata/signature.h"
#include "jsonata/unicode.h"

namespace stepfiber::jsonata {

namespace {

int binding_power(std::string_view op) {
  static const std::pair<std::string_view, int> table[] = {
      {".", 75}, {"[", 80}, {"{", 70}, {"(", 80}, {"@", 80}, {"#", 80}, {"?", 20}, {"+", 50},
      {"-", 50}, {"*", 60}, {"/", 60}, {"%", 60}, {"=", 40}, {"<", 40}, {">", 40}, {"^", 40},
      {"!=", 40}, {"<=", 40}, {">=", 40}, {"~>", 40}, {":=", 10}, {"and", 30}, {"or", 25},
      {"in", 40}, {"&", 50}};
  for (const auto& [k, v] : table)
    if (k == op) return v;
  return 0;
}

bool is_operator_char(char c) {
  switch (c) {
    case '.': case '[': case ']': case '{': case '}': case '(': case ')': case ',': case '@':
    case '#': case ';': case ':': case '?': case '+': case '-': case '*': case '/': case '%':
    case '|': case '=': case '<': case '>': case '^': case '&': case '!': case '~':
      return true;
    default:
      return false;
  }
}

bool is_known_operator(std::string_view op) {
  static const std::string_view ops[] = {".", "[", "]", "{", "}", "(", ")", ",", "@", "#", ";", ":", "?",
                                         "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "**", "..",
                                         ":=", "!=", "<=", ">=", "~>", "and", "or", "in", "&"};
  for (auto o : ops)
    if (o == op) return true;
  return false;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'; }

const char* type_name(NodeType t) {
  switch (t) {
    case NodeType::kEnd: return "(end)";
    case NodeType::kOperator: return "operator";
    case NodeType::kName: return "name";
    case NodeType::kVariable: return "variable";
    case NodeType::kString: return "string";
    case NodeType::kNumber: return "number";
    case NodeType::kValue: return "value";
    case NodeType::kRegex: return "regex";
    case NodeType::kBinary: return "binary";
    case NodeType::kUnary: return "unary";
    case NodeType::kWildcard: return "wildcard";
    case NodeType::kDescendant: return "descendant";
    case NodeType::kParent: return "parent";
    case NodeType::kFunction: return "function";
    case NodeType::kPartial: return "partial";
    case NodeType::kLambda: return "lambda";
    case NodeType::kBlock: return "block";
    case NodeType::kCondition: return "condition";
    case NodeType::kTransform: return "transform";
    case NodeType::kPath: return "path";
    case NodeType::kBind: return "bind";
    case NodeType::kApply: return "apply";
    case NodeType::kSort: return "sort";
  }
  return "?";
}

class Parser {
 public:
  Parser(std::string_view src, Ast& ast, const ParseOptions& opts) : src_(src), ast_(ast), opts_(opts) {}

  Node* run() {
    advance();
    Node* expr = expression(0);
    if (node_->type != NodeType::kEnd) {
      throw_error_at("S0201", node_->position, token_value(node_));
    }
    expr = process(expr);
    if (expr->type == NodeType::kParent || expr->has_seeking_parent) {
      throw_error_at("S0217", expr->position, Value::string(type_name(expr->type)));
    }
    return expr;
  }

 private:
  // ---- tokenizer -------------------------------------------------------
  // UTF-16 offset of a byte offset (incremental: tokens move forward).
  int pos16(std::size_t byte_offset) const {
    byte_offset = std::min(byte_offset, src_.size());
    if (byte_offset < cache_byte_) {
      cache_byte_ = 0;
      cache_pos16_ = 0;
    }
    cache_pos16_ += utf16_length(src_.substr(cache_byte_, byte_offset - cache_byte_));
    cache_byte_ = byte_offset;
    return static_cast<int>(cache_pos16_);
  }

  Node* create(NodeType type, std::string value) {
    Node* n = ast_.make();
    n->type = type;
    n->value = std::move(value);
    n->position = pos16(pos_);
    return n;
  }

  Node* scan_regex() {
    std::size_t start = pos_;
    int depth = 0;
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '/' && depth == 0) {
        int backslashes = 0;
        while (pos_ >= static_cast<std::size_t>(backslashes + 1) &&
               src_[pos_ - static_cast<std::size_t>(backslashes + 1)] == '\\')
          ++backslashes;
        if (backslashes % 2 == 0) {
          std::string pattern(src_.substr(start, pos_ - start));
          if (pattern.empty()) throw_error_at("S0301", pos16(pos_), Value());
          ++pos_;
          std::size_t fstart = pos_;
          while (pos_ < src_.size() && (src_[pos_] == 'i' || src_[pos_] == 'm')) ++pos_;
          std::string flags(src_.substr(fstart, pos_ - fstart));
          std::string err;
          auto re = Regex::compile(pattern, flags, &err);
          if (!re) {
            Error e;
            e.code = "S0302";
            e.position = pos16(pos_);
            e.value = Value::string(err);
            throw ErrorException(std::move(e));
          }
          Node* n = create(NodeType::kRegex, pattern);
          n->regex = std::move(re);
          return n;
        }
      }
      if ((c == '(' || c == '[' || c == '{') && (pos_ == 0 || src_[pos_ - 1] != '\\')) ++depth;
      if ((c == ')' || c == ']' || c == '}') && (pos_ == 0 || src_[pos_ - 1] != '\\')) --depth;
      ++pos_;
    }
    throw_error_at("S0302", pos16(pos_), Value());
  }

  // Returns nullptr at the end of input.
  Node* lex(bool prefix) {
    while (true) {
      if (pos_ >= src_.size()) return nullptr;
      while (pos_ < src_.size() && is_space(src_[pos_])) ++pos_;
      if (pos_ + 1 < src_.size() && src_[pos_] == '/' && src_[pos_ + 1] == '*') {
        std::size_t comment_start = pos_;
        pos_ += 2;
        while (!(pos_ + 1 < src_.size() && src_[pos_] == '*' && src_[pos_ + 1] == '/')) {
          ++pos_;
          if (pos_ >= src_.size()) throw_error_at("S0106", pos16(comment_start), Value());
        }
        pos_ += 2;
        continue;
      }
      break;
    }
    if (pos_ >= src_.size()) return nullptr;
    char c = src_[pos_];
    auto next = [&](std::size_t k) { return pos_ + k < src_.size() ? src_[pos_ + k] : '\0'; };
    if (!prefix && c == '/') {
      ++pos_;
      return scan_regex();
    }
    static const std::string_view two[] = {"..", ":=", "!=", ">=", "<=", "**", "~>"};
    for (auto t : two) {
      if (c == t[0] && next(1) == t[1]) {
        pos_ += 2;
        return create(NodeType::kOperator, std::string(t));
      }
    }
    if (is_operator_char(c)) {
      ++pos_;
      return create(NodeType::kOperator, std::string(1, c));
    }
    if (c == '"' || c == '\'') {
      char quote = c;
      ++pos_;
      std::string s;
      while (pos_ < src_.size()) {
        char ch = src_[pos_];
        if (ch == '\\') {
          ++pos_;
          char e = pos_ < src_.size() ? src_[pos_] : '\0';
          switch (e) {
            case '"': s += '"'; break;
            case '\\': s += '\\'; break;
            case '/': s += '/'; break;
            case 'b': s += '\b'; break;
            case 'f': s += '\f'; break;
            case 'n': s += '\n'; break;
            case 'r': s += '\r'; break;
            case 't': s += '\t'; break;
            case 'u': {
              bool ok = pos_ + 4 < src_.size();
              unsigned cp = 0;
              for (int k = 1; ok && k <= 4; ++k) {
                char h = src_[pos_ + static_cast<std::size_t>(k)];
                cp <<= 4;
                if (h >= '0' && h <= '9') cp |= static_cast<unsigned>(h - '0');
                else if (h >= 'a' && h <= 'f') cp |= static_cast<unsigned>(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F') cp |= static_cast<unsigned>(h - 'A' + 10);
                else ok = false;
              }
              if (!ok) throw_error_at("S0104", pos16(pos_), Value());
              pos_ += 4;
              // Combine a surrogate pair written as two escapes.
              if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 6 < src_.size() + 1 && src_.substr(pos_ + 1, 2) == "\\u") {
                unsigned lo = 0;
                bool ok2 = pos_ + 6 < src_.size();
                for (int k = 3; ok2 && k <= 6; ++k) {
                  char h = src_[pos_ + static_cast<std::size_t>(k)];
                  lo <<= 4;
                  if (h >= '0' && h <= '9') lo |= static_cast<unsigned>(h - '0');
                  else if (h >= 'a' && h <= 'f') lo |= static_cast<unsigned>(h - 'a' + 10);
                  else if (h >= 'A' && h <= 'F') lo |= static_cast<unsigned>(h - 'A' + 10);
                  else ok2 = false;
                }
                if (ok2 && lo >= 0xDC00 && lo < 0xE000) {
                  cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                  pos_ += 6;
                }
              }
              append_utf8(s, cp);
              break;
            }
            default: {
              std::size_t at = pos_;
              std::size_t end = at + 1;
              while (end < src_.size() && (static_cast<unsigned char>(src_[end]) & 0xC0) == 0x80) ++end;
              throw_error_at("S0103", pos16(at), Value::string(std::string(src_.substr(at, end - at))));
            }
          }
        } else if (ch == quote) {
          ++pos_;
          Node* n = create(NodeType::kString, "");
          n->literal = Value::string(s);
          n->value = std::move(s);
          return n;
        } else {
          s += ch;
        }
        ++pos_;
      }
      throw_error_at("S0101", pos16(pos_), Value());
    }
    // numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?
    {
      std::size_t i = pos_;
      if (i < src_.size() && src_[i] == '-') ++i;
      bool ok = false;
      if (i < src_.size() && src_[i] == '0') {
        ++i;
        ok = true;
      } else if (i < src_.size() && src_[i] >= '1' && src_[i] <= '9') {
        while (i < src_.size() && src_[i] >= '0' && src_[i] <= '9') ++i;
        ok = true;
      }
      if (ok) {
        if (i + 1 < src_.size() && src_[i] == '.' && src_[i + 1] >= '0' && src_[i + 1] <= '9') {
          ++i;
          while (i < src_.size() && src_[i] >= '0' && src_[i] <= '9') ++i;
        }
        if (i < src_.size() && (src_[i] == 'e' || src_[i] == 'E')) {
          std::size_t j = i + 1;
          if (j < src_.size() && (src_[j] == '+' || src_[j] == '-')) ++j;
          if (j < src_.size() && src_[j] >= '0' && src_[j] <= '9') {
            while (j < src_.size() && src_[j] >= '0' && src_[j] <= '9') ++j;
            i = j;
          }
        }
        std::string text(src_.substr(pos_, i - pos_));
        double d = std::strtod(text.c_str(), nullptr);
        if (!std::isfinite(d)) throw_error_at("S0102", pos16(pos_), Value::string(text));
        pos_ = i;
        Node* n = create(NodeType::kNumber, text);
        n->literal = Value::number(d);
        return n;
      }
    }
    if (c == '`') {
      ++pos_;
      std::size_t end = src_.find('`', pos_);
      if (end != std::string_view::npos) {
        std::string name(src_.substr(pos_, end - pos_));
        pos_ = end + 1;
        return create(NodeType::kName, std::move(name));
      }
      pos_ = src_.size();
      throw_error_at("S0105", pos16(pos_), Value());
    }
    std::size_t i = pos_;
    while (i < src_.size() && !is_space(src_[i]) && !is_operator_char(src_[i])) ++i;
    if (src_[pos_] == '$') {
      std::string name(src_.substr(pos_ + 1, i - pos_ - 1));
      pos_ = i;
      return create(NodeType::kVariable, std::move(name));
    }
    std::string name(src_.substr(pos_, i - pos_));
    pos_ = i;
    if (name == "or" || name == "in" || name == "and") return create(NodeType::kOperator, name);
    if (name == "true" || name == "false" || name == "null") {
      Node* n = create(NodeType::kValue, name);
      n->literal = name == "null" ? Value::null() : Value::boolean(name == "true");
      return n;
    }
    if (pos_ == src_.size() && name.empty()) return nullptr;
    return create(NodeType::kName, std::move(name));
  }

  // ---- Pratt parser ----------------------------------------------------
  static bool is_op(const Node* n, std::string_view op) { return n->type == NodeType::kOperator && n->value == op; }

  // jsonata-js's `node.id`.
  static std::string id_of(const Node* n) {
    switch (n->type) {
      case NodeType::kEnd: return "(end)";
      case NodeType::kOperator: return n->value;
      case NodeType::kName:
      case NodeType::kVariable: return "(name)";
      case NodeType::kRegex: return "(regex)";
      default: return "(literal)";
    }
  }

  static Value token_value(const Node* n) {
    if (n->type == NodeType::kEnd) return Value::string("(end)");
    if (n->type == NodeType::kNumber || n->type == NodeType::kValue) return n->literal;
    return Value::string(n->value);
  }

  int lbp(const Node* n) const { return n->type == NodeType::kOperator ? binding_power(n->value) : 0; }

  Node* advance(const char* id = nullptr, bool infix = false) {
    if (id && id_of(node_) != id) {
      Error e;
      e.code = node_->type == NodeType::kEnd ? "S0203" : "S0202";
      e.position = node_->position;
      e.token = token_value(node_);
      e.value = Value::string(id);
      throw ErrorException(std::move(e));
    }
    Node* t = lex(infix);
    if (!t) {
      Node* end = ast_.make();
      end->type = NodeType::kEnd;
      end->value = "(end)";
      end->position = pos16(src_.size());
      node_ = end;
      return node_;
    }
    if (t->type == NodeType::kOperator && !is_known_operator(t->value)) {
      throw_error_at("S0204", t->position, Value::string(t->value));
    }
    node_ = t;
    return node_;
  }

  struct DepthGuard {
    explicit DepthGuard(Parser& p) : p_(p) {
      if (++p_.depth_ > p_.opts_.max_depth) {
        Error e;
        e.code = "U1001";
        e.position = p_.node_ ? p_.node_->position : 0;
        throw ErrorException(std::move(e));
      }
    }
    ~DepthGuard() { --p_.depth_; }
    Parser& p_;
  };

  Node* expression(int rbp) {
    DepthGuard guard(*this);
    Node* t = node_;
    advance(nullptr, true);
    Node* left = nud(t);
    while (rbp < lbp(node_)) {
      t = node_;
      advance();
      left = led(t, left);
    }
    return left;
  }

  Node* nud(Node* t) {
    switch (t->type) {
      case NodeType::kName:
      case NodeType::kVariable:
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kValue:
      case NodeType::kRegex:
      case NodeType::kEnd:
        return t;
      default:
        break;
    }
    const std::string& op = t->value;
    if (op == "and" || op == "or" || op == "in") return t;
    if (op == "-") {
      t->expression = expression(70);
      t->type = NodeType::kUnary;
      return t;
    }
    if (op == "*") {
      t->type = NodeType::kWildcard;
      return t;
    }
    if (op == "**") {
      t->type = NodeType::kDescendant;
      return t;
    }
    if (op == "%") {
      t->type = NodeType::kParent;
      return t;
    }
    if (op == "(") {
      while (id_of(node_) != ")") {
        t->expressions.push_back(expression(0));
        if (id_of(node_) != ";") break;
        advance(";");
      }
      advance(")", true);
      t->type = NodeType::kBlock;
      return t;
    }
    if (op == "[") {
      if (id_of(node_) != "]") {
        for (;;) {
          Node* item = expression(0);
          if (id_of(node_) == "..") {
            Node* range = ast_.make();
            range->type = NodeType::kBinary;
            range->value = "..";
            range->position = node_->position;
            range->lhs = item;
            advance("..");
            range->rhs = expression(0);
            item = range;
          }
          t->expressions.push_back(item);
          if (id_of(node_) != ",") break;
          advance(",");
        }
      }
      advance("]", true);
      t->type = NodeType::kUnary;
      return t;
    }
    if (op == "{") {
      object_pairs(t);
      t->type = NodeType::kUnary;
      return t;
    }
    if (op == "|") {
      t->type = NodeType::kTransform;
      t->pattern = expression(0);
      advance("|");
      t->update = expression(0);
      if (id_of(node_) == ",") {
        advance(",");
        t->del = expression(0);
      }
      advance("|");
      return t;
    }
    throw_error_at("S0211", t->position, Value::string(t->value));
  }

  void object_pairs(Node* t) {
    if (id_of(node_) != "}") {
      for (;;) {
        Node* n = expression(0);
        advance(":");
        Node* v = expression(0);
        t->pairs.emplace_back(n, v);
        if (id_of(node_) != ",") break;
        advance(",");
      }
    }
    advance("}", true);
  }

  Node* led(Node* t, Node* left) {
    const std::string& op = t->value;
    if (op == "(") {
      t->procedure = left;
      t->type = NodeType::kFunction;
      if (id_of(node_) != ")") {
        for (;;) {
          if (node_->type == NodeType::kOperator && node_->value == "?") {
            t->type = NodeType::kPartial;
            t->arguments.push_back(node_);
            advance("?");
          } else {
            t->arguments.push_back(expression(0));
          }
          if (id_of(node_) != ",") break;
          advance(",");
        }
      }
      advance(")", true);
      if (left->type == NodeType::kName && (left->value == "function" || left->value == "\xCE\xBB")) {
        for (std::size_t i = 0; i < t->arguments.size(); ++i) {
          Node* arg = t->arguments[i];
          if (arg->type != NodeType::kVariable) {
            Error e;
            e.code = "S0208";
            e.position = arg->position;
            e.token = token_value(arg);
            e.value = Value::number(static_cast<double>(i + 1));
            throw ErrorException(std::move(e));
          }
        }
        t->type = NodeType::kLambda;
        if (id_of(node_) == "<") {
          int sig_pos = node_->position;
          int depth = 1;
          std::string sig = "<";
          while (depth > 0 && id_of(node_) != "{" && node_->type != NodeType::kEnd) {
            Node* tok = advance();
            if (id_of(tok) == ">") --depth;
            else if (id_of(tok) == "<") ++depth;
            sig += tok->type == NodeType::kEnd ? std::string() : tok->value;
          }
          advance(">");
          std::string err_code;
          int offset = 0;
          Value err_value;
          auto s = Signature::parse(sig, &err_code, &offset, &err_value);
          if (!s) {
            Error e;
            e.code = err_code;
            e.position = sig_pos + offset;
            e.value = err_value;
            throw ErrorException(std::move(e));
          }
          t->signature = std::move(s);
        }
        advance("{");
        t->body = expression(0);
        advance("}");
      }
      return t;
    }
    if (op == "[") {
      if (id_of(node_) == "]") {
        Node* step = left;
        while (step && step->type == NodeType::kBinary && step->value == "[") step = step->lhs;
        step->keep_array = true;
        advance("]");
        return left;
      }
      t->lhs = left;
      t->rhs = expression(0);
      t->type = NodeType::kBinary;
      advance("]", true);
      return t;
    }
    if (op == "^") {
      advance("(");
      for (;;) {
        SortTerm term;
        if (id_of(node_) == "<") {
          advance("<");
        } else if (id_of(node_) == ">") {
          term.descending = true;
          advance(">");
        }
        term.expression = expression(0);
        t->sort_terms.push_back(term);
        if (id_of(node_) != ",") break;
        advance(",");
      }
      advance(")");
      t->lhs = left;
      t->type = NodeType::kBinary;
      return t;
    }
    if (op == "{") {
      t->lhs = left;
      object_pairs(t);
      t->type = NodeType::kBinary;
      return t;
    }
    if (op == ":=") {
      if (left->type != NodeType::kVariable) throw_error_at("S0212", left->position, token_value(left));
      t->lhs = left;
      t->rhs = expression(binding_power(":=") - 1);
      t->type = NodeType::kBinary;
      return t;
    }
    if (op == "@" || op == "#") {
      t->lhs = left;
      t->rhs = expression(80);
      if (t->rhs->type != NodeType::kVariable) throw_error_at("S0214", t->rhs->position, Value::string(op));
      t->type = NodeType::kBinary;
      return t;
    }
    if (op == "?") {
      t->type = NodeType::kCondition;
      t->condition = left;
      t->then = expression(0);
      if (id_of(node_) == ":") {
        advance(":");
        t->otherwise = expression(0);
      }
      return t;
    }
    // plain infix operators
    t->lhs = left;
    t->rhs = expression(binding_power(op));
    t->type = NodeType::kBinary;
    return t;
  }

  // ---- post-pass (processAST) -------------------------------------------
  Node* make_path(Node* first) {
    Node* p = ast_.make();
    p->type = NodeType::kPath;
    p->position = first ? first->position : 0;
    if (first) p->steps.push_back(first);
    return p;
  }

  static void push_ancestry(Node* result, Node* value) {
    if (value->has_seeking_parent || value->type == NodeType::kParent) {
      std::vector<Slot*> slots = value->seeking_parent;
      if (value->type == NodeType::kParent) slots.push_back(value->slot);
      result->seeking_parent.insert(result->seeking_parent.end(), slots.begin(), slots.end());
      result->has_seeking_parent = true;
    }
  }

  Slot* seek_parent(Node* node, Slot* slot) {
    switch (node->type) {
      case NodeType::kName:
      case NodeType::kWildcard:
        slot->level--;
        if (slot->level == 0) {
          if (node->ancestor == nullptr) {
            node->ancestor = slot;
          } else {
            slot->label = node->ancestor->label;
            node->ancestor = slot;
          }
          node->tuple = true;
        }
        break;
      case NodeType::kParent:
        slot->level++;
        break;
      case NodeType::kBlock:
        if (!node->expressions.empty()) {
          node->tuple = true;
          slot = seek_parent(node->expressions.back(), slot);
        }
        break;
      case NodeType::kPath: {
        node->tuple = true;
        int index = static_cast<int>(node->steps.size()) - 1;
        slot = seek_parent(node->steps[static_cast<std::size_t>(index--)], slot);
        while (slot->level > 0 && index >= 0) slot = seek_parent(node->steps[static_cast<std::size_t>(index--)], slot);
        break;
      }
      default:
        throw_error_at("S0217", node->position, Value::string(type_name(node->type)));
    }
    return slot;
  }

  void resolve_ancestry(Node* path) {
    int index = static_cast<int>(path->steps.size()) - 1;
    Node* last = path->steps[static_cast<std::size_t>(index)];
    std::vector<Slot*> slots = last->seeking_parent;
    if (last->type == NodeType::kParent) slots.push_back(last->slot);
    for (Slot* slot : slots) {
      index = static_cast<int>(path->steps.size()) - 2;
      while (slot->level > 0) {
        if (index < 0) {
          path->seeking_parent.push_back(slot);
          path->has_seeking_parent = true;
          break;
        }
        Node* step = path->steps[static_cast<std::size_t>(index--)];
        while (index >= 0 && step->has_focus && path->steps[static_cast<std::size_t>(index)]->has_focus)
          step = path->steps[static_cast<std::size_t>(index--)];
        slot = seek_parent(step, slot);
      }
    }
  }

  Node* tail_call_optimize(Node* expr) {
    if (expr->type == NodeType::kFunction && expr->predicate.empty()) {
      Node* thunk = ast_.make();
      thunk->type = NodeType::kLambda;
      thunk->thunk = true;
      thunk->position = expr->position;
      thunk->body = expr;
      return thunk;
    }
    if (expr->type == NodeType::kCondition) {
      expr->then = tail_call_optimize(expr->then);
      if (expr->otherwise) expr->otherwise = tail_call_optimize(expr->otherwise);
      return expr;
    }
    if (expr->type == NodeType::kBlock) {
      if (!expr->expressions.empty()) expr->expressions.back() = tail_call_optimize(expr->expressions.back());
      return expr;
    }
    return expr;
  }

  Node* process(Node* expr) {
    DepthGuard guard(*this);
    Node* result = nullptr;
    switch (expr->type) {
      case NodeType::kBinary: {
        const std::string& op = expr->value;
        if (op == ".") {
          Node* lstep = process(expr->lhs);
          if (lstep->type == NodeType::kPath) {
            result = lstep;
          } else {
            result = make_path(lstep);
          }
          if (lstep->type == NodeType::kParent) {
            result->seeking_parent = {lstep->slot};
            result->has_seeking_parent = true;
          }
          Node* rest = process(expr->rhs);
          if (rest->type == NodeType::kFunction && rest->procedure->type == NodeType::kPath &&
              rest->procedure->steps.size() == 1 && rest->procedure->steps[0]->type == NodeType::kName &&
              result->steps.back()->type == NodeType::kFunction) {
            result->steps.back()->next_function = rest->procedure->steps[0]->value;
          }
          if (rest->type == NodeType::kPath) {
            result->steps.insert(result->steps.end(), rest->steps.begin(), rest->steps.end());
          } else {
            if (!rest->predicate.empty()) {
              rest->stages = std::move(rest->predicate);
              rest->predicate.clear();
            }
            result->steps.push_back(rest);
          }
          for (Node* step : result->steps) {
            if (step->type == NodeType::kNumber || step->type == NodeType::kValue) {
              Error e;
              e.code = "S0213";
              e.position = step->position;
              e.value = step->literal;
              throw ErrorException(std::move(e));
            }
            if (step->type == NodeType::kString) step->type = NodeType::kName;
          }
          for (Node* step : result->steps)
            if (step->keep_array) result->keep_singleton_array = true;
          Node* first = result->steps.front();
          if (first->type == NodeType::kUnary && first->value == "[") first->consarray = true;
          Node* last = result->steps.back();
          if (last->type == NodeType::kUnary && last->value == "[") last->consarray = true;
          resolve_ancestry(result);
          break;
        }
        if (op == "[") {
          result = process(expr->lhs);
          Node* step = result;
          bool stages = false;
          if (result->type == NodeType::kPath) {
            step = result->steps.back();
            stages = true;
          }
          if (step->group) throw_error_at("S0209", expr->position, Value());
          Node* pred = process(expr->rhs);
          if (pred->has_seeking_parent) {
            for (Slot* slot : pred->seeking_parent) {
              if (slot->level == 1) {
                seek_parent(step, slot);
              } else {
                slot->level--;
              }
            }
            push_ancestry(step, pred);
          }
          Stage st;
          st.expr = pred;
          st.position = expr->position;
          (stages ? step->stages : step->predicate).push_back(st);
          break;
        }
        if (op == "{") {
          result = process(expr->lhs);
          if (result->group) throw_error_at("S0210", expr->position, Value());
          auto g = std::make_unique<Group>();
          for (auto& [k, v] : expr->pairs) g->pairs.emplace_back(process(k), process(v));
          g->position = expr->position;
          result->group = std::move(g);
          break;
        }
        if (op == "^") {
          result = process(expr->lhs);
          if (result->type != NodeType::kPath) result = make_path(result);
          Node* sort = ast_.make();
          sort->type = NodeType::kSort;
          sort->position = expr->position;
          for (const auto& term : expr->sort_terms) {
            SortTerm t;
            t.descending = term.descending;
            t.expression = process(term.expression);
            push_ancestry(sort, t.expression);
            sort->sort_terms.push_back(t);
          }
          result->steps.push_back(sort);
          resolve_ancestry(result);
          break;
        }
        if (op == ":=") {
          result = ast_.make();
          result->type = NodeType::kBind;
          result->value = op;
          result->position = expr->position;
          result->lhs = process(expr->lhs);
          result->rhs = process(expr->rhs);
          push_ancestry(result, result->rhs);
          break;
        }
        if (op == "@") {
          result = process(expr->lhs);
          Node* step = result;
          if (result->type == NodeType::kPath) step = result->steps.back();
          if (!step->stages.empty() || !step->predicate.empty()) throw_error_at("S0215", expr->position, Value());
          if (step->type == NodeType::kSort) throw_error_at("S0216", expr->position, Value());
          if (expr->keep_array) step->keep_array = true;
          step->focus = expr->rhs->value;
          step->has_focus = true;
          step->tuple = true;
          break;
        }
        if (op == "#") {
          result = process(expr->lhs);
          Node* step = result;
          if (result->type == NodeType::kPath) {
            step = result->steps.back();
          } else {
            result = make_path(result);
            if (!step->predicate.empty()) {
              step->stages = std::move(step->predicate);
              step->predicate.clear();
            }
          }
          if (step->stages.empty()) {
            step->index = expr->rhs->value;
            step->has_index = true;
          } else {
            Stage st;
            st.is_index = true;
            st.value = expr->rhs->value;
            st.position = expr->position;
            step->stages.push_back(st);
          }
          step->tuple = true;
          break;
        }
        if (op == "~>") {
          result = ast_.make();
          result->type = NodeType::kApply;
          result->value = op;
          result->position = expr->position;
          result->lhs = process(expr->lhs);
          result->rhs = process(expr->rhs);
          result->keep_array = result->lhs->keep_array || result->rhs->keep_array;
          break;
        }
        result = ast_.make();
        result->type = NodeType::kBinary;
        result->value = op;
        result->position = expr->position;
        result->lhs = process(expr->lhs);
        result->rhs = process(expr->rhs);
        push_ancestry(result, result->lhs);
        push_ancestry(result, result->rhs);
        break;
      }
      case NodeType::kUnary: {
        result = ast_.make();
        result->type = NodeType::kUnary;
        result->value = expr->value;
        result->position = expr->position;
        if (expr->value == "[") {
          for (Node* item : expr->expressions) {
            Node* v = process(item);
            push_ancestry(result, v);
            result->expressions.push_back(v);
          }
        } else if (expr->value == "{") {
          for (auto& [k, v] : expr->pairs) {
            Node* key = process(k);
            push_ancestry(result, key);
            Node* val = process(v);
            push_ancestry(result, val);
            result->pairs.emplace_back(key, val);
          }
        } else {
          result->expression = process(expr->expression);
          if (expr->value == "-" && result->expression->type == NodeType::kNumber) {
            result = result->expression;
            result->literal = Value::number(-result->literal.as_number());
          } else {
            push_ancestry(result, result->expression);
          }
        }
        break;
      }
      case NodeType::kFunction:
      case NodeType::kPartial: {
        result = ast_.make();
        result->type = expr->type;
        result->value = expr->value;
        result->position = expr->position;
        for (Node* arg : expr->arguments) {
          Node* a = process(arg);
          push_ancestry(result, a);
          result->arguments.push_back(a);
        }
        result->procedure = process(expr->procedure);
        break;
      }
      case NodeType::kLambda: {
        result = ast_.make();
        result->type = NodeType::kLambda;
        result->arguments = expr->arguments;
        result->signature = expr->signature;
        result->position = expr->position;
        result->body = tail_call_optimize(process(expr->body));
        break;
      }
      case NodeType::kCondition: {
        result = ast_.make();
        result->type = NodeType::kCondition;
        result->position = expr->position;
        result->condition = process(expr->condition);
        push_ancestry(result, result->condition);
        result->then = process(expr->then);
        push_ancestry(result, result->then);
        if (expr->otherwise) {
          result->otherwise = process(expr->otherwise);
          push_ancestry(result, result->otherwise);
        }
        break;
      }
      case NodeType::kTransform: {
        result = ast_.make();
        result->type = NodeType::kTransform;
        result->position = expr->position;
        result->pattern = process(expr->pattern);
        result->update = process(expr->update);
        if (expr->del) result->del = process(expr->del);
        break;
      }
      case NodeType::kBlock: {
        result = ast_.make();
        result->type = NodeType::kBlock;
        result->position = expr->position;
        for (Node* item : expr->expressions) {
          Node* part = process(item);
          push_ancestry(result, part);
          if (part->consarray || (part->type == NodeType::kPath && part->steps[0]->consarray)) result->consarray = true;
          result->expressions.push_back(part);
        }
        break;
      }
      case NodeType::kName: {
        result = make_path(expr);
        if (expr->keep_array) result->keep_singleton_array = true;
        break;
      }
      case NodeType::kParent: {
        result = ast_.make();
        result->type = NodeType::kParent;
        result->position = expr->position;
        ast_.slots.push_back(std::make_unique<Slot>());
        Slot* s = ast_.slots.back().get();
        s->index = ancestor_index_++;
        s->label = "!" + std::to_string(ancestor_label_++);
        s->level = 1;
        result->slot = s;
        break;
      }
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kValue:
      case NodeType::kWildcard:
      case NodeType::kDescendant:
      case NodeType::kVariable:
      case NodeType::kRegex:
        result = expr;
        break;
      case NodeType::kOperator:
        if (expr->value == "and" || expr->value == "or" || expr->value == "in") {
          expr->type = NodeType::kName;
          result = process(expr);
        } else if (expr->value == "?") {
          result = expr;
        } else {
          throw_error_at("S0201", expr->position, Value::string(expr->value));
        }
        break;
      default:
        throw_error_at(expr->type == NodeType::kEnd ? "S0207" : "S0206", expr->position, token_value(expr));
    }
    if (expr->keep_array) result->keep_array = true;
    return result;
  }

  std::string_view src_;
  Ast& ast_;
  const ParseOptions& opts_;
  std::size_t pos_ = 0;
  Node* node_ = nullptr;
  int depth_ = 0;
  mutable std::size_t cache_byte_ = 0;
  mutable std::size_t cache_pos16_ = 0;
  int ancestor_label_ = 0;
  int ancestor_index_ = 0;
};

}  // namespace

std::unique_ptr<Ast> parse(std::string_view source, const ParseOptions& options) {
  auto ast = std::make_unique<Ast>();
  Parser p(source, *ast, options);
  ast->root = p.run();
  return ast;
}

}  // namespace stepfiber::jsonata
