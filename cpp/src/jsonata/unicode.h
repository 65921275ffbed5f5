// UTF-8 / UTF-16 helpers: JSONata counts code points in some functions and
// UTF-16 units in others (regex offsets, indexOf, comparison).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stepfiber::jsonata {

/// Appends one code point (or a lone surrogate, WTF-8 style) as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);
/// Decodes UTF-8 (WTF-8) into code points; invalid bytes become U+FFFD.
std::vector<std::uint32_t> to_code_points(std::string_view s);
/// Encodes code points as UTF-8.
std::string from_code_points(const std::uint32_t* cps, std::size_t n);
/// Number of code points.
std::size_t code_point_length(std::string_view s);
/// UTF-8 -> UTF-16 (lone surrogates kept as units).
std::u16string to_utf16(std::string_view s);
/// UTF-16 -> UTF-8 (lone surrogates as WTF-8).
std::string from_utf16(std::u16string_view s);
/// Length in UTF-16 units.
std::size_t utf16_length(std::string_view s);
/// Compares as JavaScript compares strings (UTF-16 unit order): <0, 0, >0.
int compare_utf16(std::string_view a, std::string_view b);
/// Appends s as a JSON string literal, escaped as JSON.stringify does.
void append_json_quoted(std::string& out, std::string_view s);

}  // namespace stepfiber::jsonata
