#pragma once
// Application Auto Scaling's capacity arithmetic, pure: target tracking's proportional step,
// step scaling's adjustments, bounds and cooldowns.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::scaling {

// Target tracking: the capacity that brings the metric to the target if load spreads evenly,
// ceil(current × metric / target); never below 1 while the metric is above zero.
std::int64_t target_tracking_capacity(std::int64_t current, double metric, double target);

struct StepAdjustment {
  std::optional<double> lower, upper;  // bounds on (metric − threshold); lower inclusive, upper exclusive
  std::int64_t adjustment = 0;
};
// Step scaling: the step whose interval holds (metric − threshold), applied as ChangeInCapacity,
// PercentChangeInCapacity (at least MinAdjustmentMagnitude) or ExactCapacity. nullopt when no
// step matches.
std::optional<std::int64_t> step_capacity(std::int64_t current, const std::string& adjustment_type,
                                          const std::vector<StepAdjustment>& steps, double breach_delta,
                                          std::int64_t min_adjustment_magnitude);

std::int64_t clamp(std::int64_t capacity, std::int64_t min, std::int64_t max);
// Whether a cooldown of `seconds` that started at `last` (if ever) has ended at `now`.
bool cooled(std::optional<std::int64_t> last, std::int64_t seconds, std::int64_t now);
// One of AWS's fixed durations under --scaling-time-scale: round(seconds × scale), at least 1.
std::int64_t scaled_seconds(std::int64_t seconds, double scale);

}  // namespace berth::scaling
