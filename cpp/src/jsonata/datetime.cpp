// XPath F&O integer and date/time pictures: $formatInteger, $parseInteger,
// $fromMillis, $toMillis (jsonata-js datetime.js behaviour), on UTC civil
// date arithmetic with ±HHMM offsets (no time-zone database).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "jsonata/builtins.h"
#include "jsonata/unicode.h"

namespace stepfiber::jsonata {

namespace {

using Args = std::vector<Value>;

const char* const kFew[] = {"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
                            "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen",
                            "Eighteen", "Nineteen"};
const char* const kOrdinals[] = {"Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth",
                                 "Seventh", "Eighth", "Ninth", "Tenth", "Eleventh", "Twelfth", "Thirteenth",
                                 "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"};
const char* const kDecades[] = {"Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"};
const char* const kMagnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};
const char* const kDays[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
const char* const kMonths[] = {"January", "February", "March", "April", "May", "June",
                               "July", "August", "September", "October", "November", "December"};

std::string lookup_words(double num, bool prev, bool ord) {
  std::string words;
  if (num <= 19) {
    words = std::string(prev ? " and " : "") + (ord ? kOrdinals[static_cast<int>(num)] : kFew[static_cast<int>(num)]);
  } else if (num < 100) {
    int tens = static_cast<int>(std::floor(num / 10));
    double rem = std::fmod(num, 10);
    words = std::string(prev ? " and " : "") + kDecades[tens - 2];
    if (rem > 0) {
      words += "-" + lookup_words(rem, false, ord);
    } else if (ord) {
      words = words.substr(0, words.size() - 1) + "ieth";
    }
  } else if (num < 1000) {
    int hundreds = static_cast<int>(std::floor(num / 100));
    double rem = std::fmod(num, 100);
    words = std::string(prev ? ", " : "") + kFew[hundreds] + " Hundred";
    if (rem > 0) {
      words += lookup_words(rem, true, ord);
    } else if (ord) {
      words += "th";
    }
  } else {
    int mag = static_cast<int>(std::floor(std::log10(num) / 3));
    if (mag > 4) mag = 4;
    double factor = std::pow(10, mag * 3);
    double mant = std::floor(num / factor);
    double rem = num - mant * factor;
    words = std::string(prev ? ", " : "") + lookup_words(mant, false, false) + " " + kMagnitudes[mag - 1];
    if (rem > 0) {
      words += lookup_words(rem, true, ord);
    } else if (ord) {
      words += "th";
    }
  }
  return words;
}

std::string ascii_upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string ascii_lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const std::map<std::string, double>& word_values() {
  static const std::map<std::string, double> m = [] {
    std::map<std::string, double> w;
    for (int i = 0; i < 20; ++i) w[ascii_lower(kFew[i])] = i;
    for (int i = 0; i < 20; ++i) w[ascii_lower(kOrdinals[i])] = i;
    for (int i = 0; i < 9; ++i) {
      std::string l = ascii_lower(kDecades[i]);
      w[l] = (i + 2) * 10;
      w[l.substr(0, l.size() - 1) + "ieth"] = (i + 2) * 10;
    }
    w["hundredth"] = 100;
    for (int i = 0; i < 4; ++i) {
      std::string l = ascii_lower(kMagnitudes[i]);
      double v = std::pow(10, (i + 1) * 3);
      w[l] = v;
      w[l + "th"] = v;
    }
    return w;
  }();
  return m;
}

double words_to_number(const std::string& text) {
  // split on ", " | " and " | whitespace | '-'
  std::vector<std::string> parts;
  std::string cur;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, ", ") == 0) {
      parts.push_back(cur);
      cur.clear();
      i += 2;
    } else if (text.compare(i, 5, " and ") == 0) {
      parts.push_back(cur);
      cur.clear();
      i += 5;
    } else if (text[i] == ' ' || text[i] == '-' || text[i] == '\t' || text[i] == '\\') {
      parts.push_back(cur);
      cur.clear();
      i += 1;
    } else {
      cur += text[i++];
    }
  }
  parts.push_back(cur);
  std::vector<double> segs{0};
  for (const auto& p : parts) {
    auto it = word_values().find(p);
    double value = it == word_values().end() ? NAN : it->second;
    if (value < 100) {
      double top = segs.back();
      segs.pop_back();
      if (top >= 1000) {
        segs.push_back(top);
        top = 0;
      }
      segs.push_back(top + value);
    } else {
      double top = segs.back();
      segs.pop_back();
      segs.push_back(top * value);
    }
  }
  double r = 0;
  for (double s : segs) r += s;
  return r;
}

std::string decimal_to_roman(double value) {
  static const std::pair<int, const char*> numerals[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"},
                                                         {100, "c"},  {90, "xc"},  {50, "l"},  {40, "xl"},
                                                         {10, "x"},   {9, "ix"},   {5, "v"},   {4, "iv"},
                                                         {1, "i"}};
  std::string out;
  while (value >= 1) {
    bool found = false;
    for (const auto& [v, s] : numerals) {
      if (value >= v) {
        out += s;
        value -= v;
        found = true;
        break;
      }
    }
    if (!found) break;
    if (out.size() > 100000) break;
  }
  return out;
}

