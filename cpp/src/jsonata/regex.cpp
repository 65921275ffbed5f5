// JS regex -> PCRE2 (16-bit, JIT) rewrite and matching for JSONata.
#include "jsonata/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 16
#include <pcre2.h>

#include "jsonata/unicode.h"

namespace stepfiber::jsonata {

namespace {

const char16_t kJsSpace[] =
    u"\\t\\n\\x0b\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";

struct MatchResources {
  pcre2_match_context_16* ctx = nullptr;
  pcre2_jit_stack_16* stack = nullptr;
  MatchResources() {
    ctx = pcre2_match_context_create_16(nullptr);
    pcre2_set_match_limit_16(ctx, 20'000'000);
    pcre2_set_depth_limit_16(ctx, 100'000);
    stack = pcre2_jit_stack_create_16(32 * 1024, 4 * 1024 * 1024, nullptr);
    if (stack) pcre2_jit_stack_assign_16(ctx, nullptr, stack);
  }
  ~MatchResources() {
    if (stack) pcre2_jit_stack_free_16(stack);
    pcre2_match_context_free_16(ctx);
  }
};

MatchResources& resources() {
  thread_local MatchResources r;
  return r;
}

}  // namespace

std::u16string rewrite_js_regex(std::u16string_view js) {
  std::u16string out;
  out.reserve(js.size() + 16);
  bool in_class = false;
  for (std::size_t i = 0; i < js.size(); ++i) {
    char16_t c = js[i];
    if (c == u'\\' && i + 1 < js.size()) {
      char16_t n = js[i + 1];
      if (n == u's') {
        if (in_class) {
          out += kJsSpace;
        } else {
          out += u"[";
          out += kJsSpace;
          out += u"]";
        }
        ++i;
        continue;
      }
      if (n == u'S' && !in_class) {
        out += u"[^";
        out += kJsSpace;
        out += u"]";
        ++i;
        continue;
      }
      out += c;
      out += n;
      ++i;
      continue;
    }
    if (in_class) {
      if (c == u']') in_class = false;
      if (c == u'[') {
        out += u"\\[";  // a literal [ inside a JS class
        continue;
      }
      out += c;
      continue;
    }
    if (c == u'[') {
      if (i + 2 < js.size() + 1 && js.substr(i, 3) == u"[^]") {
        out += u"[\\s\\S]";
        i += 2;
        continue;
      }
      if (js.substr(i, 2) == u"[]") {
        out += u"(?!)";
        i += 1;
        continue;
      }
      in_class = true;
      out += c;
      // a leading ] (or ^]) is the end of an empty class in JS, not a literal
      continue;
    }
    if (c == u'.') {
      out += u"[^\\n\\r\\u2028\\u2029]";
      continue;
    }
    out += c;
  }
  return out;
}

std::shared_ptr<const Regex> Regex::compile(std::string_view pattern, std::string_view flags, std::string* error) {
  std::u16string rewritten = rewrite_js_regex(to_utf16(pattern));
  uint32_t options = PCRE2_ALT_BSUX | PCRE2_MATCH_UNSET_BACKREF | PCRE2_DOLLAR_ENDONLY;
  if (flags.find('i') != std::string_view::npos) options |= PCRE2_CASELESS;
  if (flags.find('m') != std::string_view::npos) options |= PCRE2_MULTILINE;
  int errcode = 0;
  PCRE2_SIZE erroffset = 0;
  pcre2_code_16* code = pcre2_compile_16(reinterpret_cast<PCRE2_SPTR16>(rewritten.data()), rewritten.size(),
                                         options, &errcode, &erroffset, nullptr);
  if (!code) {
    if (error) {
      PCRE2_UCHAR16 buf[256];
      int n = pcre2_get_error_message_16(errcode, buf, 256);
      std::u16string msg(reinterpret_cast<char16_t*>(buf), n > 0 ? static_cast<std::size_t>(n) : 0);
      *error = "Invalid regular expression: /" + std::string(pattern) + "/: " + from_utf16(msg);
    }
    return nullptr;
  }
  pcre2_jit_compile_16(code, PCRE2_JIT_COMPLETE);
  auto re = std::shared_ptr<Regex>(new Regex());
  re->source_ = std::string(pattern);
  re->code_ = code;
  return re;
}

Regex::~Regex() {
  if (code_) pcre2_code_free_16(static_cast<pcre2_code_16*>(code_));
}

bool Regex::exec(std::u16string_view subject, std::size_t from, Match* m) const {
  if (from > subject.size()) return false;
  auto* code = static_cast<pcre2_code_16*>(code_);
  pcre2_match_data_16* md = pcre2_match_data_create_from_pattern_16(code, nullptr);
  if (!md) return false;
  int rc = pcre2_match_16(code, reinterpret_cast<PCRE2_SPTR16>(subject.data()), subject.size(), from, 0, md,
                          resources().ctx);
  bool found = rc > 0;
  if (found) {
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer_16(md);
    uint32_t pairs = pcre2_get_ovector_count_16(md);
    uint32_t captures = 0;
    pcre2_pattern_info_16(code, PCRE2_INFO_CAPTURECOUNT, &captures);
    m->start = ov[0];
    m->end = ov[1];
    m->groups.clear();
    for (uint32_t g = 1; g <= captures; ++g) {
      if (g < pairs && g < static_cast<uint32_t>(rc) && ov[2 * g] != PCRE2_UNSET) {
        m->groups.emplace_back(std::make_pair(ov[2 * g], ov[2 * g + 1]));
      } else {
        m->groups.emplace_back(std::nullopt);
      }
    }
  }
  pcre2_match_data_free_16(md);
  return found;
}

}  // namespace stepfiber::jsonata
