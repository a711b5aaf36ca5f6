#include "metrics/container_insights.h"

#include <initializer_list>

#include "common/json.h"

namespace berth::metrics::insights {
namespace {

struct Metric {
  const char* name;
  const char* unit;
};

void num(json::Writer& w, const char* key, double v) {
  w.Key(key);
  w.Double(v);
}

void count(json::Writer& w, const char* key, std::int64_t v) {
  w.Key(key);
  w.Int64(v);
}

void stamp(json::Writer& w, std::int64_t ms) {
  w.Key("Timestamp");
  w.Int64(ms);
}

// The CloudWatchMetrics directive Container Insights puts in an event.
void directive(json::Writer& w, std::initializer_list<Metric> metrics,
               const std::vector<std::vector<const char*>>& dimension_sets) {
  w.Key("CloudWatchMetrics");
  w.StartArray();
  w.StartObject();
  json::kv(w, "Namespace", kNamespace);
  w.Key("Metrics");
  w.StartArray();
  for (const auto& m : metrics) {
    w.StartObject();
    json::kv(w, "Name", m.name);
    json::kv(w, "Unit", m.unit);
    w.EndObject();
  }
  w.EndArray();
  w.Key("Dimensions");
  w.StartArray();
  for (const auto& set : dimension_sets) {
    w.StartArray();
    for (const char* d : set) json::str(w, d);
    w.EndArray();
  }
  w.EndArray();
  w.EndObject();
  w.EndArray();
}

// The resource members Task and Container events share.
void task_identity(json::Writer& w, const TaskFacts& t) {
  json::kv(w, "TaskId", t.task_id);
  json::kv(w, "TaskDefinitionFamily", t.family);
  json::kv(w, "TaskDefinitionRevision", t.revision);
  if (t.service) json::kv(w, "ServiceName", *t.service);
  if (t.container_instance_id) json::kv(w, "ContainerInstanceId", *t.container_instance_id);
  json::kv(w, "ClusterName", t.cluster);
}

std::string text(const rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

}  // namespace

std::string log_group(std::string_view cluster) {
  return "/aws/ecs/containerinsights/" + std::string(cluster) + "/performance";
}

bool enabled_in(std::string_view cluster_doc) {
  rapidjson::Document doc;
  doc.Parse(cluster_doc.data(), cluster_doc.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const auto* settings = json::member(doc, "settings");
  if (!settings || !settings->IsArray()) return false;
  for (const auto& s : settings->GetArray()) {
    if (json::get_string(s, "name").value_or("") != "containerInsights") continue;
    auto v = json::get_string(s, "value").value_or("");
    return v == "enabled" || v == "enhanced";
  }
  return false;
}

void ContainerWindow::add(const std::optional<ContainerSample>& previous, const ContainerSample& current) {
  memory_sum_ += current.memory_mib;
  ++memory_samples_;
  read_bytes_ = current.read_bytes;
  write_bytes_ = current.write_bytes;
  if (!previous || current.at_ms <= previous->at_ms) return;
  cpu_sum_ += cpu_units_used(*previous, current);
  ++cpu_samples_;
  // Counters that went back mean a restarted container: that delta is unknown, not negative.
  if (current.rx_bytes >= previous->rx_bytes && current.tx_bytes >= previous->tx_bytes) {
    rx_ += current.rx_bytes - previous->rx_bytes;
    tx_ += current.tx_bytes - previous->tx_bytes;
    span_ms_ += current.at_ms - previous->at_ms;
  }
}

std::string task_event(const TaskFacts& t, std::int64_t ts) {
  double cpu = 0, memory = 0, rx = 0, tx = 0, read = 0, write = 0;
  for (const auto& c : t.containers) {
    cpu += c.usage.cpu_units();
    memory += c.usage.memory_mib();
    rx += c.usage.rx_per_second();
    tx += c.usage.tx_per_second();
    read += c.usage.read_bytes();
    write += c.usage.write_bytes();
  }
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::kv(w, "Version", "0");
  json::kv(w, "Type", "Task");
  task_identity(w, t);
  json::kv(w, "AccountID", t.account);
  json::kv(w, "Region", t.region);
  json::kv(w, "AvailabilityZone", t.availability_zone);
  json::kv(w, "KnownStatus", t.known_status);
  json::kv(w, "LaunchType", t.launch_type);
  if (t.pull_started_at) count(w, "PullStartedAt", *t.pull_started_at);
  if (t.pull_stopped_at) count(w, "PullStoppedAt", *t.pull_stopped_at);
  count(w, "CreatedAt", t.created_at);
  if (t.started_at) count(w, "StartedAt", *t.started_at);
  stamp(w, ts);
  num(w, "CpuUtilized", cpu);
  num(w, "CpuReserved", t.cpu_reserved);
  num(w, "MemoryUtilized", memory);
  num(w, "MemoryReserved", t.memory_reserved);
  num(w, "StorageReadBytes", read);
  num(w, "StorageWriteBytes", write);
  num(w, "NetworkRxBytes", rx);
  num(w, "NetworkTxBytes", tx);
  std::vector<std::vector<const char*>> sets = {{"ClusterName"}, {"ClusterName", "TaskDefinitionFamily"}};
  if (t.service) sets.push_back({"ClusterName", "ServiceName"});
  directive(w,
            {{"CpuUtilized", "None"}, {"CpuReserved", "None"}, {"MemoryUtilized", "Megabytes"},
             {"MemoryReserved", "Megabytes"}, {"StorageReadBytes", "Bytes/Second"},
             {"StorageWriteBytes", "Bytes/Second"}, {"NetworkRxBytes", "Bytes/Second"},
             {"NetworkTxBytes", "Bytes/Second"}},
            sets);
  w.EndObject();
  return text(buf);
}

std::string container_event(const TaskFacts& t, const ContainerFacts& c, std::int64_t ts) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::kv(w, "Version", "0");
  json::kv(w, "Type", "Container");
  json::kv(w, "ContainerName", c.name);
  task_identity(w, t);
  json::kv(w, "Image", c.image);
  json::kv(w, "ContainerKnownStatus", c.known_status);
  stamp(w, ts);
  num(w, "CpuUtilized", c.usage.cpu_units());
  num(w, "CpuReserved", c.cpu_reserved);
  num(w, "MemoryUtilized", c.usage.memory_mib());
  num(w, "MemoryReserved", c.memory_reserved);
  num(w, "StorageReadBytes", c.usage.read_bytes());
  num(w, "StorageWriteBytes", c.usage.write_bytes());
  num(w, "NetworkRxBytes", c.usage.rx_per_second());
  num(w, "NetworkTxBytes", c.usage.tx_per_second());
  w.EndObject();  // container events carry no metrics directive (standard Container Insights)
  return text(buf);
}

std::string service_event(const ServiceFacts& s, std::int64_t ts) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::kv(w, "Version", "0");
  json::kv(w, "Type", "Service");
  json::kv(w, "ServiceName", s.name);
  json::kv(w, "ClusterName", s.cluster);
  stamp(w, ts);
  count(w, "DesiredTaskCount", s.desired);
  count(w, "RunningTaskCount", s.running);
  count(w, "PendingTaskCount", s.pending);
  count(w, "DeploymentCount", s.deployments);
  count(w, "TaskSetCount", s.task_sets);
  directive(w,
            {{"DesiredTaskCount", "Count"}, {"RunningTaskCount", "Count"}, {"PendingTaskCount", "Count"},
             {"DeploymentCount", "Count"}, {"TaskSetCount", "Count"}},
            {{"ServiceName", "ClusterName"}});
  w.EndObject();
  return text(buf);
}

std::string cluster_event(const ClusterFacts& c, std::int64_t ts) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::kv(w, "Version", "0");
  json::kv(w, "Type", "Cluster");
  json::kv(w, "ClusterName", c.name);
  stamp(w, ts);
  count(w, "TaskCount", c.tasks);
  count(w, "ServiceCount", c.services);
  directive(w, {{"TaskCount", "Count"}, {"ServiceCount", "Count"}}, {{"ClusterName"}});
  w.EndObject();
  return text(buf);
}

