#include "runtime/token_registry.h"

#include <cstdint>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

namespace stepfiber::runtime {
namespace {

TEST(TokenRegistry, IssuedTokenIsFoundOpen) {
  TokenRegistry reg;
  auto t = reg.issue(7, 0, 3);
  EXPECT_EQ(t.token.size(), TokenRegistry::kTokenLength);
  auto f = reg.find(t.token);
  EXPECT_EQ(f.status, TokenRegistry::Lookup::kOpen);
  EXPECT_EQ(f.execution, 7u);
  EXPECT_EQ(f.epoch, 3u);
  EXPECT_EQ(reg.open_count(), 1u);
}

TEST(TokenRegistry, ClosedTokenReadsClosedEvenAfterSlotReuse) {
  TokenRegistry reg;
  auto a = reg.issue(1, 0, 1);
  reg.close(a.slot);
  EXPECT_EQ(reg.find(a.token).status, TokenRegistry::Lookup::kClosed);
  auto b = reg.issue(2, 0, 1);
  EXPECT_EQ(b.slot, a.slot);  // recycled
  EXPECT_EQ(reg.find(a.token).status, TokenRegistry::Lookup::kClosed);
  EXPECT_EQ(reg.find(b.token).status, TokenRegistry::Lookup::kOpen);
  EXPECT_EQ(reg.open_count(), 1u);
}

TEST(TokenRegistry, ShrinkKeepsOpenTokensAndOldTokensStayClosed) {
  TokenRegistry reg;
  std::vector<TokenRegistry::Issued> issued;
  for (std::uint32_t i = 0; i < 100; ++i) issued.push_back(reg.issue(i, 0, 1));
  for (std::size_t i = 0; i < issued.size(); ++i) {
    if (i != 10) reg.close(issued[i].slot);  // slot 10 stays open
  }
  reg.shrink();
  EXPECT_EQ(reg.find(issued[10].token).status, TokenRegistry::Lookup::kOpen);
  EXPECT_EQ(reg.find(issued[10].token).execution, 10u);
  for (std::size_t i = 0; i < issued.size(); ++i) {
    if (i != 10) {
      EXPECT_EQ(reg.find(issued[i].token).status, TokenRegistry::Lookup::kClosed) << i;
    }
  }
  // New tokens reuse the low free slots and carve the dropped ones again;
  // none of them revives an old token.
  std::vector<TokenRegistry::Issued> fresh;
  for (std::uint32_t i = 0; i < 150; ++i) fresh.push_back(reg.issue(1000 + i, 0, 1));
  for (std::size_t i = 0; i < issued.size(); ++i) {
    if (i != 10) {
      EXPECT_EQ(reg.find(issued[i].token).status, TokenRegistry::Lookup::kClosed) << i;
    }
  }
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    auto f = reg.find(fresh[i].token);
    EXPECT_EQ(f.status, TokenRegistry::Lookup::kOpen) << i;
    EXPECT_EQ(f.execution, 1000u + i);
  }
  EXPECT_EQ(reg.open_count(), 151u);
}

TEST(TokenRegistry, GarbageIsInvalid) {
  TokenRegistry reg;
  (void)reg.issue(1, 0, 1);
  for (std::string s : {std::string(""), std::string("NoSuchTaskToken"), std::string(54, 'A'),
                        std::string(54, '!'), std::string(2048, 'x')}) {
    EXPECT_EQ(reg.find(s).status, TokenRegistry::Lookup::kInvalid) << s;
  }
}

TEST(TokenRegistry, EverySingleCharacterMutationIsInvalid) {
  TokenRegistry reg;
  auto t = reg.issue(1, 0, 1);
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t i = 0; i < t.token.size(); ++i) {
    for (char c : {'A', 'z', '0', '-', '_'}) {
      if (t.token[i] == c) continue;
      std::string m = t.token;
      m[i] = c;
      EXPECT_EQ(reg.find(m).status, TokenRegistry::Lookup::kInvalid) << i;
    }
  }
  EXPECT_EQ(reg.find(t.token.substr(0, t.token.size() - 1)).status, TokenRegistry::Lookup::kInvalid);
  EXPECT_EQ(reg.find(t.token + "A").status, TokenRegistry::Lookup::kInvalid);
}

TEST(TokenRegistry, TokensFromAnotherRegistryAreInvalid) {
  TokenRegistry a, b;
  auto t = a.issue(0, 0, 1);
  (void)b.issue(0, 0, 1);
  EXPECT_EQ(b.find(t.token).status, TokenRegistry::Lookup::kInvalid);
}

TEST(TokenRegistry, TokensAreDistinct) {
  TokenRegistry reg;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto t = reg.issue(static_cast<std::uint32_t>(i), 0, 1);
    EXPECT_TRUE(seen.insert(t.token).second);
    reg.close(t.slot);  // same slot reused every time: tokens still differ
  }
}

