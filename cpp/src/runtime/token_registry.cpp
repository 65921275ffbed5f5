#include "runtime/token_registry.h"

#include <algorithm>
#include <cstring>

#include "runtime/siphash.h"

namespace stepfiber::runtime {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kRawLength = 40;

std::string encode(const std::uint8_t* raw) {
  std::string out;
  out.reserve(TokenRegistry::kTokenLength);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < kRawLength; ++i) {
    acc = (acc << 8) | raw[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

bool decode(std::string_view text, std::uint8_t* raw) {
  if (text.size() != TokenRegistry::kTokenLength) return false;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t n = 0;
  for (char c : text) {
    int v = decode_char(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < kRawLength) raw[n++] = static_cast<std::uint8_t>(acc >> bits);
    }
  }
  // Canonical encoding only: the unused low bits of the last char are zero.
  return n == kRawLength && (acc & ((1u << bits) - 1)) == 0;
}

void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get_u32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}

}  // namespace

TokenRegistry::TokenRegistry() {
  random_.fill(key_.data(), key_.size());
  random_.fill(secret_key_.data(), secret_key_.size());
}

std::array<std::uint8_t, 16> TokenRegistry::mac(const std::uint8_t* body24) const {
  return siphash128(key_, body24, 24);
}

TokenRegistry::Issued TokenRegistry::issue(std::uint32_t execution, std::uint32_t strand, std::uint32_t epoch) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back().generation = generation_floor_;
  }
  Slot& s = slots_[slot];
  s.execution = execution;
  s.strand = strand;
  s.epoch = epoch;
  s.open = true;
  ++open_;
  return Issued{token_of(slot), slot};
}

std::string TokenRegistry::token_of(std::uint32_t slot) const {
  std::uint8_t raw[kRawLength];
  put_u32(raw, slot);
  put_u32(raw + 4, slots_[slot].generation);
  const auto secret = siphash128(secret_key_, raw, 8);
  std::memcpy(raw + 8, secret.data(), secret.size());
  const auto tag = mac(raw);
  std::memcpy(raw + 24, tag.data(), tag.size());
  return encode(raw);
}

TokenRegistry::Found TokenRegistry::find(std::string_view token) const {
  std::uint8_t raw[kRawLength];
  if (!decode(token, raw)) return Found{Lookup::kInvalid};
  auto tag = mac(raw);
  // Constant-time comparison of the MAC.
  std::uint8_t diff = 0;
  for (std::size_t i = 0; i < tag.size(); ++i) diff |= static_cast<std::uint8_t>(tag[i] ^ raw[24 + i]);
  if (diff != 0) return Found{Lookup::kInvalid};
  const std::uint32_t slot = get_u32(raw);
  const std::uint32_t generation = get_u32(raw + 4);
  // Authentic tokens name slots that exist or were dropped by shrink().
  if (slot >= slots_.size()) return Found{Lookup::kClosed, slot};
  const Slot& s = slots_[slot];
  if (!s.open || s.generation != generation) return Found{Lookup::kClosed, slot};
  return Found{Lookup::kOpen, slot, s.execution, s.strand, s.epoch};
}

void TokenRegistry::shrink() {
  std::size_t keep = slots_.size();
  while (keep > 0 && !slots_[keep - 1].open) --keep;
  for (std::size_t i = keep; i < slots_.size(); ++i) {
    generation_floor_ = std::max(generation_floor_, slots_[i].generation + 1);
  }
  slots_.resize(keep);
  slots_.shrink_to_fit();
  std::erase_if(free_, [keep](std::uint32_t s) { return s >= keep; });
  free_.shrink_to_fit();
}

void TokenRegistry::close(std::uint32_t slot) {
  Slot& s = slots_[slot];
  if (!s.open) return;
  s.open = false;
  ++s.generation;
  --open_;
  free_.push_back(slot);
}

}  // namespace stepfiber::runtime
