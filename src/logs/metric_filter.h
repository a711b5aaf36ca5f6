#pragma once
// Metric filters: what a log event that matches a filter publishes. A transformation's
// metricValue is a number ("1"), a JSON selector ("$.latency") or a space-delimited field
// ("$size"); dimension values are selectors too. An event whose value is missing or not a
// number, or that lacks a dimension's field, publishes nothing.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::logs {

struct MetricTransformation {
  std::string metric_name, metric_namespace, metric_value;
  std::optional<double> default_value;
  std::string unit = "None";
  std::vector<std::pair<std::string, std::string>> dimensions;  // name -> selector
};

struct MetricEmission {
  double value = 0;
  std::vector<std::pair<std::string, std::string>> dimensions;  // name -> value
};

// `extracted`: what FilterPattern::matches_extracting gave for the event.
std::optional<MetricEmission> emission(const MetricTransformation& t, std::string_view message,
                                       const std::vector<std::pair<std::string, std::string>>& extracted);

// The text of a JSON selector ("$.a.b", "$.list[0]") in a JSON message, if present and scalar.
std::optional<std::string> json_selector_value(std::string_view message, std::string_view selector);

// Why a transformation cannot be stored (PutMetricFilter's InvalidParameterException), if so.
std::optional<std::string> transformation_problem(const MetricTransformation& t);

}  // namespace berth::logs
