// Jackson's wording for JSON syntax errors (jackson_errors.h). A scanner,
// not a parser: it walks the text with an explicit stack (no recursion on
// depth) until the first error, and names it as Jackson does.
#include "json/jackson_errors.h"

#include <cctype>
#include <vector>

namespace stepfiber::json {
namespace {

std::string unexpected(char c, const char* expecting) {
  std::string ch = c == '\'' ? "'''" : std::string("'") + c + "'";
  return "Unexpected character (" + ch + " (code " + std::to_string(static_cast<unsigned char>(c)) + ")): " + expecting;
}

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

class Scanner {
 public:
  explicit Scanner(std::string_view t) : t_(t) {}

  std::optional<std::string> run() {
    // Expecting a value; then, inside containers, what may follow it.
    enum class Want { kValue, kFieldOrEnd, kField, kColon, kAfterValue };
    Want want = Want::kValue;
    std::vector<char> stack;  // '{' or '['
    for (;;) {
      skip_ws();
      if (i_ >= t_.size()) return std::nullopt;  // end of input: another kind of message
      const char c = t_[i_];
      switch (want) {
        case Want::kValue:
          if (c == '{') {
            stack.push_back('{');
            ++i_;
            want = Want::kFieldOrEnd;
            continue;
          }
          if (c == '[') {
            stack.push_back('[');
            ++i_;
            skip_ws();
            if (i_ < t_.size() && t_[i_] == ']') {
              stack.pop_back();
              ++i_;
              want = Want::kAfterValue;
            }
            continue;
          }
          if (c == '"') {
            if (!skip_string()) return std::nullopt;
          } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
            while (i_ < t_.size() && (std::isdigit(static_cast<unsigned char>(t_[i_])) || t_[i_] == '-' ||
                                      t_[i_] == '+' || t_[i_] == '.' || t_[i_] == 'e' || t_[i_] == 'E')) {
              ++i_;
            }
          } else if (token_char(c)) {
            const std::size_t start = i_;
            while (i_ < t_.size() && token_char(t_[i_])) ++i_;
            const std::string_view token = t_.substr(start, i_ - start);
            if (token != "true" && token != "false" && token != "null") {
              return "Unrecognized token '" + std::string(token) +
                     "': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
            }
          } else {
            return unexpected(c, "expected a value");
          }
          want = Want::kAfterValue;
          break;
        case Want::kFieldOrEnd:
        case Want::kField:
          if (c == '}' && want == Want::kFieldOrEnd) {
            stack.pop_back();
            ++i_;
            want = Want::kAfterValue;
            break;
          }
          if (c != '"') return unexpected(c, "was expecting double-quote to start field name");
          if (!skip_string()) return std::nullopt;
          want = Want::kColon;
          break;
        case Want::kColon:
          if (c != ':') return unexpected(c, "was expecting a colon to separate field name and value");
          ++i_;
          want = Want::kValue;
          break;
        case Want::kAfterValue: {
          if (stack.empty()) return std::nullopt;  // trailing content: another kind of message
          const bool object = stack.back() == '{';
          if (c == ',') {
            ++i_;
            want = object ? Want::kField : Want::kValue;
          } else if (c == (object ? '}' : ']')) {
            stack.pop_back();
            ++i_;
          } else {
            return unexpected(c, object ? "was expecting comma to separate Object entries"
                                        : "was expecting comma to separate Array entries");
          }
          break;
        }
      }
      if (want == Want::kAfterValue && stack.empty()) {
        skip_ws();
        return std::nullopt;
      }
    }
  }

 private:
  void skip_ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
  }
  /// Past a string at i_ (a '"'); false when it does not end.
  bool skip_string() {
    for (++i_; i_ < t_.size(); ++i_) {
      if (t_[i_] == '\\') {
        ++i_;
      } else if (t_[i_] == '"') {
        ++i_;
        return true;
      }
    }
    return false;
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<std::string> jackson_syntax_error(std::string_view text) { return Scanner(text).run(); }

}  // namespace stepfiber::json
