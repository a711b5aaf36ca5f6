#pragma once
// Reads one metric's stored datapoints into period buckets: what GetMetricStatistics,
// GetMetricData and the alarm evaluator share.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "metrics/statistics.h"
#include "state/metrics_store.h"

namespace berth::metrics {

// Buckets of `period` seconds starting at `first` (aligned) up to `end`, keyed by bucket start
// and unit; only datapoints of `unit` when one is given.
using Buckets = std::map<std::pair<std::int64_t, std::string>, Aggregate>;
Buckets read_buckets(state::MetricsStore& store, std::int64_t series_id, std::int64_t first, std::int64_t end,
                     std::int64_t period_seconds, const std::optional<std::string>& unit);

// The same, one value per bucket start for a statistic, units merged.
std::map<std::int64_t, double> read_statistic(state::MetricsStore& store, std::int64_t series_id, std::int64_t first,
                                              std::int64_t end, std::int64_t period_seconds,
                                              const std::optional<std::string>& unit, const std::string& stat);

// The canonical text of a dimension list: a JSON array of {"Name","Value"} sorted by Name.
std::string canonical_dimensions(std::vector<std::pair<std::string, std::string>> dims);

}  // namespace berth::metrics