double roman_to_decimal(const std::string& roman) {
  auto val = [](char c) -> double {
    switch (c) {
      case 'M': return 1000;
      case 'D': return 500;
      case 'C': return 100;
      case 'L': return 50;
      case 'X': return 10;
      case 'V': return 5;
      case 'I': return 1;
      default: return NAN;
    }
  };
  double decimal = 0, max = 1;
  for (std::size_t i = roman.size(); i-- > 0;) {
    double v = val(roman[i]);
    if (v < max) {
      decimal -= v;
    } else {
      max = v;
      decimal += v;
    }
  }
  return decimal;
}

std::string decimal_to_letters(double value, char a) {
  std::string letters;
  while (value > 0) {
    letters.insert(letters.begin(), static_cast<char>(std::fmod(value - 1, 26) + a));
    value = std::floor((value - 1) / 26);
  }
  return letters;
}

double letters_to_decimal(const std::string& letters, char a) {
  double d = 0;
  for (std::size_t i = 0; i < letters.size(); ++i)
    d += (letters[letters.size() - i - 1] - a + 1) * std::pow(26, static_cast<double>(i));
  return d;
}

enum class Primary { kDecimal, kLetters, kRoman, kWords, kSequence };
enum class Case { kUpper, kLower, kTitle };

struct Separator {
  int position = 0;
  std::string character;
};

struct IntegerFormat {
  Primary primary = Primary::kDecimal;
  Case tcase = Case::kLower;
  bool ordinal = false;
  std::uint32_t zero_code = 0x30;
  int mandatory_digits = 0;
  int optional_digits = 0;
  bool regular = false;
  Separator regular_separator;
  std::vector<Separator> separators;
  std::string token;
  int n = 0;  // parse width (from date markers)
};

const std::uint32_t kDecimalGroups[] = {0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66,
                                        0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040,
                                        0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0,
                                        0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
                                        0xFF10};

int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

IntegerFormat analyse_integer_picture(const std::string& picture) {
  IntegerFormat f;
  std::string primary;
  auto semi = picture.rfind(';');
  if (semi == std::string::npos) {
    primary = picture;
  } else {
    primary = picture.substr(0, semi);
    std::string modifier = picture.substr(semi + 1);
    if (!modifier.empty() && modifier[0] == 'o') f.ordinal = true;
  }
  if (primary == "A") {
    f.tcase = Case::kUpper;
    f.primary = Primary::kLetters;
  } else if (primary == "a") {
    f.primary = Primary::kLetters;
  } else if (primary == "I") {
    f.tcase = Case::kUpper;
    f.primary = Primary::kRoman;
  } else if (primary == "i") {
    f.primary = Primary::kRoman;
  } else if (primary == "W") {
    f.tcase = Case::kUpper;
    f.primary = Primary::kWords;
  } else if (primary == "Ww") {
    f.tcase = Case::kTitle;
    f.primary = Primary::kWords;
  } else if (primary == "w") {
    f.primary = Primary::kWords;
  } else {
    bool have_zero = false;
    int separator_position = 0;
    std::vector<Separator> seps;
    auto cps = to_code_points(primary);
    std::reverse(cps.begin(), cps.end());
    for (std::uint32_t cp : cps) {
      bool digit = false;
      for (std::uint32_t g : kDecimalGroups) {
        if (cp >= g && cp <= g + 9) {
          digit = true;
          f.mandatory_digits++;
          separator_position++;
          if (!have_zero) {
            f.zero_code = g;
            have_zero = true;
          } else if (g != f.zero_code) {
            throw_error("D3131");
          }
          break;
        }
      }
      if (!digit) {
        if (cp == 0x23) {
          separator_position++;
          f.optional_digits++;
        } else {
          Separator s;
          s.position = separator_position;
          append_utf8(s.character, cp);
          seps.push_back(s);
        }
      }
    }
    if (f.mandatory_digits > 0) {
      f.primary = Primary::kDecimal;
      int regular = 0;
      if (!seps.empty()) {
        bool same = true;
        for (const auto& s : seps)
          if (s.character != seps[0].character) same = false;
        if (same) {
          int factor = seps[0].position;
          for (const auto& s : seps) factor = gcd(factor, s.position);
          regular = factor;
          for (std::size_t index = 1; index <= seps.size(); ++index) {
            bool found = false;
            for (const auto& s : seps)
              if (s.position == static_cast<int>(index) * factor) found = true;
            if (!found) {
              regular = 0;
              break;
            }
          }
        }
      }
      if (regular > 0) {
        f.regular = true;
        f.regular_separator.position = regular;
        f.regular_separator.character = seps[0].character;
      } else {
        f.regular = false;
        f.separators = seps;
      }
    } else {
      f.primary = Primary::kSequence;
      f.token = primary;
    }
  }
  return f;
}

