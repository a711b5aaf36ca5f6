#pragma once
// What several CloudWatch handlers read and write alike: dimensions, timestamps, metrics.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"

namespace berth::api::cloudwatch {

using DimensionList = std::vector<std::pair<std::string, std::string>>;

DimensionList dimensions_of(const json::Value& in, const char* member = "Dimensions");
// The canonical text a series is stored under.
std::string canonical(const DimensionList& dims);
// An input timestamp (epoch seconds, fractional) in epoch millis.
std::optional<std::int64_t> millis_of(const json::Value& in, const char* member);
// Writes "Dimensions": [...] from canonical text.
void write_dimensions(json::Writer& w, const std::string& canonical_text);
// Writes a Metric shape {Namespace, MetricName, Dimensions}.
void write_metric(json::Writer& w, const std::string& ns, const std::string& name, const std::string& dims);
// A double as CloudWatch shows it.
void number(json::Writer& w, double v);

}  // namespace berth::api::cloudwatch
