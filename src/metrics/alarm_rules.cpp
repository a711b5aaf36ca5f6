#include "metrics/alarm_rules.h"

#include <cstdio>

namespace berth::metrics {

std::string_view state_name(AlarmState s) {
  switch (s) {
    case AlarmState::Ok: return "OK";
    case AlarmState::Alarm: return "ALARM";
    default: return "INSUFFICIENT_DATA";
  }
}

std::optional<AlarmState> parse_state(std::string_view s) {
  if (s == "OK") return AlarmState::Ok;
  if (s == "ALARM") return AlarmState::Alarm;
  if (s == "INSUFFICIENT_DATA") return AlarmState::InsufficientData;
  return std::nullopt;
}

bool breaches(const AlarmRule& r, double v) {
  if (r.comparison == "GreaterThanThreshold") return v > r.threshold;
  if (r.comparison == "GreaterThanOrEqualToThreshold") return v >= r.threshold;
  if (r.comparison == "LessThanThreshold") return v < r.threshold;
  if (r.comparison == "LessThanOrEqualToThreshold") return v <= r.threshold;
  return false;  // anomaly-detection comparisons: berth has no bands
}

std::vector<std::optional<double>> evaluation_window(const std::vector<std::optional<double>>& range, int n) {
  std::vector<std::optional<double>> real;
  for (auto it = range.rbegin(); it != range.rend() && static_cast<int>(real.size()) < n; ++it)
    if (*it) real.push_back(*it);
  if (static_cast<int>(real.size()) == n) return {real.rbegin(), real.rend()};
  auto first = range.size() > static_cast<std::size_t>(n) ? range.end() - n : range.begin();
  return {first, range.end()};
}

AlarmState evaluate(const AlarmRule& r, const std::vector<std::optional<double>>& periods, AlarmState current) {
  int breaching = 0, present = 0;
  for (const auto& p : periods) {
    if (p) {
      ++present;
      if (breaches(r, *p)) ++breaching;
    } else if (r.treat_missing == "breaching") {
      ++breaching;
    }
  }
  if (breaching >= r.datapoints_to_alarm) return AlarmState::Alarm;
  if (present > 0 || r.treat_missing == "notBreaching" || r.treat_missing == "breaching") return AlarmState::Ok;
  // Every datapoint missing.
  if (r.treat_missing == "ignore") return current;
  return AlarmState::InsufficientData;
}

std::string state_reason(const AlarmRule& r, const std::vector<std::optional<double>>& periods, AlarmState from,
                         AlarmState to) {
  std::string values;
  int shown = 0, breaching = 0;
  for (const auto& p : periods) {
    if (!p) continue;
    if (breaches(r, *p)) ++breaching;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%g", shown++ ? ", " : "", *p);
    values += buf;
  }
  if (shown == 0) return "Insufficient Data: " + std::to_string(periods.size()) + " datapoints were unknown.";
  std::string cmp = r.comparison == "GreaterThanThreshold"            ? "greater than"
                    : r.comparison == "GreaterThanOrEqualToThreshold" ? "greater than or equal to"
                    : r.comparison == "LessThanThreshold"             ? "less than"
                                                                      : "less than or equal to";
  char thr[64];
  std::snprintf(thr, sizeof thr, "%.1f", r.threshold);
  bool alarm = to == AlarmState::Alarm;
  int counted = alarm ? breaching : shown - breaching;
  return std::string("Threshold Crossed: ") + std::to_string(counted) + " out of the last " +
         std::to_string(periods.size()) + " datapoints [" + values + "] " + (alarm ? "were " : "were not ") + cmp +
         " the threshold (" + thr + ") (minimum " + std::to_string(r.datapoints_to_alarm) + " datapoint" +
         (r.datapoints_to_alarm == 1 ? "" : "s") + " for " + std::string(state_name(from)) + " -> " +
         std::string(state_name(to)) + " transition).";
}

}  // namespace berth::metrics
