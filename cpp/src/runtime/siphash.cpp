#include "runtime/siphash.h"

#include <cstring>

namespace stepfiber::runtime {
namespace {

inline std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

inline std::uint64_t load_le64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

inline void store_le64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

struct State {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  }
};

}  // namespace

std::array<std::uint8_t, 16> siphash128(const std::array<std::uint8_t, 16>& key,
                                        const std::uint8_t* data, std::size_t len) {
  const std::uint64_t k0 = load_le64(key.data());
  const std::uint64_t k1 = load_le64(key.data() + 8);
  State s{0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1,
          0x6c7967656e657261ULL ^ k0, 0x7465646279746573ULL ^ k1};
  s.v1 ^= 0xee;  // 128-bit output variant
  const std::size_t full = len - (len % 8);
  for (std::size_t i = 0; i < full; i += 8) {
    std::uint64_t m = load_le64(data + i);
    s.v3 ^= m;
    s.round();
    s.round();
    s.v0 ^= m;
  }
  std::uint64_t b = static_cast<std::uint64_t>(len) << 56;
  for (std::size_t i = 0; i < len % 8; ++i) b |= static_cast<std::uint64_t>(data[full + i]) << (8 * i);
  s.v3 ^= b;
  s.round();
  s.round();
  s.v0 ^= b;
  s.v2 ^= 0xee;
  for (int i = 0; i < 4; ++i) s.round();
  std::array<std::uint8_t, 16> out{};
  store_le64(out.data(), s.v0 ^ s.v1 ^ s.v2 ^ s.v3);
  s.v1 ^= 0xdd;
  for (int i = 0; i < 4; ++i) s.round();
  store_le64(out.data() + 8, s.v0 ^ s.v1 ^ s.v2 ^ s.v3);
  return out;
}

}  // namespace stepfiber::runtime
