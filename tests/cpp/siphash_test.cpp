#include "runtime/siphash.h"

#include <array>
#include <cstdint>

#include <gtest/gtest.h>

namespace stepfiber::runtime {
namespace {

// Reference vectors of SipHash-2-4-128 (veorq/SipHash vectors_sip128):
// key 00..0f, message 00..(len-1).
TEST(SipHash, MatchesReferenceVectors) {
  std::array<std::uint8_t, 16> key{};
  for (int i = 0; i < 16; ++i) key[i] = static_cast<std::uint8_t>(i);
  const std::uint8_t msg[3] = {0, 1, 2};
  const std::array<std::array<std::uint8_t, 16>, 3> expected = {{
      {0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6, 0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93},
      {0xda, 0x87, 0xc1, 0xd8, 0x6b, 0x99, 0xaf, 0x44, 0x34, 0x76, 0x59, 0x11, 0x9b, 0x22, 0xfc, 0x45},
      {0x81, 0x77, 0x22, 0x8d, 0xa4, 0xa4, 0x5d, 0xc7, 0xfc, 0xa3, 0x8b, 0xde, 0xf6, 0x0a, 0xff, 0xe4},
  }};
  for (std::size_t len = 0; len < expected.size(); ++len) {
    EXPECT_EQ(siphash128(key, msg, len), expected[len]) << "len " << len;
  }
}

TEST(SipHash, DependsOnKey) {
  std::array<std::uint8_t, 16> a{}, b{};
  b[15] = 1;
  const std::uint8_t msg[24] = {};
  EXPECT_NE(siphash128(a, msg, sizeof(msg)), siphash128(b, msg, sizeof(msg)));
}

}  // namespace
}  // namespace stepfiber::runtime
