// Function signature parsing and argument validation (a backtracking
// matcher over type symbols, compiled once per signature).
#include "jsonata/signature.h"

#include "jsonata/errors.h"

namespace stepfiber::jsonata {

char signature_symbol(const Value& v) {
  switch (v.kind()) {
    case Kind::kFunction: return 'f';
    case Kind::kString: return 's';
    case Kind::kNumber: return 'n';
    case Kind::kBoolean: return 'b';
    case Kind::kNull: return 'l';
    case Kind::kArray: return 'a';
    case Kind::kObject: return 'o';
    case Kind::kUndefined: return 'm';
  }
  return 'm';
}

static std::size_t closing(std::string_view s, std::size_t start, char open, char close) {
  int depth = 1;
  std::size_t p = start;
  while (p < s.size()) {
    ++p;
    if (p >= s.size()) break;
    if (s[p] == close) {
      if (--depth == 0) break;
    } else if (s[p] == open) {
      ++depth;
    }
  }
  return p;
}

std::shared_ptr<const Signature> Signature::parse(std::string_view text, std::string* code, int* offset,
                                                  Value* value) {
  auto sig = std::shared_ptr<Signature>(new Signature());
  sig->definition_ = std::string(text);
  Param* prev = nullptr;
  std::size_t pos = 1;
  auto push = [&](Param p) {
    sig->params_.push_back(std::move(p));
    prev = &sig->params_.back();
  };
  while (pos < text.size()) {
    char c = text[pos];
    if (c == ':') break;
    switch (c) {
      case 's': case 'n': case 'b': case 'l': case 'o': {
        Param p;
        p.symbols = std::string(1, c) + "m";
        p.type = c;
        push(p);
        break;
      }
      case 'a': {
        Param p;
        p.symbols = "asnblfom";
        p.type = 'a';
        push(p);
        break;
      }
      case 'f': {
        Param p;
        p.symbols = "f";
        p.type = 'f';
        push(p);
        break;
      }
      case 'j': {
        Param p;
        p.symbols = "asnblom";
        p.type = 'j';
        push(p);
        break;
      }
      case 'x': {
        Param p;
        p.symbols = "asnblfom";
        p.type = 'x';
        push(p);
        break;
      }
      case '-':
        if (prev) {
          prev->context = true;
          prev->context_symbols = prev->symbols;
          prev->min = 0;
        }
        break;
      case '?':
        if (prev) prev->min = 0;
        break;
      case '+':
        if (prev) prev->max = 1 << 30;
        break;
      case '(': {
        std::size_t end = closing(text, pos, '(', ')');
        std::string choice(text.substr(pos + 1, end - pos - 1));
        if (choice.find('<') != std::string::npos) {
          if (code) *code = "S0402";
          if (offset) *offset = static_cast<int>(pos);
          if (value) *value = Value::string(choice);
          return nullptr;
        }
        Param p;
        p.symbols = choice + "m";
        p.type = '(';
        push(p);
        pos = end;
        break;
      }
      case '<': {
        if (prev && (prev->type == 'a' || prev->type == 'f')) {
          std::size_t end = closing(text, pos, '<', '>');
          prev->subtype = std::string(text.substr(pos + 1, end - pos - 1));
          pos = end;
        } else {
          if (code) *code = "S0401";
          if (offset) *offset = static_cast<int>(pos);
          if (value) *value = prev ? Value::string(std::string(1, prev->type)) : Value();
          return nullptr;
        }
        break;
      }
      default:
        break;
    }
    ++pos;
  }
  return sig;
}

std::shared_ptr<const Signature> Signature::builtin(std::string_view text) {
  std::string code;
  int offset = 0;
  Value v;
  return parse(text, &code, &offset, &v);
}

bool Signature::match(std::size_t pi, std::size_t pos, std::string_view sig, bool anchored, std::size_t limit,
                      std::vector<int>& counts, std::size_t* end) const {
  if (pi == limit) {
    if (anchored && pos != sig.size()) return false;
    *end = pos;
    return true;
  }
  const Param& p = params_[pi];
  int n = 0;
  while (n < p.max && pos + static_cast<std::size_t>(n) < sig.size() &&
         p.symbols.find(sig[pos + static_cast<std::size_t>(n)]) != std::string::npos)
    ++n;
  for (int k = n; k >= p.min; --k) {
    counts[pi] = k;
    if (match(pi + 1, pos + static_cast<std::size_t>(k), sig, anchored, limit, counts, end)) return true;
  }
  return false;
}

std::vector<Value> Signature::validate(const std::vector<Value>& args, const Value& context) const {
  std::string supplied;
  supplied.reserve(args.size());
  for (const auto& a : args) supplied += signature_symbol(a);
  std::vector<int> counts(params_.size(), 0);
  std::size_t end = 0;
  if (!match(0, 0, supplied, true, params_.size(), counts, &end)) {
    // find how far a prefix of the signature matches (jsonata-js throwValidationError)
    std::size_t good_to = 0;
    for (std::size_t i = 1; i <= params_.size(); ++i) {
      std::vector<int> c(params_.size(), 0);
      std::size_t e = 0;
      if (!match(0, 0, supplied, false, i, c, &e)) break;
      good_to = e;
    }
    Error err;
    err.code = "T0410";
    err.value = good_to < args.size() ? args[good_to] : Value();
    err.index = static_cast<int>(good_to) + 1;
    throw ErrorException(std::move(err));
  }
  std::vector<Value> out;
  out.reserve(params_.size());
  std::size_t arg_index = 0;
  std::size_t sig_pos = 0;
  for (std::size_t pi = 0; pi < params_.size(); ++pi) {
    const Param& p = params_[pi];
    int count = counts[pi];
    if (count == 0) {
      if (p.context) {
        char ct = signature_symbol(context);
        if (p.context_symbols.find(ct) != std::string::npos) {
          out.push_back(context);
        } else {
          Error err;
          err.code = "T0411";
          err.value = context;
          err.index = static_cast<int>(arg_index) + 1;
          throw ErrorException(std::move(err));
        }
      } else {
        out.push_back(arg_index < args.size() ? args[arg_index] : Value());
        ++arg_index;
      }
      continue;
    }
    std::string_view matched(supplied.data() + sig_pos, static_cast<std::size_t>(count));
    sig_pos += static_cast<std::size_t>(count);
    for (char single : matched) {
      Value arg = arg_index < args.size() ? args[arg_index] : Value();
      if (p.type == 'a') {
        if (single == 'm') {
          arg = Value();
        } else {
          bool ok = true;
          if (!p.subtype.empty()) {
            if (single != 'a' && matched != p.subtype) {
              ok = false;
            } else if (single == 'a' && !arg.arr().items.empty()) {
              char item_type = signature_symbol(arg.arr().items[0]);
              if (item_type != p.subtype[0]) {
                ok = false;
              } else {
                for (const auto& it : arg.arr().items)
                  if (signature_symbol(it) != item_type) ok = false;
              }
            }
          }
          if (!ok) {
            static const char* names[] = {"arrays", "booleans", "functions", "numbers", "objects", "strings"};
            static const char keys[] = {'a', 'b', 'f', 'n', 'o', 's'};
            Error err;
            err.code = "T0412";
            err.value = arg;
            err.index = static_cast<int>(arg_index) + 1;
            for (int k = 0; k < 6; ++k)
              if (p.subtype[0] == keys[k]) err.type = names[k];
            throw ErrorException(std::move(err));
          }
          if (single != 'a') arg = make_array({arg});
        }
      }
      out.push_back(arg);
      ++arg_index;
    }
  }
  return out;
}

}  // namespace stepfiber::jsonata
