// Injected time (house rule 10): every deadline and history timestamp comes
// from a Clock. SystemClock follows the wall clock; ManualClock moves only
// when the engine advances it, so tests never sleep.
#pragma once

#include <chrono>
#include <cstdint>

namespace stepfiber::runtime {

/// Milliseconds since the Unix epoch (UTC).
using Millis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now() const = 0;
  /// True when time moves only through set().
  virtual bool is_manual() const = 0;
};

class SystemClock final : public Clock {
 public:
  Millis now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  bool is_manual() const override { return false; }
};

/// The wall clock sped up (scale < 1) or slowed down (scale > 1) from the
/// moment of construction: engine time = origin + (wall - origin) / scale.
class ScaledClock final : public Clock {
 public:
  explicit ScaledClock(double scale) : scale_(scale), origin_(SystemClock().now()) {}
  Millis now() const override {
    const Millis wall = SystemClock().now();
    return origin_ + static_cast<Millis>(static_cast<double>(wall - origin_) / scale_);
  }
  bool is_manual() const override { return false; }

 private:
  double scale_;
  Millis origin_;
};

/// Only the engine thread calls set(); reads happen on the engine thread too.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start) : now_(start) {}
  Millis now() const override { return now_; }
  bool is_manual() const override { return true; }
  void set(Millis t) {
    if (t > now_) now_ = t;
  }

 private:
  Millis now_;
};

}  // namespace stepfiber::runtime
