#include "metrics/statistics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace berth::metrics {

void Aggregate::add(const Sample& s) {
  if (count == 0) {
    min = s.min;
    max = s.max;
  } else {
    min = std::min(min, s.min);
    max = std::max(max, s.max);
  }
  count += s.count;
  sum += s.sum;
  if (s.value) values.emplace_back(*s.value, s.count);
}

bool is_statistic(std::string_view n) {
  return n == "SampleCount" || n == "Sum" || n == "Average" || n == "Minimum" || n == "Maximum";
}

std::optional<double> percentile_of(std::string_view name) {
  if (name.size() < 2 || name[0] != 'p') return std::nullopt;
  auto digits = name.substr(1);
  auto dot = digits.find('.');
  if (dot != std::string_view::npos && (dot == 0 || digits.size() - dot - 1 == 0 || digits.size() - dot - 1 > 2))
    return std::nullopt;
  for (char c : digits)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.')) return std::nullopt;
  if (std::count(digits.begin(), digits.end(), '.') > 1) return std::nullopt;
  double p = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || p < 0 || p > 100) return std::nullopt;
  return p;
}

std::optional<double> percentile(std::vector<std::pair<double, double>> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  double total = 0;
  for (const auto& [v, n] : values) total += n;
  if (total <= 0) return std::nullopt;
  // Nearest rank: the smallest value with at least p% of the observations at or below it.
  double rank = std::max(1.0, std::ceil(p / 100.0 * total));
  double seen = 0;
  for (const auto& [v, n] : values) {
    seen += n;
    if (seen >= rank) return v;
  }
  return values.back().first;
}

std::optional<double> compute(const Aggregate& a, std::string_view stat) {
  if (a.empty()) return std::nullopt;
  if (stat == "SampleCount") return a.count;
  if (stat == "Sum") return a.sum;
  if (stat == "Average") return a.sum / a.count;
  if (stat == "Minimum") return a.min;
  if (stat == "Maximum") return a.max;
  if (auto p = percentile_of(stat)) return percentile(a.values, *p);
  return std::nullopt;
}

}  // namespace berth::metrics