std::string format_integer_impl(double value, const IntegerFormat& f) {
  std::string out;
  // A component of an Invalid Date (a timezone parseInt could not read, or a time past
  // JavaScript's range) is NaN; the decimal form pads "NaN" as jsonata-js does, and the
  // letter, roman and word forms, which would loop or index out of range, give "NaN" too.
  if (!std::isfinite(value) && f.primary != Primary::kDecimal) return number_to_js(value);
  bool negative = value < 0;
  value = std::fabs(value);
  switch (f.primary) {
    case Primary::kLetters:
      out = decimal_to_letters(value, f.tcase == Case::kUpper ? 'A' : 'a');
      break;
    case Primary::kRoman:
      out = decimal_to_roman(value);
      if (f.tcase == Case::kUpper) out = ascii_upper(out);
      break;
    case Primary::kWords:
      out = lookup_words(value, false, f.ordinal);
      if (f.tcase == Case::kUpper) out = ascii_upper(out);
      else if (f.tcase == Case::kLower) out = ascii_lower(out);
      break;
    case Primary::kDecimal: {
      out = number_to_js(value);
      int pad = f.mandatory_digits - static_cast<int>(out.size());
      if (pad > 0) out = std::string(static_cast<std::size_t>(pad), '0') + out;
      if (f.zero_code != 0x30) {
        std::string conv;
        for (char c : out) append_utf8(conv, static_cast<std::uint32_t>(c) + f.zero_code - 0x30);
        out = conv;
      }
      // work in code points for insertion positions
      auto cps = to_code_points(out);
      if (f.regular) {
        int pos_step = f.regular_separator.position;
        int n = (static_cast<int>(cps.size()) - 1) / pos_step;
        auto sep = to_code_points(f.regular_separator.character);
        for (int ii = n; ii > 0; --ii) {
          int pos = static_cast<int>(cps.size()) - ii * pos_step;
          cps.insert(cps.begin() + pos, sep.begin(), sep.end());
        }
      } else {
        std::vector<Separator> seps = f.separators;
        std::reverse(seps.begin(), seps.end());
        for (const auto& s : seps) {
          int pos = static_cast<int>(cps.size()) - s.position;
          if (pos < 0) pos = 0;
          auto sep = to_code_points(s.character);
          cps.insert(cps.begin() + pos, sep.begin(), sep.end());
        }
      }
      out = from_code_points(cps.data(), cps.size());
      if (f.ordinal) {
        char last = out.empty() ? '0' : out.back();
        const char* suffix = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
        if (out.size() > 1 && out[out.size() - 2] == '1') suffix = "th";
        out += suffix;
      }
      break;
    }
    case Primary::kSequence:
      throw_error("D3130", Value::string(f.token));
  }
  if (negative) out = "-" + out;
  return out;
}

// ---- date arithmetic (proleptic Gregorian, UTC) ---------------------------
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

constexpr double kMsPerDay = 86400000.0;

// JavaScript Date.UTC(year, month0, day, h, m, s, ms) with overflow.
double date_utc(double year, double month0, double day = 1, double h = 0, double mi = 0, double s = 0,
                double ms = 0) {
  double ym = year + std::floor(month0 / 12);
  // JavaScript gives NaN (an Invalid Date) rather than wrapping out-of-range fields.
  if (!std::isfinite(ym) || std::fabs(ym) > 400000) return NAN;
  double mn = std::fmod(month0, 12);
  if (mn < 0) mn += 12;
  double days = static_cast<double>(days_from_civil(static_cast<std::int64_t>(ym), static_cast<unsigned>(mn) + 1, 1)) +
                day - 1;
  return days * kMsPerDay + h * 3600000.0 + mi * 60000.0 + s * 1000.0 + ms;
}

struct DateParts {
  double year, month0, day, hours, minutes, seconds, millis, weekday;  // weekday 0=Sunday
  double time;
};

// JavaScript's time value range: |t| <= 8.64e15 ms; anything else is an Invalid Date.
constexpr double kMaxTimeValue = 8.64e15;

DateParts split_date(double t) {
  DateParts p{};
  p.time = t;
  if (!std::isfinite(t) || std::fabs(t) > kMaxTimeValue) {
    // An Invalid Date: every getUTC*() is NaN.
    p.year = p.month0 = p.day = p.hours = p.minutes = p.seconds = p.millis = p.weekday = NAN;
    p.time = NAN;
    return p;
  }
  double days = std::floor(t / kMsPerDay);
  double ms_in_day = t - days * kMsPerDay;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(static_cast<std::int64_t>(days), y, m, d);
  p.year = static_cast<double>(y);
  p.month0 = m - 1;
  p.day = d;
  p.hours = std::floor(ms_in_day / 3600000.0);
  p.minutes = std::floor(std::fmod(ms_in_day, 3600000.0) / 60000.0);
  p.seconds = std::floor(std::fmod(ms_in_day, 60000.0) / 1000.0);
  p.millis = std::fmod(ms_in_day, 1000.0);
  double wd = std::fmod(days + 4, 7);
  if (wd < 0) wd += 7;
  p.weekday = wd;
  return p;
}

double start_of_first_week(double year, double month0) {
  double jan1 = date_utc(year, month0);
  double day = split_date(jan1).weekday;
  if (day == 0) day = 7;
  return day > 4 ? jan1 + (8 - day) * kMsPerDay : jan1 - (day - 1) * kMsPerDay;
}

double delta_weeks(double start, double end) { return (end - start) / (kMsPerDay * 7) + 1; }

