// GetMetricData: MetricStat queries read from the store, expressions evaluated over them
// (src/metrics/metric_math), results ordered by ScanBy and paged by MaxDatapoints.
#include <algorithm>
#include <set>

#include "api/cloudwatch/errors.h"
#include "api/cloudwatch/shapes.h"
#include "api/pagination.h"
#include "api/services.h"
#include "api/cloudwatch/registration.h"
#include "metrics/metric_math.h"
#include "metrics/periods.h"
#include "metrics/series_reader.h"
#include "metrics/statistics.h"
#include "state/metrics_store.h"

namespace berth::api::cloudwatch {
namespace {

constexpr std::int64_t kDefaultMaxDatapoints = 100'800;

struct QueryResult {
  std::string id, label;
  bool returned = true;
  std::vector<std::pair<std::int64_t, double>> points;  // oldest first
};

Outcome get_metric_data(OpContext& ctx, const json::Value& in) {
  const std::int64_t now = ctx.clock.now_millis();
  auto start = *millis_of(in, "StartTime");
  auto end = *millis_of(in, "EndTime");
  if (start >= end) return errors::validation("The parameter StartTime must be less than the parameter EndTime.");
  const auto& queries = in["MetricDataQueries"];
  if (queries.Size() > 500) return errors::validation("The collection MetricDataQueries must not have a size greater than 500.");

  // The shared timeline: every bucket start at the smallest period asked for.
  std::int64_t min_period = 0;
  std::set<std::string> ids;
  for (rapidjson::SizeType i = 0; i < queries.Size(); ++i) {
    const auto& q = queries[i];
    std::string id(json::view(q["Id"]));
    if (!ids.insert(id).second) return errors::validation("The value " + id + " for parameter MetricDataQueries.member." + std::to_string(i + 1) + ".Id is not unique.");
    bool stat = json::member(q, "MetricStat") != nullptr, expr = json::member(q, "Expression") != nullptr;
    if (stat == expr)
      return errors::validation("The parameter MetricDataQueries.member." + std::to_string(i + 1) +
                                " must contain exactly one of MetricStat or Expression.");
    std::int64_t period = stat ? q["MetricStat"]["Period"].GetInt64() : json::get_int(q, "Period").value_or(0);
    if (period == 0) continue;
    if (auto e = metrics::period_error(period, start, now)) return errors::validation(*e);
    if (min_period == 0 || period < min_period) min_period = period;
  }
  if (min_period == 0) min_period = 60;
  auto first = metrics::aligned_start(start, min_period, now);
  metrics::MathScope scope;
  for (auto t = first; t < end; t += min_period * 1000) scope.times.push_back(t);
  if (scope.times.size() > static_cast<std::size_t>(kDefaultMaxDatapoints))
    return errors::validation("The time range and period request too many datapoints.");

  state::MetricsStore store(ctx.db, ctx.scope());
  std::vector<QueryResult> results;
  std::vector<const json::Value*> expressions;
  std::map<std::string, std::size_t> result_of;
  for (const auto& q : queries.GetArray()) {
    QueryResult r{std::string(json::view(q["Id"])), "", json::get_bool(q, "ReturnData").value_or(true), {}};
    if (auto l = json::get_string(q, "Label")) r.label = std::string(*l);
    if (const auto* ms = json::member(q, "MetricStat")) {
      const auto& m = (*ms)["Metric"];
      std::string name(json::get_string(m, "MetricName").value_or(""));
      if (r.label.empty()) r.label = name;
      std::string stat(json::view((*ms)["Stat"]));
      if (!metrics::is_statistic(stat) && !metrics::percentile_of(stat))
        return errors::validation("The value " + stat + " for parameter MetricDataQueries.member.MetricStat.Stat is not supported.");
      std::optional<std::string> unit;
      if (auto u = json::get_string(*ms, "Unit")) unit = std::string(*u);
      metrics::Series s{r.id, r.label, std::vector<std::optional<double>>(scope.times.size())};
      auto period = (*ms)["Period"].GetInt64();
      auto stat_first = metrics::aligned_start(start, period, now);
      if (auto id = store.find_series(json::get_string(m, "Namespace").value_or(""), name, canonical(dimensions_of(m))))
        for (const auto& [t, v] : metrics::read_statistic(store, *id, stat_first, end, period, unit, stat)) {
          r.points.emplace_back(t, v);
          auto slot = std::lower_bound(scope.times.begin(), scope.times.end(), t) - scope.times.begin();
          if (static_cast<std::size_t>(slot) < s.values.size()) s.values[slot] = v;
        }
      scope.metrics.push_back(s);
      scope.by_id[r.id] = {s};
      expressions.push_back(nullptr);
    } else {
      if (r.label.empty()) r.label = r.id;
      expressions.push_back(&q);
    }
    result_of[r.id] = results.size();
    results.push_back(std::move(r));
  }

  // Expressions in dependency order: repeat passes until each has what it refers to.
  std::set<std::string> done;
  for (const auto& [id, _] : scope.by_id) done.insert(id);
  for (std::size_t pass = 0; pass <= results.size(); ++pass) {
    bool progressed = false;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!expressions[i] || done.count(results[i].id)) continue;
      std::string text(json::view((*expressions[i])["Expression"]));
      auto refs = metrics::referenced_ids(text);
      bool ready = std::all_of(refs.begin(), refs.end(), [&](const std::string& r) { return done.count(r) || !result_of.count(r); });
      if (!ready) continue;
      auto value = metrics::evaluate_math(text, scope);
      if (auto* e = std::get_if<std::string>(&value))
        return errors::validation("Error in expression '" + results[i].id + "': " + *e);
      auto& series = std::get<std::vector<metrics::Series>>(value);
      for (const auto& s : series)
        for (std::size_t k = 0; k < s.values.size(); ++k)
          if (s.values[k]) results[i].points.emplace_back(scope.times[k], *s.values[k]);
      std::sort(results[i].points.begin(), results[i].points.end());
      if (series.size() == 1 && json::get_string(*expressions[i], "Label") == std::nullopt && !series[0].label.empty())
        results[i].label = series[0].label;
      for (auto& s : series) s.id = results[i].id;
      scope.by_id[results[i].id] = series;
      done.insert(results[i].id);
      progressed = true;
    }
    if (!progressed) break;
  }
  for (std::size_t i = 0; i < results.size(); ++i)
    if (expressions[i] && !done.count(results[i].id))
      return errors::validation("Error in expression '" + results[i].id + "': circular or unknown reference.");

