// MD5, SHA-1, SHA-256, SHA-384 and SHA-512 as lowercase hex, shared by the
// States.Hash intrinsic and JSONata's $hash (no crypto library needed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stepfiber::common {

/// Hex digest of `data` for "MD5", "SHA-1", "SHA-256", "SHA-384" or
/// "SHA-512"; nullopt for any other algorithm name.
std::optional<std::string> hex_digest(std::string_view algorithm, std::string_view data);

/// `n` bytes as lowercase hex.
std::string hex(const std::uint8_t* bytes, std::size_t n);

}  // namespace stepfiber::common