// getDateTimeFragment for numeric components (strings handled by callers).
double fragment(const DateParts& date, char component) {
  switch (component) {
    case 'Y': return date.year;
    case 'M': return date.month0 + 1;
    case 'D': return date.day;
    case 'd': {
      double today = date_utc(date.year, date.month0, date.day);
      double first = date_utc(date.year, 0);
      return (today - first) / kMsPerDay + 1;
    }
    case 'F': return date.weekday == 0 ? 7 : date.weekday;
    case 'W': {
      double start = start_of_first_week(date.year, 0);
      double today = date_utc(date.year, date.month0, date.day);
      double week = delta_weeks(start, today);
      if (week > 52) {
        if (today >= start_of_first_week(date.year + 1, 0)) week = 1;
      } else if (week < 1) {
        week = delta_weeks(start_of_first_week(date.year - 1, 0), today);
      }
      return std::floor(week);
    }
    case 'w': {
      double start = start_of_first_week(date.year, date.month0);
      double today = date_utc(date.year, date.month0, date.day);
      double week = delta_weeks(start, today);
      if (week > 4) {
        double ny = date.month0 == 11 ? date.year + 1 : date.year;
        double nm = date.month0 == 11 ? 0 : date.month0 + 1;
        if (today >= start_of_first_week(ny, nm)) week = 1;
      } else if (week < 1) {
        double py = date.month0 == 0 ? date.year - 1 : date.year;
        double pm = date.month0 == 0 ? 11 : date.month0 - 1;
        week = delta_weeks(start_of_first_week(py, pm), today);
      }
      return std::floor(week);
    }
    case 'X': {
      double start = start_of_first_week(date.year, 0);
      double end = start_of_first_week(date.year + 1, 0);
      if (date.time < start) return date.year - 1;
      if (date.time >= end) return date.year + 1;
      return date.year;
    }
    case 'x': {
      double start = start_of_first_week(date.year, date.month0);
      double ny = date.month0 == 11 ? date.year + 1 : date.year;
      double nm = date.month0 == 11 ? 0 : date.month0 + 1;
      double end = start_of_first_week(ny, nm);
      if (date.time < start) return (date.month0 == 0 ? 11 : date.month0 - 1) + 1;
      if (date.time >= end) return nm + 1;
      return date.month0 + 1;
    }
    case 'H': return date.hours;
    case 'h': {
      double h = std::fmod(date.hours, 12);
      return h == 0 ? 12 : h;
    }
    case 'm': return date.minutes;
    case 's': return date.seconds;
    case 'f': return date.millis;
    default: return NAN;
  }
}

struct Marker {
  bool literal = false;
  std::string value;  // literal text
  char component = 0;
  std::string presentation1, presentation2;
  bool has_p2 = false;
  bool ordinal = false;
  bool has_width = false;
  std::optional<double> wmin, wmax;
  Case names = Case::kLower;
  bool has_names = false;
  bool has_integer_format = false;
  IntegerFormat integer_format;
  int n = 0;
};

std::string default_presentation(char c) {
  switch (c) {
    case 'Y': case 'M': case 'D': case 'd': case 'W': case 'w': case 'X': case 'x': case 'H': case 'h': case 'f':
      return "1";
    case 'F': case 'P': case 'C': case 'E':
      return "n";
    case 'm': case 's':
      return "01";
    case 'Z': case 'z':
      return "01:01";
    default:
      return "";
  }
}

std::optional<double> parse_width(const std::string& w) {
  if (w.empty() || w == "*") {
    if (w.empty()) return std::nullopt;
    return std::nullopt;
  }
  // parseInt
  std::size_t i = 0;
  bool neg = false;
  if (i < w.size() && (w[i] == '-' || w[i] == '+')) neg = w[i++] == '-';
  double v = 0;
  std::size_t d0 = i;
  while (i < w.size() && w[i] >= '0' && w[i] <= '9') v = v * 10 + (w[i++] - '0');
  if (i == d0) return NAN;
  return neg ? -v : v;
}

