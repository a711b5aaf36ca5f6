#include "logs/retention.h"

#include <algorithm>
#include <array>

namespace berth::logs {
namespace {
constexpr std::array<int, 22> kRetentionDays = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                                365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};
}

bool valid_retention(std::int64_t days) {
  return std::find(kRetentionDays.begin(), kRetentionDays.end(), days) != kRetentionDays.end();
}

std::string retention_values_text() {
  std::string s = "[";
  for (std::size_t i = 0; i < kRetentionDays.size(); ++i) s += (i ? ", " : "") + std::to_string(kRetentionDays[i]);
  return s + "]";
}

std::int64_t retention_cutoff(std::int64_t now_millis, std::optional<int> retention_days) {
  if (!retention_days) return 0;
  return std::max<std::int64_t>(0, now_millis - *retention_days * kDayMillis);
}

}  // namespace berth::logs
