// Intrinsic functions for math: States.MathRandom, States.MathAdd.
#include <cstdint>
#include <limits>
#include <string>

#include "intrinsics/functions.h"
#include "runtime/secure_random.h"

namespace stepfiber::intrinsics::detail {
namespace {

using R = asl::Eval<Json>;

// java.util.Random (48-bit LCG), so a seeded MathRandom gives the value a
// Java implementation gives for the same seed.
class JavaRandom {
 public:
  explicit JavaRandom(std::int64_t seed)
      : seed_((static_cast<std::uint64_t>(seed) ^ kMultiplier) & kMask) {}

  // Random.nextInt(int bound), bound > 0.
  std::int32_t next_int(std::int32_t bound) {
    std::int32_t r = next(31);
    const std::int32_t m = bound - 1;
    if ((bound & m) == 0) return static_cast<std::int32_t>((static_cast<std::int64_t>(bound) * r) >> 31);
    // Java: for (int u = r; u - (r = u % bound) + m < 0; u = next(31)); with int overflow.
    for (std::int32_t u = r;; u = next(31)) {
      r = u % bound;
      const auto sum = static_cast<std::uint32_t>(u) - static_cast<std::uint32_t>(r) + static_cast<std::uint32_t>(m);
      if (static_cast<std::int32_t>(sum) >= 0) break;
    }
    return r;
  }

 private:
  static constexpr std::uint64_t kMultiplier = 0x5DEECE66DULL;
  static constexpr std::uint64_t kMask = (1ULL << 48) - 1;

  std::int32_t next(int bits) {
    seed_ = (seed_ * kMultiplier + 0xBULL) & kMask;
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(seed_ >> (48 - bits)));
  }

  std::uint64_t seed_;
};

std::int64_t random_seed() {
  thread_local runtime::SecureRandom rng;
  std::uint8_t bytes[8];
  rng.fill(bytes, sizeof(bytes));
  std::uint64_t v = 0;
  for (auto b : bytes) v = (v << 8) | b;
  return static_cast<std::int64_t>(v);
}

}  // namespace

// States.MathRandom(start, end[, seed]): an integer in [start, end]. Non-integer
// bounds are rounded as Java's Math.round does; the same seed gives the same value.
R math_random(Invocation& call) {
  const auto start = java_round(call.args[0].get<double>());
  const auto end = java_round(call.args[1].get<double>());
  constexpr std::int64_t kIntMin = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t kIntMax = std::numeric_limits<std::int32_t>::max();
  if (!start || !end || *start < kIntMin || *start > kIntMax || *end < kIntMin || *end > kIntMax) {
    return failure(call, "the start and end values must be within the 32-bit integer range");
  }
  if (*start > *end) {
    return failure(call, "the start value " + std::to_string(*start) + " is greater than the end value " +
                             std::to_string(*end));
  }
  const std::int64_t span = *end - *start + 1;
  if (span > kIntMax) return failure(call, "the range between start and end is too large");
  const std::int64_t seed = call.args.size() > 2 ? *integral_value(call.args[2]) : random_seed();
  JavaRandom rng(seed);
  return R::success(Json(*start + rng.next_int(static_cast<std::int32_t>(span))));
}

// States.MathAdd(a, b): both values rounded like Java's Math.round (half up:
// -1.5 -> -1, 2.5 -> 3), then added.
R math_add(Invocation& call) {
  const auto a = java_round(call.args[0].get<double>());
  const auto b = java_round(call.args[1].get<double>());
  // Integers are used as they are (a double would lose precision above 2^53).
  const auto ia = call.args[0].is_number_float() ? a : integral_value(call.args[0]);
  const auto ib = call.args[1].is_number_float() ? b : integral_value(call.args[1]);
  std::int64_t sum = 0;
  if (!ia || !ib || __builtin_add_overflow(*ia, *ib, &sum)) {
    return failure(call, "the sum of " + dump_json(call.args[0]) + " and " + dump_json(call.args[1]) +
                             " is outside the 64-bit integer range");
  }
  return R::success(Json(sum));
}

}  // namespace stepfiber::intrinsics::detail
