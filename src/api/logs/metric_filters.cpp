// PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter, TestMetricFilter. Matching events
// publish datapoints at ingestion (runtime/log_metric_filters.h).
#include <algorithm>

#include "api/logs/errors.h"
#include "api/logs/filter_put.h"
#include "api/pagination.h"
#include "api/services.h"
#include "logs/filter_pattern.h"
#include "logs/metric_filter.h"
#include "state/logs_store.h"

namespace berth::api::logs {
namespace {
using state::LogFilterRow;
using state::LogsStore;

constexpr int kMaxMetricFilters = 100;  // per log group
constexpr int kDefaultDescribeLimit = 50;

AwsError filter_not_found() {
  return AwsError::client("ResourceNotFoundException", "The specified metric filter does not exist.");
}

berth::logs::MetricTransformation transformation_of(const json::Value& t) {
  berth::logs::MetricTransformation m;
  m.metric_name = std::string(json::view(t["metricName"]));
  m.metric_namespace = std::string(json::view(t["metricNamespace"]));
  m.metric_value = std::string(json::view(t["metricValue"]));
  if (const json::Value* d = json::member(t, "defaultValue"); d && d->IsNumber()) m.default_value = d->GetDouble();
  if (auto u = json::get_string(t, "unit")) m.unit = std::string(*u);
  if (const json::Value* dims = json::member(t, "dimensions"); dims && dims->IsObject())
    for (auto it = dims->MemberBegin(); it != dims->MemberEnd(); ++it)
      m.dimensions.emplace_back(it->name.GetString(), json::view(it->value));
  return m;
}

// The filter as DescribeMetricFilters shows it, without logGroupName and creationTime (added
// when shown, since a replaced filter keeps its creation time).
std::string doc_of(const json::Value& in) {
  Body b;
  b.w.StartObject();
  json::kv(b.w, "filterName", json::view(in["filterName"]));
  json::kv(b.w, "filterPattern", json::view(in["filterPattern"]));
  b.w.Key("metricTransformations");
  b.w.StartArray();
  for (const auto& t : in["metricTransformations"].GetArray()) {
    auto m = transformation_of(t);
    b.w.StartObject();
    json::kv(b.w, "metricName", m.metric_name);
    json::kv(b.w, "metricNamespace", m.metric_namespace);
    json::kv(b.w, "metricValue", m.metric_value);
    if (m.default_value) {
      b.w.Key("defaultValue");
      b.w.Double(*m.default_value);
    }
    if (!m.dimensions.empty()) {
      b.w.Key("dimensions");
      b.w.StartObject();
      for (const auto& [k, v] : m.dimensions) json::kv(b.w, k.c_str(), v);
      b.w.EndObject();
    }
    if (json::member(t, "unit")) json::kv(b.w, "unit", m.unit);
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.Key("applyOnTransformedLogs");
  b.w.Bool(json::get_bool(in, "applyOnTransformedLogs").value_or(false));
  b.w.EndObject();
  return b.done().take_body();
}

Outcome put_metric_filter(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto group = filter_put_group(store, in);
  if (auto* e = std::get_if<AwsError>(&group)) return *e;
  std::int64_t group_id = std::get<state::LogGroupRow>(group).id;
  for (const auto& t : in["metricTransformations"].GetArray())
    if (auto problem = berth::logs::transformation_problem(transformation_of(t)))
      return errors::invalid_parameter(*problem);
  if (auto e = filter_limit_error(store, group_id, "metric", json::view(in["filterName"]), kMaxMetricFilters)) return *e;
  store_filter(ctx, store, group_id, "metric", in, doc_of(in));
  return Outcome::ok("{}");
}

void write_filter(json::Writer& w, const std::string& group, const LogFilterRow& f) {
  rapidjson::Document d;
  d.Parse(f.doc.c_str());
  w.StartObject();
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    w.Key(it->name.GetString());
    it->value.Accept(w);
  }
  w.Key("creationTime");
  w.Int64(f.created_at);
  json::kv(w, "logGroupName", group);
  w.EndObject();
}

bool names_metric(const LogFilterRow& f, std::optional<std::string_view> name, std::optional<std::string_view> ns) {
  if (!name && !ns) return true;
  rapidjson::Document d;
  d.Parse(f.doc.c_str());
  for (const auto& t : d["metricTransformations"].GetArray())
    if ((!name || json::view(t["metricName"]) == *name) && (!ns || json::view(t["metricNamespace"]) == *ns)) return true;
  return false;
}

Outcome describe_metric_filters(OpContext& ctx, const json::Value& in) {
  auto group_name = json::get_string(in, "logGroupName");
  auto prefix = json::get_string(in, "filterNamePrefix");
  auto metric = json::get_string(in, "metricName");
  auto ns = json::get_string(in, "metricNamespace");
  if (prefix && !group_name)
    return errors::invalid_parameter("If you specify filterNamePrefix, you must also specify logGroupName.");
  if (metric.has_value() != ns.has_value())
    return errors::invalid_parameter("metricName and metricNamespace must be specified together.");
  if (group_name && (metric || ns))
    return errors::invalid_parameter("logGroupName and metricName/metricNamespace are mutually exclusive.");
  int limit = static_cast<int>(json::get_int(in, "limit").value_or(kDefaultDescribeLimit));
  std::string after;  // "GROUP\nFILTER" of the last filter returned
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor) return errors::invalid_next_token();
    after = *cursor;
  }

