#pragma once
// CloudWatch's statistics over the datapoints of one period, pure. A datapoint is a statistic
// set (SampleCount, Sum, Minimum, Maximum); one put as a single value (or a Values/Counts pair)
// also keeps that value, so percentiles can be computed from it. CloudWatch computes no
// percentile from statistic sets alone; neither does berth (the percentile is then absent).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::metrics {

struct Sample {
  double count = 1;  // SampleCount: how many observations this datapoint stands for
  double sum = 0;
  double min = 0;
  double max = 0;
  std::optional<double> value;  // the observed value when the datapoint is one (repeated) value
  static Sample of(double v, double n = 1) { return {n, v * n, v, v, v}; }
};

// The aggregate of one period: the samples merged, plus every single value seen (with its
// repeat count) for percentiles.
struct Aggregate {
  double count = 0, sum = 0, min = 0, max = 0;
  std::vector<std::pair<double, double>> values;  // (value, count)
  bool empty() const { return count == 0; }
  void add(const Sample& s);
};

// "SampleCount", "Sum", "Average", "Minimum", "Maximum".
bool is_statistic(std::string_view name);
// Extended statistics berth computes: percentiles "p0".."p100" with up to two decimals
// (p99, p99.9). Returns the percentile in [0, 100], or nullopt when `name` is not one.
std::optional<double> percentile_of(std::string_view name);
// The value of a statistic (basic or percentile) over an aggregate; nullopt when it has no
// answer (empty, or a percentile over statistic sets only).
std::optional<double> compute(const Aggregate& a, std::string_view stat);
// The p-th percentile (0..100) of weighted values by nearest rank.
std::optional<double> percentile(std::vector<std::pair<double, double>> values, double p);

}  // namespace berth::metrics
