#pragma once
// Retention of log groups: the values CloudWatch Logs accepts and what "expired" means.
#include <cstdint>
#include <optional>
#include <string>

namespace berth::logs {

constexpr std::int64_t kDayMillis = 86'400'000;

// 1, 3, 5, 7, 14, 30, ... 3653: the only retentionInDays values PutRetentionPolicy accepts.
bool valid_retention(std::int64_t days);
// "[1, 3, 5, ..., 3653]", as AWS lists them in its validation message.
std::string retention_values_text();

// Events with a timestamp below this are past retention at `now` (0 when the group keeps
// events forever).
std::int64_t retention_cutoff(std::int64_t now_millis, std::optional<int> retention_days);

}  // namespace berth::logs
