// Task tokens: issue, O(1) lookup, close. Engine-thread only.
//
// A token is base64url(slot u32 | generation u32 | 16 secret bytes | 16-byte
// SipHash-2-4 MAC over the first 24 bytes). The secret bytes are SipHash-128
// of (slot, generation) under a second key: unpredictable without the key,
// like random bytes, but recomputable, so an open token is never stored --
// token_of(slot) rebuilds it. Both keys come from the kernel CSPRNG per
// engine. The slot locates the waiting task in a flat vector; the
// generation tells the current task from earlier ones in the same slot; the
// MAC proves the engine issued the token. Hence:
//   - bad shape or bad MAC                -> kInvalid  (InvalidToken)
//   - authentic but not the open task     -> kClosed   (TaskTimedOut)
//   - authentic and open                  -> kOpen
// Slots are recycled through a free list: no heap work per token.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/secure_random.h"

namespace stepfiber::runtime {

class TokenRegistry {
 public:
  static constexpr std::size_t kTokenLength = 54;  // base64url of 40 bytes

  TokenRegistry();

  struct Issued {
    std::string token;
    std::uint32_t slot;
  };
  /// Opens a token for the task awaited by (execution, strand, epoch).
  Issued issue(std::uint32_t execution, std::uint32_t strand, std::uint32_t epoch);

  enum class Lookup { kOpen, kClosed, kInvalid };
  struct Found {
    Lookup status;
    std::uint32_t slot = 0;
    std::uint32_t execution = 0;
    std::uint32_t strand = 0;
    std::uint32_t epoch = 0;
  };
  Found find(std::string_view token) const;
  /// The token of the open task in `slot` (as issue() returned it).
  std::string token_of(std::uint32_t slot) const;

  /// Closes an open slot; every token that named it now reads kClosed.
  void close(std::uint32_t slot);

  std::size_t open_count() const noexcept { return open_; }
  /// Drops the free slots above the highest open one and gives their memory
  /// back. Tokens that named a dropped slot keep reading kClosed: slots
  /// carved again later start above every generation dropped. O(slots).
  void shrink();

 private:
  struct Slot {
    std::uint32_t generation = 0;
    std::uint32_t execution = 0;
    std::uint32_t strand = 0;
    std::uint32_t epoch = 0;
    bool open = false;
  };
  std::array<std::uint8_t, 16> mac(const std::uint8_t* body24) const;

  std::array<std::uint8_t, 16> key_{};
  std::array<std::uint8_t, 16> secret_key_{};  ///< derives the 16 secret bytes
  SecureRandom random_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::size_t open_ = 0;
  std::uint32_t generation_floor_ = 0;  ///< first generation of a newly carved slot
};

}  // namespace stepfiber::runtime