  LogsStore store(ctx.db, ctx.scope());
  std::vector<std::pair<std::string, LogFilterRow>> rows;
  if (group_name) {
    auto group = store.group(*group_name);
    if (!group) return errors::group_not_found();
    for (auto& f : store.filters(group->id, "metric", prefix.value_or(""))) rows.emplace_back(group->name, std::move(f));
  } else {
    rows = store.all_filters("metric");
  }
  Body b;
  b.w.StartObject();
  b.w.Key("metricFilters");
  b.w.StartArray();
  int shown = 0;
  std::string last;
  bool more = false;
  for (const auto& [group, f] : rows) {
    std::string key = group + "\n" + f.name;
    if (!after.empty() && key <= after) continue;
    if (!names_metric(f, metric, ns)) continue;
    if (shown == limit) {
      more = true;
      break;
    }
    write_filter(b.w, group, f);
    ++shown;
    last = key;
  }
  b.w.EndArray();
  if (more) json::kv(b.w, "nextToken", pagination::encode(last));
  b.w.EndObject();
  return b.done();
}

Outcome delete_metric_filter(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto group = store.group(json::view(in["logGroupName"]));
  if (!group) return errors::group_not_found();
  if (!store.delete_filter(group->id, "metric", json::view(in["filterName"]))) return filter_not_found();
  return Outcome::ok("{}");
}

Outcome test_metric_filter(OpContext&, const json::Value& in) {
  std::string error;
  auto pattern = berth::logs::FilterPattern::parse(json::view(in["filterPattern"]), error);
  if (!pattern) return errors::invalid_parameter(error);
  Body b;
  b.w.StartObject();
  b.w.Key("matches");
  b.w.StartArray();
  std::int64_t number = 0;
  for (const auto& m : in["logEventMessages"].GetArray()) {
    ++number;
    std::vector<std::pair<std::string, std::string>> extracted;
    if (!pattern->matches_extracting(json::view(m), extracted)) continue;
    b.w.StartObject();
    b.w.Key("eventNumber");
    b.w.Int64(number);
    json::kv(b.w, "eventMessage", json::view(m));
    b.w.Key("extractedValues");
    b.w.StartObject();
    for (const auto& [k, v] : extracted) json::kv(b.w, k.c_str(), v);
    b.w.EndObject();
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_metric_filters(OperationTable& t) {
  t.add("logs", "PutMetricFilter", put_metric_filter, Access::Write);
  t.add("logs", "DescribeMetricFilters", describe_metric_filters, Access::Read);
  t.add("logs", "DeleteMetricFilter", delete_metric_filter, Access::Write);
  t.add("logs", "TestMetricFilter", test_metric_filter, Access::Read);
}

}  // namespace berth::api::logs
