#include "runtime/token_registry.h"

#include <set>
#include <string>

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

}  // namespace
}  // namespace stepfiber::runtime
