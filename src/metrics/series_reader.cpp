#include "metrics/series_reader.h"

#include <algorithm>

#include "common/json.h"

namespace berth::metrics {

Buckets read_buckets(state::MetricsStore& store, std::int64_t series_id, std::int64_t first, std::int64_t end,
                     std::int64_t period_seconds, const std::optional<std::string>& unit) {
  Buckets out;
  const std::int64_t step = period_seconds * 1000;
  store.scan(series_id, first, end, [&](const state::MetricPointRow& p) {
    if (unit && p.unit != *unit) return;
    auto bucket = first + (p.ts - first) / step * step;
    out[{bucket, p.unit}].add({p.count, p.sum, p.min, p.max, p.value});
  });
  return out;
}

std::map<std::int64_t, double> read_statistic(state::MetricsStore& store, std::int64_t series_id, std::int64_t first,
                                              std::int64_t end, std::int64_t period_seconds,
                                              const std::optional<std::string>& unit, const std::string& stat) {
  std::map<std::int64_t, Aggregate> merged;
  const std::int64_t step = period_seconds * 1000;
  // Single values are kept only for percentiles; points come in time order, so the bucket is
  // usually the last one (GetMetricData reads a day of minutes per series this way).
  const bool percentile = percentile_of(stat).has_value();
  auto last = merged.end();
  store.scan(series_id, first, end, [&](const state::MetricPointRow& p) {
    if (unit && p.unit != *unit) return;
    const std::int64_t bucket = first + (p.ts - first) / step * step;
    if (last == merged.end() || last->first != bucket) last = merged.try_emplace(merged.end(), bucket);
    last->second.add({p.count, p.sum, p.min, p.max, percentile ? p.value : std::nullopt});
  });
  std::map<std::int64_t, double> out;
  for (const auto& [t, a] : merged)
    if (auto v = compute(a, stat)) out[t] = *v;
  return out;
}

std::string canonical_dimensions(std::vector<std::pair<std::string, std::string>> dims) {
  std::sort(dims.begin(), dims.end());
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartArray();
  for (const auto& [k, v] : dims) {
    w.StartObject();
    json::kv(w, "Name", k);
    json::kv(w, "Value", v);
    w.EndObject();
  }
  w.EndArray();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace berth::metrics
