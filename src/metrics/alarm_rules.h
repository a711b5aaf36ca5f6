#pragma once
// How CloudWatch decides an alarm's state from its most recent periods, pure: M out of N
// breaching datapoints, and what missing datapoints count as (TreatMissingData).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::metrics {

enum class AlarmState { Ok, Alarm, InsufficientData };
std::string_view state_name(AlarmState s);  // "OK", "ALARM", "INSUFFICIENT_DATA"
std::optional<AlarmState> parse_state(std::string_view s);

struct AlarmRule {
  std::string comparison;  // GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThan...
  double threshold = 0;
  int evaluation_periods = 1;  // N
  int datapoints_to_alarm = 1;  // M
  std::string treat_missing = "missing";  // missing, ignore, breaching, notBreaching
};

// CloudWatch reads an evaluation range longer than EvaluationPeriods, so a few missing datapoints
// do not stall an alarm: berth reads this many periods more.
constexpr int kExtraPeriods = 5;
// The N datapoints an alarm is judged on from its evaluation range (oldest first): the most
// recent N real datapoints when the range holds at least N (TreatMissingData is then not
// needed), else the last N periods with their gaps, which TreatMissingData fills.
std::vector<std::optional<double>> evaluation_window(const std::vector<std::optional<double>>& range, int n);

// Whether a value breaches the rule's threshold.
bool breaches(const AlarmRule& rule, double value);
// The state after evaluating the last N periods (oldest first, nullopt for a missing
// datapoint); `current` is kept where CloudWatch keeps it (ignore with nothing to go on).
AlarmState evaluate(const AlarmRule& rule, const std::vector<std::optional<double>>& periods, AlarmState current);
// The StateReason CloudWatch writes, e.g. "Threshold Crossed: 3 out of the last 3 datapoints
// [71.2 (29/11/26 10:04:00), ...] were greater than the threshold (50.0) (minimum 3 datapoints
// for OK -> ALARM transition)." — berth words the datapoints without their times.
std::string state_reason(const AlarmRule& rule, const std::vector<std::optional<double>>& periods,
                         AlarmState from, AlarmState to);

}  // namespace berth::metrics
