// UTF-8 / UTF-16 conversions and JSON string quoting for JSONata values.
#include "jsonata/unicode.h"

#include "stepfiber/json.h"

namespace stepfiber::jsonata {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {
// Decodes one code point at s[i]; advances i.
std::uint32_t decode(std::string_view s, std::size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int n = 0;
  std::uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 1;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 2;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 3;
    cp = c & 0x07;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + static_cast<std::size_t>(n) >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  for (int k = 1; k <= n; ++k) {
    auto d = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((d & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  i += static_cast<std::size_t>(n) + 1;
  return cp;
}
}  // namespace

std::vector<std::uint32_t> to_code_points(std::string_view s) {
  std::vector<std::uint32_t> out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) out.push_back(decode(s, i));
  return out;
}

std::string from_code_points(const std::uint32_t* cps, std::size_t n) {
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) append_utf8(out, cps[i]);
  return out;
}

std::size_t code_point_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::u16string to_utf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    std::uint32_t cp = decode(s, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return out;
}

std::string from_utf16(std::u16string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::uint32_t u = s[i];
    if (u >= 0xD800 && u < 0xDC00 && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000) {
      u = 0x10000 + ((u - 0xD800) << 10) + (static_cast<std::uint32_t>(s[i + 1]) - 0xDC00);
      ++i;
    }
    append_utf8(out, u);
  }
  return out;
}

std::size_t utf16_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u & 0xC0) != 0x80) n += (u >= 0xF0) ? 2 : 1;
  }
  return n;
}

int compare_utf16(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    std::uint32_t x = decode(a, i), y = decode(b, j);
    if (x == y) continue;
    // Supplementary characters sort as their high surrogate (0xD800..0xDBFF).
    std::uint32_t kx = x >= 0x10000 ? 0xD800 + ((x - 0x10000) >> 10) : x;
    std::uint32_t ky = y >= 0x10000 ? 0xD800 + ((y - 0x10000) >> 10) : y;
    if (kx != ky) return kx < ky ? -1 : 1;
    // same high surrogate: compare the low surrogates
    std::uint32_t lx = x >= 0x10000 ? 0xDC00 + ((x - 0x10000) & 0x3FF) : 0;
    std::uint32_t ly = y >= 0x10000 ? 0xDC00 + ((y - 0x10000) & 0x3FF) : 0;
    return lx < ly ? -1 : 1;
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

void append_json_quoted(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t st = i;
      std::uint32_t cp = decode(s, i);
      if (cp >= 0xD800 && cp < 0xE000) {
        out += "\\u";
        out += hex[(cp >> 12) & 0xF];
        out += hex[(cp >> 8) & 0xF];
        out += hex[(cp >> 4) & 0xF];
        out += hex[cp & 0xF];
      } else {
        out.append(s.substr(st, i - st));
      }
      continue;
    }
    ++i;
    append_json_escaped_ascii(out, c);
  }
  out += '"';
}

}  // namespace stepfiber::jsonata