// Issue #5: a million random and mutated tokens. find() may say kOpen only
// for the exact text of an issued, open token, and then for that token's
// own slot; every mutation of a real token must be rejected, never resolved
// to some other open slot.
TEST(TokenRegistry, AMillionRandomAndMutatedTokensAreNeverAccepted) {
  TokenRegistry reg;
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::vector<TokenRegistry::Issued> issued;
  std::unordered_map<std::string, std::uint32_t> open;  // token -> execution
  for (std::uint32_t i = 0; i < 64; ++i) {
    auto t = reg.issue(1000 + i, i % 3, i);
    if (i % 8 == 7) reg.close(t.slot);  // some closed ones to mutate too
    else open.emplace(t.token, 1000 + i);
    issued.push_back(t);
  }
  std::mt19937_64 rng(20240505);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  std::size_t tried = 0, wrongly_open = 0;
  auto check = [&](const std::string& candidate) {
    ++tried;
    auto f = reg.find(candidate);
    if (f.status != TokenRegistry::Lookup::kOpen) return;
    auto it = open.find(candidate);
    if (it == open.end() || it->second != f.execution) {
      ++wrongly_open;
      ADD_FAILURE() << "accepted: " << candidate;
    }
  };
  constexpr std::size_t kPerKind = 200000;
  // 1. Random bytes of varied length (0..127), NULs and high bytes included.
  for (std::size_t n = 0; n < kPerKind; ++n) {
    std::string s(pick(128), '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    check(s);
  }
  // 2. Random base64url strings, mostly of the token length.
  for (std::size_t n = 0; n < kPerKind; ++n) {
    std::size_t len = n % 4 == 0 ? pick(108) : TokenRegistry::kTokenLength;
    std::string s(len, 'A');
    for (auto& c : s) c = alphabet[pick(64)];
    check(s);
  }
  // 3. Bit flips (1 to 3 bits) of a valid token.
  for (std::size_t n = 0; n < kPerKind; ++n) {
    std::string s = issued[pick(issued.size())].token;
    for (std::size_t k = 0, flips = 1 + pick(3); k < flips; ++k) s[pick(s.size())] ^= static_cast<char>(1u << pick(8));
    check(s);
  }
  // 4. Truncations and extensions of a valid token.
  for (std::size_t n = 0; n < kPerKind / 2; ++n) {
    const std::string& t = issued[pick(issued.size())].token;
    std::string s;
    switch (n % 4) {
      case 0: s = t.substr(0, pick(t.size())); break;                      // truncated
      case 1: s = t + std::string(1 + pick(8), alphabet[pick(64)]); break;  // extended
      case 2: s = std::string(1, alphabet[pick(64)]) + t.substr(0, t.size() - 1); break;  // shifted right
      case 3: s = t.substr(1) + alphabet[pick(64)]; break;                  // shifted left
    }
    check(s);
  }
  // 5. A valid token of another execution with one character altered (every
  //    position, every replacement character, round-robin).
  for (std::size_t n = 0; n < kPerKind; ++n) {
    std::string s = issued[n % issued.size()].token;
    std::size_t pos = (n / issued.size()) % s.size();
    char c = alphabet[(n / (issued.size() * s.size()) + pick(63) + 1 + alphabet.find(s[pos])) % 64];
    if (c == s[pos]) c = alphabet[(alphabet.find(c) + 1) % 64];
    s[pos] = c;
    check(s);
  }
  // 6. Splices: the slot/generation half of one token with the MAC half of another.
  for (std::size_t n = 0; n < kPerKind / 2; ++n) {
    const std::size_t ia = pick(issued.size()), ib = (ia + 1 + pick(issued.size() - 1)) % issued.size();
    const std::string& a = issued[ia].token;
    const std::string& b = issued[ib].token;
    std::size_t cut = 1 + pick(a.size() - 1);
    check(a.substr(0, cut) + b.substr(cut));
  }
  // The issued tokens themselves still read right.
  for (const auto& t : issued) {
    auto f = reg.find(t.token);
    EXPECT_EQ(f.status, open.count(t.token) ? TokenRegistry::Lookup::kOpen : TokenRegistry::Lookup::kClosed);
    if (f.status == TokenRegistry::Lookup::kOpen) {
      EXPECT_EQ(f.slot, t.slot);
    }
  }
  EXPECT_EQ(wrongly_open, 0u);
  EXPECT_GE(tried, 1000000u);
  std::printf("[ tokens   ] tokens tried: %zu, accepted wrongly: %zu\n", tried, wrongly_open);
}

}  // namespace
}  // namespace stepfiber::runtime
