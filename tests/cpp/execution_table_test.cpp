// ExecutionTable: index and ARN lookups through adds, erases and shrinks.
#include "engine/execution_table.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stepfiber::engine {
namespace {

std::string arn_of(std::uint32_t i) { return "arn:aws:states:us-east-1:123456789012:execution:m:e" + std::to_string(i); }

Execution& add(ExecutionTable& t) {
  auto ex = std::make_unique<Execution>();
  ex->index = t.next_index();
  ex->arn = arn_of(ex->index);
  return t.add(std::move(ex));
}

TEST(ExecutionTable, FindsEveryRecordByIndexAndArnThroughRandomErases) {
  ExecutionTable t;
  constexpr std::uint32_t n = 5000;
  for (std::uint32_t i = 0; i < n; ++i) EXPECT_EQ(add(t).index, i);
  std::vector<bool> alive(n, true);
  std::mt19937 rng(7);
  for (int round = 0; round < 3; ++round) {
    for (std::uint32_t k = 0; k < n / 4; ++k) {
      const std::uint32_t i = rng() % n;
      t.erase(i);  // erasing twice is a no-op
      alive[i] = false;
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      Execution* by_arn = t.find(arn_of(i));
      ASSERT_EQ(by_arn != nullptr, alive[i]) << i;
      ASSERT_EQ(t.at(i), by_arn) << i;
    }
    t.shrink();
  }
  std::size_t held = 0;
  t.for_each([&](const Execution&) { ++held; });
  EXPECT_EQ(held, t.held());
  EXPECT_EQ(t.find("arn:aws:states:us-east-1:123456789012:execution:m:nope"), nullptr);
}

TEST(ExecutionTable, IndicesAreNeverReusedAfterLeadingRecordsGo) {
  ExecutionTable t;
  for (int i = 0; i < 10; ++i) add(t);
  for (std::uint32_t i = 0; i < 10; ++i) t.erase(i);
  EXPECT_EQ(t.held(), 0u);
  EXPECT_EQ(t.next_index(), 10u);
  EXPECT_EQ(t.at(3), nullptr);
  Execution& again = add(t);
  EXPECT_EQ(again.index, 10u);
  EXPECT_EQ(t.at(10), &again);
  EXPECT_EQ(t.find(arn_of(10)), &again);
  EXPECT_EQ(t.find(arn_of(3)), nullptr);
}

}  // namespace
}  // namespace stepfiber::engine