std::string task_stream(const TaskFacts& t) {
  if (t.launch_type == "EC2" && t.container_instance_id) return "AgentTelemetry-" + *t.container_instance_id;
  std::uint32_t h = 2166136261u;  // FNV-1a of the task id: the same stream for the task's life
  for (unsigned char ch : t.task_id) h = (h ^ ch) * 16777619u;
  return "FargateTelemetry-" + std::to_string(1000 + h % 9000);
}

std::string cluster_stream(std::string_view cluster) { return "ClusterTelemetry-" + std::string(cluster); }

std::vector<Datapoint> datapoints_of(std::string_view event_json) {
  std::vector<Datapoint> out;
  rapidjson::Document doc;
  doc.Parse(event_json.data(), event_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return out;
  const auto* directives = json::member(doc, "CloudWatchMetrics");
  if (!directives || !directives->IsArray()) return out;
  for (const auto& d : directives->GetArray()) {
    auto ns = json::get_string(d, "Namespace");
    const auto* metrics = json::member(d, "Metrics");
    const auto* sets = json::member(d, "Dimensions");
    if (!ns || !metrics || !metrics->IsArray() || !sets || !sets->IsArray()) continue;
    for (const auto& set : sets->GetArray()) {
      if (!set.IsArray()) continue;
      std::vector<std::pair<std::string, std::string>> dims;
      bool complete = true;
      for (const auto& name : set.GetArray()) {
        auto value = name.IsString() ? json::get_string(doc, name.GetString()) : std::nullopt;
        if (!value) {
          complete = false;
          break;
        }
        dims.emplace_back(name.GetString(), *value);
      }
      if (!complete) continue;
      for (const auto& m : metrics->GetArray()) {
        auto name = json::get_string(m, "Name");
        if (!name) continue;
        const auto* v = json::member(doc, std::string(*name).c_str());
        if (!v || !v->IsNumber()) continue;
        out.push_back({std::string(*ns), std::string(*name), std::string(json::get_string(m, "Unit").value_or("None")),
                       dims, v->GetDouble()});
      }
    }
  }
  return out;
}

}  // namespace berth::metrics::insights