  bool descending = json::get_string(in, "ScanBy").value_or("TimestampDescending") == "TimestampDescending";
  std::int64_t max_points = json::get_int(in, "MaxDatapoints").value_or(kDefaultMaxDatapoints);
  std::int64_t skip = 0;
  if (auto t = json::get_string(in, "NextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor) return errors::invalid_next_token();
    skip = std::strtoll(cursor->c_str(), nullptr, 10);
  }
  std::int64_t seen = 0, emitted = 0;
  bool more = false;
  Body b;
  b.w.StartObject();
  b.w.Key("MetricDataResults");
  b.w.StartArray();
  for (auto& r : results) {
    if (!r.returned) continue;
    if (descending) std::reverse(r.points.begin(), r.points.end());
    std::vector<std::pair<std::int64_t, double>> page;
    for (const auto& p : r.points) {
      if (seen++ < skip) continue;
      if (emitted == max_points) {
        more = true;
        break;
      }
      ++emitted;
      page.push_back(p);
    }
    b.w.StartObject();
    json::kv(b.w, "Id", r.id);
    json::kv(b.w, "Label", r.label);
    b.w.Key("Timestamps");
    b.w.StartArray();
    for (const auto& p : page) json::epoch_seconds(b.w, p.first);
    b.w.EndArray();
    b.w.Key("Values");
    b.w.StartArray();
    for (const auto& p : page) number(b.w, p.second);
    b.w.EndArray();
    json::kv(b.w, "StatusCode", more ? "PartialData" : "Complete");
    b.w.Key("Messages");
    b.w.StartArray();
    b.w.EndArray();
    b.w.EndObject();
  }
  b.w.EndArray();
  if (more) json::kv(b.w, "NextToken", pagination::encode(std::to_string(skip + emitted)));
  b.w.Key("Messages");
  b.w.StartArray();
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

}  // namespace

void register_metric_data(OperationTable& t) {
  t.add("cloudwatch", "GetMetricData", get_metric_data, Access::Read);
}

}  // namespace berth::api::cloudwatch