std::vector<Marker> analyse_datetime_picture(const std::string& picture) {
  std::vector<Marker> spec;
  auto add_literal = [&](std::size_t start, std::size_t end) {
    if (end > start) {
      std::string lit = picture.substr(start, end - start);
      std::string out;
      for (std::size_t i = 0; i < lit.size(); ++i) {
        if (lit.compare(i, 2, "]]") == 0) {
          out += ']';
          ++i;
        } else {
          out += lit[i];
        }
      }
      Marker m;
      m.literal = true;
      m.value = out;
      spec.push_back(m);
    }
  };
  std::size_t start = 0, pos = 0;
  while (pos < picture.size()) {
    if (picture[pos] == '[') {
      if (pos + 1 < picture.size() && picture[pos + 1] == '[') {
        add_literal(start, pos);
        Marker m;
        m.literal = true;
        m.value = "[";
        spec.push_back(m);
        pos += 2;
        start = pos;
        continue;
      }
      add_literal(start, pos);
      start = pos;
      pos = picture.find(']', start);
      if (pos == std::string::npos) throw_error("D3135");
      std::string raw = picture.substr(start + 1, pos - start - 1);
      std::string marker;
      for (char c : raw)
        if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r')) marker += c;
      Marker def;
      def.component = marker.empty() ? '\0' : marker[0];
      std::string pres;
      auto comma = marker.rfind(',');
      if (comma != std::string::npos) {
        std::string wm = marker.substr(comma + 1);
        auto dash = wm.find('-');
        std::string mn, mx;
        bool has_max = false;
        if (dash == std::string::npos) {
          mn = wm;
        } else {
          mn = wm.substr(0, dash);
          mx = wm.substr(dash + 1);
          has_max = true;
        }
        def.has_width = true;
        def.wmin = mn == "*" ? std::nullopt : parse_width(mn);
        if (has_max) def.wmax = mx == "*" ? std::nullopt : parse_width(mx);
        pres = marker.substr(1, comma - 1);
      } else {
        pres = marker.size() > 1 ? marker.substr(1) : "";
      }
      if (pres.size() == 1) {
        def.presentation1 = pres;
      } else if (pres.size() > 1) {
        char last = pres.back();
        if (std::string("atco").find(last) != std::string::npos) {
          def.presentation2 = std::string(1, last);
          def.has_p2 = true;
          if (last == 'o') def.ordinal = true;
          def.presentation1 = pres.substr(0, pres.size() - 1);
        } else {
          def.presentation1 = pres;
        }
      } else {
        def.presentation1 = default_presentation(def.component);
      }
      if (def.presentation1.empty()) throw_error("D3132", Value::string(std::string(1, def.component)));
      if (def.presentation1[0] == 'n') {
        def.has_names = true;
        def.names = Case::kLower;
      } else if (def.presentation1[0] == 'N') {
        def.has_names = true;
        def.names = (def.presentation1.size() > 1 && def.presentation1[1] == 'n') ? Case::kTitle : Case::kUpper;
      } else if (def.component && std::string("YMDdFWwXxHhmsf").find(def.component) != std::string::npos) {
        std::string ip = def.presentation1;
        if (def.has_p2) ip += ";" + def.presentation2;
        def.integer_format = analyse_integer_picture(ip);
        def.has_integer_format = true;
        if (def.has_width && def.wmin && !std::isnan(*def.wmin)) {
          if (def.integer_format.mandatory_digits < *def.wmin)
            def.integer_format.mandatory_digits = static_cast<int>(*def.wmin);
        }
        if (std::string("YMD").find(def.component) != std::string::npos) {
          def.n = -1;
          if (def.has_width && def.wmax && !std::isnan(*def.wmax)) {
            def.n = static_cast<int>(*def.wmax);
            def.integer_format.mandatory_digits = def.n;
          } else {
            int w = def.integer_format.mandatory_digits + def.integer_format.optional_digits;
            if (w >= 2) def.n = w;
          }
        }
      }
      if (def.component == 'Z' || def.component == 'z') {
        def.integer_format = analyse_integer_picture(def.presentation1);
        def.has_integer_format = true;
      }
      spec.push_back(def);
      start = pos + 1;
    }
    ++pos;
  }
  add_literal(start, pos);
  return spec;
}

std::string format_datetime(double millis, const Value& picture, const Value& timezone) {
  double offset_hours = 0, offset_minutes = 0;
  if (timezone.is_string()) {
    // parseInt
    const std::string& tz = timezone.as_string();
    std::size_t i = 0;
    while (i < tz.size() && tz[i] == ' ') ++i;
    bool neg = false;
    if (i < tz.size() && (tz[i] == '-' || tz[i] == '+')) neg = tz[i++] == '-';
    double v = 0;
    std::size_t d0 = i;
    while (i < tz.size() && tz[i] >= '0' && tz[i] <= '9') v = v * 10 + (tz[i++] - '0');
    double offset = i == d0 ? NAN : (neg ? -v : v);
    offset_hours = std::floor(offset / 100);
    offset_minutes = std::fmod(offset, 100);
  }
  static const std::vector<Marker> iso = analyse_datetime_picture("[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]");
  std::vector<Marker> parsed;
  const std::vector<Marker>* spec = &iso;
  if (picture.is_string()) {
    parsed = analyse_datetime_picture(picture.as_string());
    spec = &parsed;
  }
  double offset_millis = (60 * offset_hours + offset_minutes) * 60 * 1000;
  DateParts date = split_date(millis + offset_millis);
  std::string result;
  for (const Marker& m : *spec) {
    if (m.literal) {
      result += m.value;
      continue;
    }
    char c = m.component;
    std::string out;
    if (c && std::string("YMDdFWwXxHhms").find(c) != std::string::npos) {
      double v = fragment(date, c);
      if (c == 'Y' && m.n != -1 && m.n != 0) v = std::fmod(v, std::pow(10, m.n));
      if (m.has_names && std::isnan(v)) {
        out = "undefined";  // months[NaN] / days[NaN] in jsonata-js
      } else if (m.has_names) {
        if (c == 'M' || c == 'x') {
          out = kMonths[static_cast<int>(v) - 1];
        } else if (c == 'F') {
          out = kDays[static_cast<int>(v)];
        } else {
          throw_error("D3133", Value::string(std::string(1, c)));
        }
        if (m.names == Case::kUpper) out = ascii_upper(out);
        else if (m.names == Case::kLower) out = ascii_lower(out);
        if (m.has_width && m.wmax && out.size() > *m.wmax) out = out.substr(0, static_cast<std::size_t>(*m.wmax));
      } else {
        out = format_integer_impl(v, m.integer_format);
      }
    } else if (c == 'f') {
      out = format_integer_impl(fragment(date, c), m.integer_format);
    } else if (c == 'Z' || c == 'z') {
      double offset = offset_hours * 100 + offset_minutes;
      if (m.integer_format.regular) {
        out = format_integer_impl(offset, m.integer_format);
      } else {
        int digits = m.integer_format.mandatory_digits;
        if (digits == 1 || digits == 2) {
          out = format_integer_impl(offset_hours, m.integer_format);
          if (offset_minutes != 0) {
            IntegerFormat two = analyse_integer_picture("00");
            out += ":" + format_integer_impl(offset_minutes, two);
          }
        } else if (digits == 3 || digits == 4) {
          out = format_integer_impl(offset, m.integer_format);
        } else {
          throw_error("D3134", Value::number(digits));
        }
      }
      if (offset >= 0) out = "+" + out;
      if (c == 'z') out = "GMT" + out;
      if (offset == 0 && m.presentation2 == "t") out = "Z";
    } else if (c == 'P') {
      out = date.hours >= 12 ? "pm" : "am";
      if (m.has_names && m.names == Case::kUpper) out = ascii_upper(out);
    } else if (c == 'C' || c == 'E') {
      out = "ISO";
      if (m.has_names && m.names == Case::kUpper) out = ascii_upper(out);
    } else {
      // unknown component: jsonata-js appends "undefined"
      out = "undefined";
    }
    result += out;
  }
  return result;
}

