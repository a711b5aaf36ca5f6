#include "scaling/target_tracking.h"

#include <variant>

#include "metrics/series_reader.h"

namespace berth::scaling {
namespace {

// The metric half of an alarm's configuration, written into `w`; false when unknown.
std::optional<std::string> write_metric(json::Writer& w, const std::string& resource_id, const json::Value& config) {
  // service/CLUSTER/SERVICE
  auto first = resource_id.find('/'), second = resource_id.find('/', first + 1);
  std::string cluster = resource_id.substr(first + 1, second - first - 1), service = resource_id.substr(second + 1);
  if (const auto* p = json::member(config, "PredefinedMetricSpecification")) {
    auto type = json::get_string(*p, "PredefinedMetricType").value_or("");
    if (type == "ECSServiceAverageCPUUtilization" || type == "ECSServiceAverageMemoryUtilization") {
      json::kv(w, "Namespace", "AWS/ECS");
      json::kv(w, "MetricName", type == "ECSServiceAverageCPUUtilization" ? "CPUUtilization" : "MemoryUtilization");
      json::kv(w, "Statistic", "Average");
      w.Key("Dimensions");
      json::raw(w, metrics::canonical_dimensions({{"ClusterName", cluster}, {"ServiceName", service}}));
      return std::nullopt;
    }
    if (type == "ALBRequestCountPerTarget") {
      std::string label(json::get_string(*p, "ResourceLabel").value_or(""));
      auto tg = label.find("/targetgroup/");
      if (tg == std::string::npos)
        return "ResourceLabel must be specified for the predefined metric type ALBRequestCountPerTarget, as "
               "app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id>.";
      json::kv(w, "Namespace", "AWS/ApplicationELB");
      json::kv(w, "MetricName", "RequestCountPerTarget");
      json::kv(w, "Statistic", "Sum");
      w.Key("Dimensions");
      json::raw(w, metrics::canonical_dimensions({{"TargetGroup", label.substr(tg + 1)}}));
      return std::nullopt;
    }
    return "Unsupported predefined metric type " + std::string(type) + " for service namespace ecs.";
  }
  if (const auto* c = json::member(config, "CustomizedMetricSpecification")) {
    if (const auto* math = json::member(*c, "Metrics")) {
      w.Key("Metrics");
      json::raw(w, json::dump(*math));
      return std::nullopt;
    }
    for (const char* m : {"Namespace", "MetricName", "Statistic", "Unit"})
      if (auto v = json::get_string(*c, m)) json::kv(w, m, *v);
    std::vector<std::pair<std::string, std::string>> dims;
    if (const auto* list = json::member(*c, "Dimensions"); list && list->IsArray())
      for (const auto& d : list->GetArray())
        dims.emplace_back(json::get_string(d, "Name").value_or(""), json::get_string(d, "Value").value_or(""));
    w.Key("Dimensions");
    json::raw(w, metrics::canonical_dimensions(dims));
    return std::nullopt;
  }
  return "Either PredefinedMetricSpecification or CustomizedMetricSpecification must be specified.";
}

}  // namespace

std::variant<std::vector<state::MetricAlarmRow>, std::string> target_tracking_alarms(
    const std::string& policy_arn, const std::string& resource_id, const std::string& uuid, const json::Value& config,
    std::int64_t now, std::int64_t period_seconds) {
  double target = config["TargetValue"].GetDouble();
  std::vector<state::MetricAlarmRow> out;
  for (bool high : {true, false}) {
    rapidjson::StringBuffer buf;
    json::Writer w(buf);
    std::string name = "TargetTracking-" + resource_id + (high ? "-AlarmHigh-" : "-AlarmLow-") + uuid;
    w.StartObject();
    json::kv(w, "AlarmName", name);
    json::kv(w, "AlarmDescription", "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + policy_arn + ".");
    w.Key("AlarmActions");
    w.StartArray();
    json::str(w, policy_arn);
    w.EndArray();
    if (auto e = write_metric(w, resource_id, config)) return *e;
    w.Key("Period");
    w.Int64(period_seconds);
    w.Key("EvaluationPeriods");
    w.Int(high ? 3 : 15);
    w.Key("DatapointsToAlarm");
    w.Int(high ? 3 : 15);
    w.Key("Threshold");
    w.Double(high ? target : target * 0.9);
    json::kv(w, "ComparisonOperator", high ? "GreaterThanThreshold" : "LessThanThreshold");
    w.EndObject();
    state::MetricAlarmRow row;
    row.name = name;
    rapidjson::Document doc;
    doc.Parse(buf.GetString());
    if (auto ns = json::get_string(doc, "Namespace")) {
      row.namespace_ = std::string(*ns);
      row.metric_name = std::string(json::get_string(doc, "MetricName").value_or(""));
      row.dimensions = json::dump(doc["Dimensions"]);
    }
    row.state_reason = "Unchecked: Initial alarm creation";
    row.state_updated = row.state_transitioned = row.updated = now;
    row.doc = std::string(buf.GetString(), buf.GetSize());
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace berth::scaling
