#pragma once
// The subset of CloudWatch metric math berth evaluates, pure: numbers, the ids of other
// queries, + - * / between them (scalar, time series or arrays of series), METRICS() and
// METRICS('label part'), SUM AVG MIN MAX (of an array: per timestamp; of one series: one
// number), FILL(x, value|REPEAT), RATE(x). SEARCH and the other functions answer an error
// that names them as not supported.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace berth::metrics {

struct Series {
  std::string id;
  std::string label;
  std::vector<std::optional<double>> values;  // one per timestamp of the shared timeline
};

struct MathScope {
  std::vector<std::int64_t> times;         // epoch millis, oldest first, shared by every series
  std::vector<Series> metrics;             // the MetricStat queries' results (METRICS())
  std::map<std::string, std::vector<Series>> by_id;  // every evaluated query by id
};

// The series an expression yields (a scalar becomes a constant series), or an error text.
std::variant<std::vector<Series>, std::string> evaluate_math(std::string_view expression, const MathScope& scope);
// The ids an expression refers to (so queries can be evaluated in dependency order).
std::vector<std::string> referenced_ids(std::string_view expression);

}  // namespace berth::metrics
