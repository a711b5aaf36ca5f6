#include "metrics/periods.h"

#include <algorithm>

namespace berth::metrics {
namespace {
// 1234567 -> "1,234,567", as CloudWatch prints counts in its messages.
std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}
}  // namespace

bool valid_period(std::int64_t s) {
  return s == 1 || s == 5 || s == 10 || s == 20 || s == 30 || (s > 0 && s % 60 == 0);
}

std::int64_t resolution_at(std::int64_t start, std::int64_t now) {
  auto age = now - start;
  if (age <= kHighResKept) return 1;
  if (age <= kMinuteKept) return 60;
  if (age <= kFiveMinuteKept) return 300;
  return 3600;
}

std::optional<std::string> period_error(std::int64_t period, std::int64_t start, std::int64_t now) {
  if (!valid_period(period))
    return "The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.";
  auto res = resolution_at(start, now);
  if (period % res != 0)
    return "The parameter Period must be a multiple of " + std::to_string(res) +
           " for data older than " + (res == 60 ? "3 hours" : res == 300 ? "15 days" : "63 days") + ".";
  return std::nullopt;
}

std::int64_t aligned_start(std::int64_t start, std::int64_t period, std::int64_t now) {
  auto res = resolution_at(start, now);
  // Within 3 hours CloudWatch rounds down to the period (at most a minute); older data to the
  // step of the resolution still kept.
  auto step = (res == 1 ? std::min<std::int64_t>(std::max<std::int64_t>(period, 1), 60) : res) * 1000;
  auto r = start % step;
  return r < 0 ? start - r - step : start - r;
}

std::optional<std::string> datapoint_limit_error(std::int64_t start, std::int64_t end, std::int64_t period,
                                                 std::size_t statistics) {
  auto span = end - start;
  if (span <= 0 || period <= 0) return std::nullopt;
  auto buckets = (span + period * 1000 - 1) / (period * 1000);
  auto n = buckets * static_cast<std::int64_t>(statistics);
  if (n <= kMaxDatapoints) return std::nullopt;
  return "You have requested up to " + grouped(n) + " datapoints, which exceeds the limit of 1,440. "
         "You may reduce the datapoints requested by increasing Period, or decreasing the time range.";
}

}  // namespace berth::metrics
