// Bytes from the kernel CSPRNG (getrandom), buffered so that issuing a
// token costs a memcpy rather than a syscall.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace stepfiber::runtime {

class SecureRandom {
 public:
  /// Fills `out` with `n` bytes. Aborts the process if the kernel CSPRNG is
  /// unavailable (there is no safe fallback for token secrets).
  void fill(std::uint8_t* out, std::size_t n);

 private:
  void refill();
  std::array<std::uint8_t, 4096> buf_{};
  std::size_t pos_ = sizeof(buf_);
};

}  // namespace stepfiber::runtime