// ---- parsing ------------------------------------------------------------
struct PartMatcher {
  std::string regex;
  char component = 0;
  enum Kind { kNone, kInteger, kOffset, kLookup } kind = kNone;
  IntegerFormat integer;
  bool offset_has_sep = false;
  std::string offset_sep;
  bool offset_gmt = false;
  std::map<std::string, double> lookup;
};

std::string escape_regex(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string(".*+?^${}()|[]\\").find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

PartMatcher integer_matcher(const IntegerFormat& f) {
  PartMatcher pm;
  pm.kind = PartMatcher::kInteger;
  pm.integer = f;
  bool upper = f.tcase == Case::kUpper;
  std::string occurrences;
  if (f.n > 0) {
    if (f.optional_digits == 0) {
      occurrences = "{" + std::to_string(f.n) + "}";
    } else {
      occurrences = "{" + std::to_string(f.n - f.optional_digits) + "," + std::to_string(f.n) + "}";
    }
  } else {
    occurrences = "+";
  }
  switch (f.primary) {
    case Primary::kLetters:
      pm.regex = upper ? "[A-Z]+" : "[a-z]+";
      break;
    case Primary::kRoman:
      pm.regex = upper ? "[MDCLXVI]+" : "[mdclxvi]+";
      break;
    case Primary::kWords: {
      std::string alts;
      for (const auto& [w, v] : word_values()) alts += w + "|";
      pm.regex = "(?:" + alts + "and|[\\-, ])+";
      break;
    }
    case Primary::kDecimal:
      pm.regex = "[0-9]" + occurrences;
      if (f.ordinal) pm.regex += "(?:th|st|nd|rd)";
      break;
    case Primary::kSequence:
      throw_error("D3130", Value::string(f.token));
  }
  return pm;
}

double parse_int_js(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  double v = 0;
  std::size_t d0 = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
  if (i == d0) return NAN;
  return neg ? -v : v;
}

double parse_integer_value(const PartMatcher& pm, const std::string& value) {
  const IntegerFormat& f = pm.integer;
  bool upper = f.tcase == Case::kUpper;
  switch (f.primary) {
    case Primary::kLetters:
      return letters_to_decimal(value, upper ? 'A' : 'a');
    case Primary::kRoman:
      return roman_to_decimal(upper ? value : ascii_upper(value));
    case Primary::kWords:
      return words_to_number(ascii_lower(value));
    case Primary::kDecimal: {
      std::string digits = value;
      if (f.ordinal) digits = digits.substr(0, digits.size() >= 2 ? digits.size() - 2 : 0);
      auto remove_all = [&](const std::string& sep) {
        if (sep.empty()) return;
        std::string out;
        std::size_t p = 0, q;
        while ((q = digits.find(sep, p)) != std::string::npos) {
          out += digits.substr(p, q - p);
          p = q + sep.size();
        }
        out += digits.substr(p);
        digits = out;
      };
      if (f.regular) {
        remove_all(",");
      } else {
        for (const auto& s : f.separators) remove_all(s.character);
      }
      if (f.zero_code != 0x30) {
        auto cps = to_code_points(digits);
        std::string conv;
        for (auto cp : cps) append_utf8(conv, cp - f.zero_code + 0x30);
        digits = conv;
      }
      return parse_int_js(digits);
    }
    case Primary::kSequence:
      break;
  }
  return NAN;
}

std::vector<PartMatcher> generate_matchers(const std::vector<Marker>& spec) {
  std::vector<PartMatcher> parts;
  for (const Marker& part : spec) {
    PartMatcher res;
    if (part.literal) {
      res.regex = escape_regex(part.value);
    } else if (part.component == 'Z' || part.component == 'z') {
      res.kind = PartMatcher::kOffset;
      if (part.integer_format.regular) {
        res.offset_has_sep = true;
        res.offset_sep = part.integer_format.regular_separator.character;
      }
      res.offset_gmt = part.component == 'z';
      res.regex = res.offset_gmt ? "GMT" : "";
      res.regex += "[-+][0-9]+";
      if (res.offset_has_sep) res.regex += res.offset_sep + "[0-9]+";
    } else if (part.has_integer_format) {
      IntegerFormat f = part.integer_format;
      f.n = part.n;
      res = integer_matcher(f);
    } else {
      res.kind = PartMatcher::kLookup;
      res.regex = "[a-zA-Z]+";
      if (part.component == 'M' || part.component == 'x') {
        for (int i = 0; i < 12; ++i) {
          std::string name = kMonths[i];
          if (part.has_width && part.wmax && *part.wmax > 0) name = name.substr(0, static_cast<std::size_t>(*part.wmax));
          res.lookup[name] = i + 1;
        }
      } else if (part.component == 'F') {
        for (int i = 1; i < 8; ++i) {
          std::string name = kDays[i];
          if (part.has_width && part.wmax && *part.wmax > 0) name = name.substr(0, static_cast<std::size_t>(*part.wmax));
          res.lookup[name] = i;
        }
      } else if (part.component == 'P') {
        res.lookup = {{"am", 0}, {"AM", 0}, {"pm", 1}, {"PM", 1}};
      } else {
        throw_error("D3133", Value::string(std::string(1, part.component)));
      }
    }
    res.component = part.literal ? 0 : part.component;
    parts.push_back(std::move(res));
  }
  return parts;
}

double parse_offset(const PartMatcher& pm, std::string value) {
  if (pm.offset_gmt) value = value.substr(3);
  double hours = 0, minutes = 0;
  if (pm.offset_has_sep) {
    auto p = value.find(pm.offset_sep);
    hours = parse_int_js(value.substr(0, p));
    minutes = parse_int_js(value.substr(p + pm.offset_sep.size()));
  } else {
    std::size_t numdigits = value.size() - 1;
    if (numdigits <= 2) {
      hours = parse_int_js(value);
    } else {
      hours = parse_int_js(value.substr(0, 3));
      minutes = parse_int_js(value.substr(3));
    }
  }
  return hours * 60 + minutes;
}

Value parse_datetime(const std::string& timestamp, const std::string& picture, double now_ms) {
  auto spec = analyse_datetime_picture(picture);
  auto parts = generate_matchers(spec);
  std::string full = "^";
  for (const auto& p : parts) full += "(" + p.regex + ")";
  full += "$";
  std::string err;
  auto re = Regex::compile(full, "i", &err);
  if (!re) return Value();
  std::u16string subject = to_utf16(timestamp);
  Regex::Match m;
  if (!re->exec(subject, 0, &m)) return Value();
  std::map<char, double> components;
  for (std::size_t i = 0; i < parts.size() && i < m.groups.size(); ++i) {
    const PartMatcher& pm = parts[i];
    if (pm.kind == PartMatcher::kNone) continue;
    std::string text = m.groups[i] ? from_utf16(subject.substr(m.groups[i]->first, m.groups[i]->second - m.groups[i]->first)) : "";
    double v = NAN;
    if (pm.kind == PartMatcher::kInteger) v = parse_integer_value(pm, text);
    else if (pm.kind == PartMatcher::kOffset) v = parse_offset(pm, text);
    else {
      auto it = pm.lookup.find(text);
      if (it == pm.lookup.end()) {
        components[pm.component] = NAN;  // defined-but-undefined in JS: treat as missing below
        components.erase(pm.component);
        continue;
      }
      v = it->second;
    }
    components[pm.component] = v;
  }
  if (components.empty()) return Value();
  auto has = [&](char c) {
    auto it = components.find(c);
    return it != components.end();
  };
  auto truthy_c = [&](char c) {
    auto it = components.find(c);
    return it != components.end() && it->second != 0 && !std::isnan(it->second);
  };
  int mask = 0;
  auto shift = [&](bool bit) { mask = (mask << 1) + (bit ? 1 : 0); };
  auto is_type = [&](int type) { return !(~type & mask) && !!(type & mask); };
  for (char c : std::string("YXMxWwdD")) shift(truthy_c(c));
  bool dateA = is_type(161);
  bool dateB = !dateA && is_type(130);
  bool dateC = is_type(84);
  bool dateD = !dateC && is_type(72);
  mask = 0;
  for (char c : std::string("PHhmsf")) shift(truthy_c(c));
  bool timeA = is_type(23);
  bool timeB = !timeA && is_type(47);
  std::string comps = std::string(dateB ? "YD" : dateC ? "XxwF" : dateD ? "XWF" : "YMD") + (timeB ? "Phmsf" : "Hmsf");
  DateParts now = split_date(now_ms);
  bool start_specified = false, end_specified = false;
  for (char part : comps) {
    if (!has(part)) {
      if (start_specified) {
        components[part] = std::string("MDd").find(part) != std::string::npos ? 1 : 0;
        end_specified = true;
      } else {
        components[part] = part == 'P' ? (now.hours >= 12 ? 1 : 0) : fragment(now, part);
      }
    } else {
      start_specified = true;
      if (end_specified) throw_error("D3136");
    }
  }
  if (components['M'] > 0) {
    components['M'] -= 1;
  } else {
    components['M'] = 0;
  }
  if (dateB) {
    double first = date_utc(components['Y'], 0);
    double derived = first + (components['d'] - 1) * kMsPerDay;
    DateParts dp = split_date(derived);
    components['M'] = dp.month0;
    components['D'] = dp.day;
  }
  if (dateC || dateD) throw_error("D3136");
  if (timeB) {
    components['H'] = components['h'] == 12 ? 0 : components['h'];
    if (components['P'] == 1) components['H'] += 12;
  }
  double millis = date_utc(components['Y'], components['M'], components['D'], components['H'], components['m'],
                           components['s'], components['f']);
  double z = has('Z') ? components['Z'] : 0;
  if (z == 0 && has('z')) z = components['z'];
  if (z != 0 && !std::isnan(z)) millis -= z * 60 * 1000;
  if (std::isnan(millis)) return Value();
  return Value::number(millis);
}

// ISO 8601 as Date.parse accepts the forms the regex lets through.
Value parse_iso(const std::string& ts) {
  // ^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$
  static const auto re = Regex::compile(
      "^\\d{4}(-[01]\\d)*(-[0-3]\\d)*(T[0-2]\\d:[0-5]\\d:[0-5]\\d)*(\\.\\d+)?([+-][0-2]\\d:?[0-5]\\d|Z)?$", "",
      nullptr);
  std::u16string s = to_utf16(ts);
  Regex::Match m;
  if (!re->exec(s, 0, &m)) throw_error("D3110", Value::string(ts));
  // Date.parse (V8) of the accepted shapes
  auto num = [&](std::size_t pos, std::size_t len) {
    double v = 0;
    for (std::size_t i = pos; i < pos + len && i < ts.size(); ++i) v = v * 10 + (ts[i] - '0');
    return v;
  };
  std::size_t p = 0;
  double year = num(0, 4);
  p = 4;
  double month = 1, day = 1, h = 0, mi = 0, sec = 0, ms = 0;
  bool has_time = false;
  double offset = 0;
  if (p < ts.size() && ts[p] == '-') {
    month = num(p + 1, 2);
    p += 3;
    if (p < ts.size() && ts[p] == '-') {
      day = num(p + 1, 2);
      p += 3;
    }
  }
  if (p < ts.size() && ts[p] == 'T') {
    has_time = true;
    h = num(p + 1, 2);
    mi = num(p + 4, 2);
    sec = num(p + 7, 2);
    p += 9;
  }
  if (p < ts.size() && ts[p] == '.') {
    std::size_t q = p + 1;
    std::string frac;
    while (q < ts.size() && ts[q] >= '0' && ts[q] <= '9') frac += ts[q++];
    while (frac.size() < 3) frac += '0';
    ms = num(0, 0) + std::stod(frac.substr(0, 3));
    p = q;
  }
  if (p < ts.size()) {
    if (ts[p] == 'Z') {
      ++p;
    } else {
      double sign = ts[p] == '-' ? -1 : 1;
      double oh = num(p + 1, 2);
      std::size_t q = p + 3;
      if (q < ts.size() && ts[q] == ':') ++q;
      double om = num(q, 2);
      offset = sign * (oh * 60 + om);
      p = q + 2;
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || h > 24 || mi > 59 || sec > 59) return Value::number(NAN);
  (void)has_time;
  double t = date_utc(year, month - 1, day, h, mi, sec, ms) - offset * 60000;
  return Value::number(t);
}

}  // namespace

Value builtin_format_integer(Evaluator&, Args& a, const Value&, const Env&) {
  if (a.empty() || a[0].is_undefined()) return Value();
  double v = std::floor(a[0].as_number());
  IntegerFormat f = analyse_integer_picture(a.size() > 1 && a[1].is_string() ? a[1].as_string() : "");
  return Value::string(format_integer_impl(v, f));
}

Value builtin_parse_integer(Evaluator&, Args& a, const Value&, const Env&) {
  if (a.empty() || a[0].is_undefined()) return Value();
  IntegerFormat f = analyse_integer_picture(a.size() > 1 && a[1].is_string() ? a[1].as_string() : "");
  PartMatcher pm = integer_matcher(f);
  double r = parse_integer_value(pm, a[0].as_string());
  return Value::number(r);
}

Value builtin_from_millis(Evaluator&, Args& a, const Value&, const Env&) {
  if (a.empty() || a[0].is_undefined()) return Value();
  Value picture = a.size() > 1 ? a[1] : Value();
  Value tz = a.size() > 2 ? a[2] : Value();
  return Value::string(format_datetime(a[0].as_number(), picture, tz));
}

Value builtin_to_millis(Evaluator& ev, Args& a, const Value&, const Env&) {
  if (a.empty() || a[0].is_undefined()) return Value();
  if (a.size() < 2 || a[1].is_undefined()) return parse_iso(a[0].as_string());
  return parse_datetime(a[0].as_string(), a[1].as_string(), static_cast<double>(ev.now_ms()));
}

}  // namespace stepfiber::jsonata
