#pragma once
// CloudWatch's period rules for reading metrics, pure: which periods a request may ask for,
// given how old its start is (data is kept at 1-minute resolution for 15 days, then 5-minute
// for 63 days, then 1-hour for 455 days), how buckets align, and the 1,440-datapoint limit.
#include <cstdint>
#include <optional>
#include <string>

namespace berth::metrics {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kDay = 86'400'000;
// How long each resolution is kept (epoch millis of age).
constexpr std::int64_t kHighResKept = 3 * 3'600'000;  // sub-minute data: 3 hours
constexpr std::int64_t kMinuteKept = 15 * kDay;
constexpr std::int64_t kFiveMinuteKept = 63 * kDay;
constexpr std::int64_t kHourKept = 455 * kDay;
constexpr int kMaxDatapoints = 1440;

// A period (seconds) CloudWatch accepts at all: 1, 5, 10, 20, 30 or a multiple of 60.
bool valid_period(std::int64_t seconds);
// The coarsest resolution still stored for data starting at `start` (millis) when it is `now`:
// 1 s (under 3 hours), 60 s, 300 s or 3600 s. A period must be a multiple of it.
std::int64_t resolution_at(std::int64_t start, std::int64_t now);
// The error text when `period` does not suit a query starting at `start`, else nullopt.
std::optional<std::string> period_error(std::int64_t period, std::int64_t start, std::int64_t now);
// Where bucket boundaries start: `start` rounded down as CloudWatch rounds StartTime: to the
// period (at most a minute) within 3 hours, else to the minute, 5 minutes or hour as the
// data's age requires.
std::int64_t aligned_start(std::int64_t start, std::int64_t period_seconds, std::int64_t now);
// How many datapoints a query of [start, end) at `period` seconds and `statistics` statistics
// may return; the message of the limit's error when over 1,440, else nullopt.
std::optional<std::string> datapoint_limit_error(std::int64_t start, std::int64_t end, std::int64_t period,
                                                 std::size_t statistics);

}  // namespace berth::metrics
