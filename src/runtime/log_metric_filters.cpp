#include "runtime/log_metric_filters.h"

#include <rapidjson/document.h>

#include "logs/filter_pattern.h"
#include "logs/metric_filter.h"
#include "metrics/series_reader.h"
#include "state/metrics_store.h"

namespace berth::runtime {
namespace {

std::vector<logs::MetricTransformation> transformations_of(const std::string& doc) {
  std::vector<logs::MetricTransformation> out;
  rapidjson::Document d;
  d.Parse(doc.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("metricTransformations")) return out;
  for (const auto& t : d["metricTransformations"].GetArray()) {
    logs::MetricTransformation m;
    m.metric_name = t["metricName"].GetString();
    m.metric_namespace = t["metricNamespace"].GetString();
    m.metric_value = t["metricValue"].GetString();
    if (t.HasMember("defaultValue") && t["defaultValue"].IsNumber()) m.default_value = t["defaultValue"].GetDouble();
    if (t.HasMember("unit") && t["unit"].IsString()) m.unit = t["unit"].GetString();
    if (t.HasMember("dimensions") && t["dimensions"].IsObject())
      for (auto it = t["dimensions"].MemberBegin(); it != t["dimensions"].MemberEnd(); ++it)
        m.dimensions.emplace_back(it->name.GetString(), it->value.GetString());
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

int publish_metric_filters(state::Connection& c, const state::Scope& scope, const state::LogGroupRow& group,
                           const std::vector<state::EventToStore>& events, std::int64_t now) {
  auto filters = state::LogsStore(c, scope).filters(group.id, "metric", "");
  if (filters.empty()) return 0;
  state::MetricsStore points(c, scope);
  int published = 0;
  auto publish = [&](const logs::MetricTransformation& t, double value,
                     const std::vector<std::pair<std::string, std::string>>& dims, std::int64_t ts) {
    auto series = points.touch_series(t.metric_namespace, t.metric_name, metrics::canonical_dimensions(dims), now);
    points.add_point(series, {ts - ts % 60'000, t.unit, 1, value, value, value, value});
    ++published;
  };
  for (const auto& f : filters) {
    std::string error;
    auto pattern = logs::FilterPattern::parse(f.pattern, error);
    if (!pattern) continue;  // stored patterns were checked by PutMetricFilter
    auto transformations = transformations_of(f.doc);
    bool any_match = false;
    for (const auto& e : events) {
      std::vector<std::pair<std::string, std::string>> extracted;
      if (!pattern->matches_extracting(e.message, extracted)) continue;
      any_match = true;
      for (const auto& t : transformations)
        if (auto out = logs::emission(t, e.message, extracted)) publish(t, out->value, out->dimensions, e.ts);
    }
    if (!any_match && !events.empty())
      for (const auto& t : transformations)
        if (t.default_value) publish(t, *t.default_value, {}, now);
  }
  return published;
}

}  // namespace berth::runtime
