// PutMetricData, ListMetrics, GetMetricStatistics: datapoints in, metrics listed, statistics
// over periods out.
#include <algorithm>
#include <cmath>

#include "api/cloudwatch/errors.h"
#include "api/cloudwatch/shapes.h"
#include "api/pagination.h"
#include "api/services.h"
#include "api/cloudwatch/registration.h"
#include "metrics/periods.h"
#include "metrics/series_reader.h"
#include "metrics/statistics.h"
#include "state/metrics_store.h"

namespace berth::api::cloudwatch {
namespace {

constexpr std::int64_t kTwoWeeks = 14 * metrics::kDay;
constexpr std::int64_t kTwoHours = 2 * 3'600'000;
constexpr int kListPage = 500;

std::string member_name(std::size_t i, const char* field) {
  return "MetricData.member." + std::to_string(i + 1) + "." + field;
}

// The datapoints one MetricDatum stands for, or the error CloudWatch answers for it.
std::variant<std::vector<metrics::Sample>, AwsError> samples_of(const json::Value& d, std::size_t i) {
  const auto* value = json::member(d, "Value");
  const auto* stats = json::member(d, "StatisticValues");
  const auto* values = json::member(d, "Values");
  const auto* counts = json::member(d, "Counts");
  int given = (value != nullptr) + (stats != nullptr) + (values != nullptr);
  if (given > 1)
    return errors::invalid_combination("The parameters " + member_name(i, value ? "Value" : "StatisticValues") + " and " +
                                       member_name(i, values ? "Values" : "StatisticValues") +
                                       " are mutually exclusive and you have specified both.");
  if (given == 0)
    return errors::missing("At least one of the parameters " + member_name(i, "Value") + ", " +
                           member_name(i, "StatisticValues") + " or " + member_name(i, "Values") + " must be specified.");
  std::vector<metrics::Sample> out;
  if (value) {
    out.push_back(metrics::Sample::of(value->GetDouble()));
  } else if (stats) {
    metrics::Sample s{(*stats)["SampleCount"].GetDouble(), (*stats)["Sum"].GetDouble(), (*stats)["Minimum"].GetDouble(),
                      (*stats)["Maximum"].GetDouble(), std::nullopt};
    if (s.count <= 0 || s.min > s.max)
      return errors::invalid_value("The parameter " + member_name(i, "StatisticValues") +
                                   " must have SampleCount greater than 0 and Minimum not greater than Maximum.");
    if (s.count == 1 || s.min == s.max) s.value = s.min;  // one observed value, rankable
    out.push_back(s);
  } else {
    if (counts && counts->Size() != values->Size())
      return errors::invalid_value("The parameters " + member_name(i, "Values") + " and " + member_name(i, "Counts") +
                                   " must be of the same size.");
    for (rapidjson::SizeType k = 0; k < values->Size(); ++k) {
      double n = counts ? (*counts)[k].GetDouble() : 1.0;
      if (n <= 0) continue;
      out.push_back(metrics::Sample::of((*values)[k].GetDouble(), n));
    }
  }
  for (const auto& s : out)
    if (!std::isfinite(s.sum) || !std::isfinite(s.min) || !std::isfinite(s.max))
      return errors::invalid_value("The value for parameter " + member_name(i, "Value") + " is not a finite number.");
  return out;
}

Outcome put_metric_data(OpContext& ctx, const json::Value& in) {
  auto ns = std::string(json::view(in["Namespace"]));
  if (ns.starts_with("AWS/"))
    return errors::invalid_value("The value " + ns + " for parameter Namespace is invalid.");
  const auto* data = json::member(in, "MetricData");
  if (!data || !data->IsArray() || data->Empty())
    return errors::missing("The parameter MetricData is required.");
  const std::int64_t now = ctx.clock.now_millis();
  state::MetricsStore store(ctx.db, ctx.scope());
  for (rapidjson::SizeType i = 0; i < data->Size(); ++i) {
    const auto& d = (*data)[i];
    auto found = samples_of(d, i);
    if (auto* e = std::get_if<AwsError>(&found)) return *e;  // the whole call rolls back
    std::int64_t ts = millis_of(d, "Timestamp").value_or(now);
    if (ts < now - kTwoWeeks || ts > now + kTwoHours)
      return errors::invalid_value("The parameter " + member_name(i, "Timestamp") +
                                   " must specify a time no more than two weeks in the past or two hours in the future.");
    auto resolution = json::get_int(d, "StorageResolution").value_or(60);
    if (resolution != 1 && resolution != 60)
      return errors::invalid_value("The parameter " + member_name(i, "StorageResolution") + " must be 1 or 60.");
    // Standard-resolution data is kept at minute granularity.
    if (resolution == 60) ts -= ts % 60'000;
    else ts -= ts % 1000;
    auto dims = dimensions_of(d);
    auto series = store.touch_series(ns, json::view(d["MetricName"]), canonical(dims), now);
    std::string unit(json::get_string(d, "Unit").value_or("None"));
    for (const auto& s : std::get<std::vector<metrics::Sample>>(found))
      store.add_point(series, {ts, unit, s.count, s.sum, s.min, s.max, s.value});
  }
  return Outcome::ok("{}");
}

// Whether a metric's canonical dimensions pass ListMetrics' dimension filters.
bool matches(const std::string& canonical_text, const json::Value* filters) {
  if (!filters || !filters->IsArray()) return true;
  rapidjson::Document dims;
  dims.Parse(canonical_text.c_str());
  for (const auto& f : filters->GetArray()) {
    auto name = json::view(f["Name"]);
    auto value = json::get_string(f, "Value");
    bool found = false;
    for (const auto& d : dims.GetArray())
      if (json::view(d["Name"]) == name && (!value || json::view(d["Value"]) == *value)) found = true;
    if (!found) return false;
  }
  return true;
}

Outcome list_metrics(OpContext& ctx, const json::Value& in) {
  std::int64_t after = 0;
  if (auto t = json::get_string(in, "NextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor) return errors::invalid_next_token();
    after = std::strtoll(cursor->c_str(), nullptr, 10);
  }
  std::int64_t since = 0;
  if (auto r = json::get_string(in, "RecentlyActive"); r && *r == "PT3H") since = ctx.clock.now_millis() - 3 * 3'600'000;
  auto ns = json::get_string(in, "Namespace");
  auto name = json::get_string(in, "MetricName");
  const auto* filters = json::member(in, "Dimensions");
  state::MetricsStore store(ctx.db, ctx.scope());
  std::vector<state::MetricSeriesRow> page;
  bool more = false;
  std::int64_t last = after;
  while (!more) {
    auto rows = store.list_series(ns, name, last, since, 1000);
    if (rows.empty()) break;
    for (auto& r : rows) {
      if (static_cast<int>(page.size()) == kListPage) {
        more = true;
        break;
      }
      last = r.id;
      if (matches(r.dimensions, filters)) page.push_back(std::move(r));
    }
  }
  Body b;
  b.w.StartObject();
  b.w.Key("Metrics");
  b.w.StartArray();
  for (const auto& r : page) write_metric(b.w, r.namespace_, r.name, r.dimensions);
  b.w.EndArray();
  if (more) json::kv(b.w, "NextToken", pagination::encode(std::to_string(last)));
  b.w.EndObject();
  return b.done();
}

Outcome get_metric_statistics(OpContext& ctx, const json::Value& in) {
  const std::int64_t now = ctx.clock.now_millis();
  auto start = *millis_of(in, "StartTime");
  auto end = *millis_of(in, "EndTime");
  auto period = in["Period"].GetInt64();
  std::vector<std::string> stats, extended;
  if (const auto* s = json::member(in, "Statistics"))
    for (const auto& v : s->GetArray()) stats.emplace_back(json::view(v));
  if (const auto* s = json::member(in, "ExtendedStatistics"))
    for (const auto& v : s->GetArray()) extended.emplace_back(json::view(v));
  if (stats.empty() == extended.empty())
    return errors::invalid_combination("Must specify either Statistics or ExtendedStatistics, but not both.");
  for (const auto& e : extended)
    if (!metrics::percentile_of(e))
      return errors::invalid_value("The value " + e + " for parameter ExtendedStatistics is not supported.");
  if (start >= end) return errors::invalid_value("The parameter StartTime must be less than the parameter EndTime.");
  if (auto e = metrics::period_error(period, start, now)) return errors::invalid_value(*e);
  auto first = metrics::aligned_start(start, period, now);
  if (auto e = metrics::datapoint_limit_error(first, end, period, stats.size() + extended.size()))
    return errors::invalid_combination(*e);

  std::string metric_name(json::view(in["MetricName"]));
  std::optional<std::string> unit;
  if (auto u = json::get_string(in, "Unit")) unit = std::string(*u);
  state::MetricsStore store(ctx.db, ctx.scope());
  metrics::Buckets buckets;
  if (auto id = store.find_series(json::view(in["Namespace"]), metric_name, canonical(dimensions_of(in))))
    buckets = metrics::read_buckets(store, *id, first, end, period, unit);

  Body b;
  b.w.StartObject();
  json::kv(b.w, "Label", metric_name);
  b.w.Key("Datapoints");
  b.w.StartArray();
  for (const auto& [key, agg] : buckets) {
    b.w.StartObject();
    b.w.Key("Timestamp");
    json::epoch_seconds(b.w, key.first);
    for (const auto& s : stats) {
      b.w.Key(s.c_str());
      number(b.w, *metrics::compute(agg, s));
    }
    if (!extended.empty()) {
      b.w.Key("ExtendedStatistics");
      b.w.StartObject();
      for (const auto& e : extended)
        if (auto v = metrics::compute(agg, e)) {
          b.w.Key(e.c_str());
          number(b.w, *v);
        }
      b.w.EndObject();
    }
    json::kv(b.w, "Unit", key.second);
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

}  // namespace

void register_metrics(OperationTable& t) {
  t.add("cloudwatch", "PutMetricData", put_metric_data, Access::Write);
  t.add("cloudwatch", "ListMetrics", list_metrics, Access::Read);
  t.add("cloudwatch", "GetMetricStatistics", get_metric_statistics, Access::Read);
}

}  // namespace berth::api::cloudwatch
