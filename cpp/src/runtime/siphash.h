// SipHash-2-4 with 128-bit output (Aumasson & Bernstein): a keyed PRF used
// to authenticate task tokens, so a closed token can be told from a forged
// one without storing every token ever issued.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace stepfiber::runtime {

std::array<std::uint8_t, 16> siphash128(const std::array<std::uint8_t, 16>& key,
                                        const std::uint8_t* data, std::size_t len);

}  // namespace stepfiber::runtime
