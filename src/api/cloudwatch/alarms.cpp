// Metric alarms: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric, DeleteAlarms,
// SetAlarmState, Enable/DisableAlarmActions, DescribeAlarmHistory. The alarm evaluator
// (src/metrics/alarm_evaluator) moves their states; SetAlarmState does it by hand.
#include <set>

#include "api/cloudwatch/alarms.h"
#include "api/cloudwatch/errors.h"
#include "api/cloudwatch/shapes.h"
#include "api/pagination.h"
#include "api/services.h"
#include "api/cloudwatch/registration.h"
#include "metrics/alarm_rules.h"
#include "metrics/alarm_transition.h"
#include "metrics/statistics.h"
#include "state/metrics_store.h"
#include "state/tags_store.h"

namespace berth::api::cloudwatch {

std::string alarm_arn(const std::string& region, const std::string& account, std::string_view name) {
  return "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:" + std::string(name);
}

namespace {

constexpr std::size_t kMaxTags = 50;

std::vector<std::string> strings_of(const json::Value& in, const char* member) {
  std::vector<std::string> out;
  if (const auto* l = json::member(in, member); l && l->IsArray())
    for (const auto& v : l->GetArray()) out.emplace_back(json::view(v));
  return out;
}

// The configuration checks CloudWatch makes on PutMetricAlarm.
std::optional<AwsError> check_alarm(const json::Value& in) {
  bool metric = json::member(in, "MetricName") || json::member(in, "Namespace");
  bool math = json::member(in, "Metrics") != nullptr;
  if (metric && math)
    return errors::invalid_combination("The parameters MetricName and Metrics are mutually exclusive and you have specified both.");
  if (!metric && !math) return errors::validation("Either MetricName or Metrics must be specified.");
  if (metric) {
    if (!json::member(in, "MetricName")) return errors::missing("The parameter MetricName is required.");
    if (!json::member(in, "Namespace")) return errors::missing("The parameter Namespace is required.");
    bool stat = json::member(in, "Statistic") != nullptr, ext = json::member(in, "ExtendedStatistic") != nullptr;
    if (stat == ext) return errors::invalid_combination("Exactly one of Statistic or ExtendedStatistic must be specified.");
    if (ext && !metrics::percentile_of(json::view(in["ExtendedStatistic"])))
      return errors::invalid_value("The value " + std::string(json::view(in["ExtendedStatistic"])) +
                                   " for parameter ExtendedStatistic is not supported.");
    if (!json::member(in, "Period")) return errors::missing("The parameter Period is required.");
    auto period = in["Period"].GetInt64();
    if (!(period == 10 || period == 20 || period == 30 || (period >= 60 && period % 60 == 0)))
      return errors::invalid_value("The parameter Period must be 10, 20, 30, or a multiple of 60.");
  } else {
    int returned = 0;
    for (const auto& q : in["Metrics"].GetArray())
      if (json::get_bool(q, "ReturnData").value_or(true)) ++returned;
    if (returned != 1)
      return errors::validation("Exactly one element of the metrics list should return data.");
  }
  auto cmp = json::view(in["ComparisonOperator"]);
  if (!json::member(in, "Threshold") && !json::member(in, "ThresholdMetricId"))
    return errors::validation("Threshold must be specified for ComparisonOperator " + std::string(cmp) + ".");
  auto n = in["EvaluationPeriods"].GetInt64();
  if (auto m = json::get_int(in, "DatapointsToAlarm"); m && *m > n)
    return errors::validation("DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
  if (auto t = json::get_string(in, "TreatMissingData"))
    if (*t != "missing" && *t != "ignore" && *t != "breaching" && *t != "notBreaching")
      return errors::validation("The value " + std::string(*t) + " for parameter TreatMissingData is not valid. "
                                "Valid values are: breaching, notBreaching, ignore, missing.");
  return std::nullopt;
}

Outcome put_metric_alarm(OpContext& ctx, const json::Value& in) {
  if (auto e = check_alarm(in)) return *e;
  const std::int64_t now = ctx.clock.now_millis();
  std::string name(json::view(in["AlarmName"]));
  state::MetricsStore store(ctx.db, ctx.scope());
  auto existing = store.alarm(name);

  // The configuration as put, without the tags (kept by ARN like every other resource's).
  rapidjson::Document doc;
  doc.SetObject();
  for (auto it = in.MemberBegin(); it != in.MemberEnd(); ++it)
    if (std::string_view(it->name.GetString()) != "Tags")
      doc.AddMember(rapidjson::Value(it->name, doc.GetAllocator()), rapidjson::Value(it->value, doc.GetAllocator()),
                    doc.GetAllocator());
  state::MetricAlarmRow row;
  row.name = name;
  if (auto ns = json::get_string(in, "Namespace")) {
    row.namespace_ = std::string(*ns);
    row.metric_name = std::string(json::view(in["MetricName"]));
    row.dimensions = canonical(dimensions_of(in));
  }
  row.state_reason = "Unchecked: Initial alarm creation";
  row.state_updated = row.state_transitioned = row.updated = now;
  row.actions_enabled = json::get_bool(in, "ActionsEnabled").value_or(true);
  row.doc = json::dump(doc);
  store.put_alarm(row);

  auto arn = alarm_arn(ctx.region, ctx.account, name);
  if (const auto* tags = json::member(in, "Tags"); tags && tags->IsArray()) {
    std::vector<state::Tag> list;
    for (const auto& t : tags->GetArray()) list.emplace_back(json::view(t["Key"]), json::view(t["Value"]));
    state::TagsStore ts(ctx.db);
    ts.put(arn, list);
    if (ts.count(arn) > kMaxTags) return errors::invalid_value("The maximum number of tags for a resource is 50.");
  }
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::kv(w, "version", "1.0");
  json::kv(w, "type", existing ? "Update" : "Create");
  w.Key(existing ? "updatedAlarm" : "createdAlarm");
  json::raw(w, row.doc);
  w.EndObject();
  store.add_history({name, "MetricAlarm", "ConfigurationUpdate",
                     "Alarm \"" + name + "\" " + (existing ? "updated" : "created"),
                     std::string(buf.GetString(), buf.GetSize()), now, 0});
  return Outcome::ok("{}");
}

void write_strings_or_empty(json::Writer& w, const rapidjson::Document& doc, const char* member) {
  w.Key(member);
  if (const auto* v = json::member(doc, member)) json::raw(w, json::dump(*v));
  else json::raw(w, "[]");
}

void write_alarm(json::Writer& w, OpContext& ctx, const state::MetricAlarmRow& a) {
  rapidjson::Document doc;
  doc.Parse(a.doc.c_str());
  w.StartObject();
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    std::string_view key = it->name.GetString();
    if (key == "ActionsEnabled" || key == "OKActions" || key == "AlarmActions" || key == "InsufficientDataActions" ||
        key == "Dimensions")
      continue;
    w.Key(it->name.GetString());
    json::raw(w, json::dump(it->value));
  }
  json::kv(w, "AlarmArn", alarm_arn(ctx.region, ctx.account, a.name));
  w.Key("AlarmConfigurationUpdatedTimestamp");
  json::epoch_seconds(w, a.updated);
  w.Key("ActionsEnabled");
  w.Bool(a.actions_enabled);
  write_strings_or_empty(w, doc, "OKActions");
  write_strings_or_empty(w, doc, "AlarmActions");
  write_strings_or_empty(w, doc, "InsufficientDataActions");
  if (a.namespace_) write_dimensions(w, a.dimensions.value_or("[]"));
  json::kv(w, "StateValue", a.state);
  json::kv(w, "StateReason", a.state_reason);
  if (a.state_reason_data) json::kv(w, "StateReasonData", *a.state_reason_data);
  w.Key("StateUpdatedTimestamp");
  json::epoch_seconds(w, a.state_updated);
  w.Key("StateTransitionedTimestamp");
  json::epoch_seconds(w, a.state_transitioned);
  w.EndObject();
}

// DescribeAlarms' ActionPrefix: an alarm, OK or insufficient-data action that starts with it.
bool has_action_with_prefix(const std::string& doc_text, std::string_view prefix) {
  rapidjson::Document doc;
  doc.Parse(doc_text.c_str());
  if (!doc.IsObject()) return false;
  for (const char* list : {"AlarmActions", "OKActions", "InsufficientDataActions"})
    if (const auto* actions = json::member(doc, list); actions && actions->IsArray())
      for (const auto& a : actions->GetArray())
        if (a.IsString() && json::view(a).starts_with(prefix)) return true;
  return false;
}

Outcome describe_alarms(OpContext& ctx, const json::Value& in) {
  auto names = strings_of(in, "AlarmNames");
  auto prefix = json::get_string(in, "AlarmNamePrefix");
  if (!names.empty() && prefix)
    return errors::invalid_combination("AlarmNames and AlarmNamePrefix are mutually exclusive.");
  auto types = strings_of(in, "AlarmTypes");
  bool metric_alarms = types.empty() || std::find(types.begin(), types.end(), "MetricAlarm") != types.end();
  auto state_filter = json::get_string(in, "StateValue");
  auto action_prefix = json::get_string(in, "ActionPrefix");
  int limit = static_cast<int>(json::get_int(in, "MaxRecords").value_or(50));
  std::string after;
  if (auto t = json::get_string(in, "NextToken")) {
    auto c = pagination::decode(*t);
    if (!c) return errors::invalid_next_token();
    after = *c;
  }
  state::MetricsStore store(ctx.db, ctx.scope());
  std::vector<state::MetricAlarmRow> page;
  bool more = false;
  if (metric_alarms) {
    std::set<std::string> wanted(names.begin(), names.end());
    std::string cursor = after;
    while (!more) {
      auto rows = store.list_alarms(prefix.value_or(""), cursor, 200);
      if (rows.empty()) break;
      for (auto& r : rows) {
        cursor = r.name;
        if (!wanted.empty() && !wanted.count(r.name)) continue;
        if (state_filter && r.state != *state_filter) continue;
        if (action_prefix && !has_action_with_prefix(r.doc, *action_prefix)) continue;
        if (static_cast<int>(page.size()) == limit) {
          more = true;
          break;
        }
        page.push_back(std::move(r));
      }
    }
  }
  Body b;
  b.w.StartObject();
  b.w.Key("CompositeAlarms");
  b.w.StartArray();
  b.w.EndArray();
  b.w.Key("MetricAlarms");
  b.w.StartArray();
  for (const auto& a : page) write_alarm(b.w, ctx, a);
  b.w.EndArray();
  if (more) json::kv(b.w, "NextToken", pagination::encode(page.back().name));
  b.w.EndObject();
  return b.done();
}

Outcome describe_alarms_for_metric(OpContext& ctx, const json::Value& in) {
  std::string ns(json::view(in["Namespace"])), name(json::view(in["MetricName"]));
  std::optional<std::string> dims;
  if (json::member(in, "Dimensions")) dims = canonical(dimensions_of(in));
  auto stat = json::get_string(in, "Statistic");
  auto ext = json::get_string(in, "ExtendedStatistic");
  auto period = json::get_int(in, "Period");
  auto unit = json::get_string(in, "Unit");
  state::MetricsStore store(ctx.db, ctx.scope());
  Body b;
  b.w.StartObject();
  b.w.Key("MetricAlarms");
  b.w.StartArray();
  std::string cursor;
  for (;;) {
    auto rows = store.list_alarms("", cursor, 500);
    if (rows.empty()) break;
    for (const auto& a : rows) {
      cursor = a.name;
      if (a.namespace_ != ns || a.metric_name != name) continue;
      if (dims && a.dimensions != *dims) continue;
      rapidjson::Document doc;
      doc.Parse(a.doc.c_str());
      if (stat && json::get_string(doc, "Statistic") != stat) continue;
      if (ext && json::get_string(doc, "ExtendedStatistic") != ext) continue;
      if (period && json::get_int(doc, "Period") != period) continue;
      if (unit && json::get_string(doc, "Unit") != unit) continue;
      write_alarm(b.w, ctx, a);
    }
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

Outcome delete_alarms(OpContext& ctx, const json::Value& in) {
  state::MetricsStore store(ctx.db, ctx.scope());
  auto names = strings_of(in, "AlarmNames");
  for (const auto& n : names)
    if (!store.alarm(n)) return errors::alarm_not_found(n);
  state::TagsStore tags(ctx.db);
  for (const auto& n : names) {
    store.delete_alarm(n);
    tags.remove_all(alarm_arn(ctx.region, ctx.account, n));
  }
  return Outcome::ok("{}");
}

Outcome set_alarm_state(OpContext& ctx, const json::Value& in) {
  std::string name(json::view(in["AlarmName"]));
  state::MetricsStore store(ctx.db, ctx.scope());
  auto alarm = store.alarm(name);
  if (!alarm) return errors::alarm_not_found(name);
  std::optional<std::string> data;
  if (auto d = json::get_string(in, "StateReasonData")) {
    rapidjson::Document check;
    check.Parse(d->data(), d->size());
    if (check.HasParseError()) return errors::invalid_format("Invalid JSON in StateReasonData.");
    data = std::string(*d);
  }
  // The new state's actions run from the evaluator thread's next pass, as CloudWatch runs
  // them asynchronously.
  metrics::transition(store, *alarm, std::string(json::view(in["StateValue"])),
                      std::string(json::view(in["StateReason"])), data, ctx.clock.now_millis());
  return Outcome::ok("{}");
}

Outcome set_actions(OpContext& ctx, const json::Value& in, bool enabled) {
  state::MetricsStore store(ctx.db, ctx.scope());
  for (const auto& n : strings_of(in, "AlarmNames")) store.set_actions_enabled(n, enabled);
  return Outcome::ok("{}");
}
Outcome enable_alarm_actions(OpContext& ctx, const json::Value& in) { return set_actions(ctx, in, true); }
Outcome disable_alarm_actions(OpContext& ctx, const json::Value& in) { return set_actions(ctx, in, false); }

Outcome describe_alarm_history(OpContext& ctx, const json::Value& in) {
  int limit = static_cast<int>(json::get_int(in, "MaxRecords").value_or(100));
  bool oldest_first = json::get_string(in, "ScanBy").value_or("TimestampDescending") == "TimestampAscending";
  std::int64_t cursor = 0;
  if (auto t = json::get_string(in, "NextToken")) {
    auto c = pagination::decode(*t);
    if (!c) return errors::invalid_next_token();
    cursor = std::strtoll(c->c_str(), nullptr, 10);
  }
  auto types = strings_of(in, "AlarmTypes");
  state::MetricsStore store(ctx.db, ctx.scope());
  std::vector<state::AlarmHistoryRow> rows;
  if (types.empty() || std::find(types.begin(), types.end(), "MetricAlarm") != types.end())
    rows = store.history(json::get_string(in, "AlarmName"), json::get_string(in, "HistoryItemType"),
                         millis_of(in, "StartDate").value_or(0), millis_of(in, "EndDate").value_or(INT64_MAX), cursor,
                         limit + 1, oldest_first);
  bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.resize(limit);
  Body b;
  b.w.StartObject();
  b.w.Key("AlarmHistoryItems");
  b.w.StartArray();
  for (const auto& h : rows) {
    b.w.StartObject();
    json::kv(b.w, "AlarmName", h.alarm_name);
    json::kv(b.w, "AlarmType", h.alarm_type);
    b.w.Key("Timestamp");
    json::epoch_seconds(b.w, h.ts);
    json::kv(b.w, "HistoryItemType", h.item_type);
    json::kv(b.w, "HistorySummary", h.summary);
    json::kv(b.w, "HistoryData", h.data);
    b.w.EndObject();
  }
  b.w.EndArray();
  if (more) json::kv(b.w, "NextToken", pagination::encode(std::to_string(rows.back().id)));
  b.w.EndObject();
  return b.done();
}

// Tags of alarms (the only CloudWatch resources berth holds).
std::variant<std::string, AwsError> tagged_alarm(OpContext& ctx, const json::Value& in) {
  std::string arn(json::view(in["ResourceARN"]));
  auto prefix = alarm_arn(ctx.region, ctx.account, "");
  if (!arn.starts_with(prefix) || !state::MetricsStore(ctx.db, ctx.scope()).alarm(arn.substr(prefix.size())))
    return errors::resource_not_found(arn);
  return arn;
}

Outcome tag_resource(OpContext& ctx, const json::Value& in) {
  auto found = tagged_alarm(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  std::vector<state::Tag> list;
  for (const auto& t : in["Tags"].GetArray()) list.emplace_back(json::view(t["Key"]), json::view(t["Value"]));
  state::TagsStore ts(ctx.db);
  ts.put(std::get<std::string>(found), list);
  if (ts.count(std::get<std::string>(found)) > kMaxTags)
    return errors::invalid_value("The maximum number of tags for a resource is 50.");
  return Outcome::ok("{}");
}

Outcome untag_resource(OpContext& ctx, const json::Value& in) {
  auto found = tagged_alarm(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  state::TagsStore(ctx.db).remove(std::get<std::string>(found), strings_of(in, "TagKeys"));
  return Outcome::ok("{}");
}

Outcome list_tags_for_resource(OpContext& ctx, const json::Value& in) {
  auto found = tagged_alarm(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  Body b;
  b.w.StartObject();
  b.w.Key("Tags");
  b.w.StartArray();
  for (const auto& [k, v] : state::TagsStore(ctx.db).list(std::get<std::string>(found))) {
    b.w.StartObject();
    json::kv(b.w, "Key", k);
    json::kv(b.w, "Value", v);
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

}  // namespace

void register_alarms(OperationTable& t) {
  t.add("cloudwatch", "PutMetricAlarm", put_metric_alarm, Access::Write);
  t.add("cloudwatch", "DescribeAlarms", describe_alarms, Access::Read);
  t.add("cloudwatch", "DescribeAlarmsForMetric", describe_alarms_for_metric, Access::Read);
  t.add("cloudwatch", "DeleteAlarms", delete_alarms, Access::Write);
  t.add("cloudwatch", "SetAlarmState", set_alarm_state, Access::Write);
  t.add("cloudwatch", "EnableAlarmActions", enable_alarm_actions, Access::Write);
  t.add("cloudwatch", "DisableAlarmActions", disable_alarm_actions, Access::Write);
  t.add("cloudwatch", "DescribeAlarmHistory", describe_alarm_history, Access::Read);
  t.add("cloudwatch", "TagResource", tag_resource, Access::Write);
  t.add("cloudwatch", "UntagResource", untag_resource, Access::Write);
  t.add("cloudwatch", "ListTagsForResource", list_tags_for_resource, Access::Read);
}

}  // namespace berth::api::cloudwatch
