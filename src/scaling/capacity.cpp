#include "scaling/capacity.h"

#include <algorithm>
#include <cmath>

namespace berth::scaling {

std::int64_t target_tracking_capacity(std::int64_t current, double metric, double target) {
  if (target <= 0) return current;
  if (current <= 0) return metric > 0 ? 1 : 0;
  // A hair of tolerance so 50.000001 against 50 is not one more task.
  double wanted = static_cast<double>(current) * metric / target;
  return static_cast<std::int64_t>(std::ceil(wanted - 1e-9));
}

std::optional<std::int64_t> step_capacity(std::int64_t current, const std::string& type,
                                          const std::vector<StepAdjustment>& steps, double delta,
                                          std::int64_t min_magnitude) {
  for (const auto& s : steps) {
    bool above_lower = !s.lower || delta >= *s.lower;
    bool below_upper = !s.upper || delta < *s.upper;
    if (!above_lower || !below_upper) continue;
    if (type == "ExactCapacity") return s.adjustment;
    if (type == "PercentChangeInCapacity") {
      double change = static_cast<double>(current) * static_cast<double>(s.adjustment) / 100.0;
      auto n = static_cast<std::int64_t>(change < 0 ? std::ceil(change) : std::floor(change));
      if (s.adjustment != 0 && std::llabs(n) < min_magnitude) n = s.adjustment > 0 ? min_magnitude : -min_magnitude;
      return current + n;
    }
    return current + s.adjustment;  // ChangeInCapacity
  }
  return std::nullopt;
}

std::int64_t clamp(std::int64_t capacity, std::int64_t min, std::int64_t max) {
  return std::max(min, std::min(max, capacity));
}

bool cooled(std::optional<std::int64_t> last, std::int64_t seconds, std::int64_t now) {
  return !last || now >= *last + seconds * 1000;
}

std::int64_t scaled_seconds(std::int64_t seconds, double scale) {
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(seconds) * scale));
}

}  // namespace berth::scaling
