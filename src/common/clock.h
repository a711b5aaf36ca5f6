#pragma once
// Time as berth sees it: injectable so tests can move it by hand.
#include <atomic>
#include <cstdint>

namespace berth {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_millis() const = 0;
  double now_seconds() const { return static_cast<double>(now_millis()) / 1000.0; }
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_millis() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_millis) : millis_(start_millis) {}
  std::int64_t now_millis() const override { return millis_.load(); }
  void advance(std::int64_t millis) { millis_ += millis; }

 private:
  std::atomic<std::int64_t> millis_;
};

}  // namespace berth
