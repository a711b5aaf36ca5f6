#include "runtime/container_insights.h"

#include <charconv>
#include <set>
#include <tuple>
#include <vector>

#include "common/json.h"
#include "metrics/series_reader.h"
#include "runtime/log_metric_filters.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_service_store.h"
#include "state/ecs_task_definition_store.h"
#include "state/logs_store.h"
#include "state/metrics_store.h"

namespace berth::runtime {
namespace {
namespace ci = metrics::insights;

// Container Insights makes the performance log group with a one-day retention.
constexpr int kRetentionDays = 1;

std::string after_last(const std::string& s, char c) {
  auto p = s.rfind(c);
  return p == std::string::npos ? s : s.substr(p + 1);
}

// A task definition or run document number: "256", 256, or absent (0).
double number_of(const json::Value& v, const char* member) {
  const auto* m = json::member(v, member);
  if (!m) return 0;
  if (m->IsNumber()) return m->GetDouble();
  if (!m->IsString()) return 0;
  double d = 0;
  std::from_chars(m->GetString(), m->GetString() + m->GetStringLength(), d);
  return d;
}

ci::TaskFacts facts_of(state::Connection& c, const state::TaskRow& t,
                       std::map<std::string, ci::ContainerWindow>& windows) {
  ci::TaskFacts f;
  f.task_id = after_last(t.arn, '/');
  f.family = t.family;
  f.revision = after_last(t.task_definition_arn, ':');
  f.cluster = t.cluster;
  f.account = t.account;
  f.region = t.region;
  f.availability_zone = t.region + "a";  // the zone DescribeTasks shows
  f.known_status = t.last_status;
  f.launch_type = t.launch_type;
  if (t.group && t.group->starts_with("service:")) f.service = t.group->substr(8);
  f.created_at = t.created_at;
  f.started_at = t.started_at;
  f.pull_started_at = t.pull_started_at;
  f.pull_stopped_at = t.pull_stopped_at;
  rapidjson::Document run;
  run.Parse(t.doc.c_str());
  if (run.IsObject()) {
    if (auto ci_arn = json::get_string(run, "containerInstanceArn")) f.container_instance_id = after_last(std::string(*ci_arn), '/');
    f.cpu_reserved = number_of(run, "cpu");
    f.memory_reserved = number_of(run, "memory");
  }
  rapidjson::Document def;
  std::int64_t revision = 0;
  std::from_chars(f.revision.data(), f.revision.data() + f.revision.size(), revision);
  if (auto row = state::TaskDefinitionStore(c, {t.account, t.region}).get(t.family, revision)) def.Parse(row->doc.c_str());
  double cpu_sum = 0, memory_sum = 0;
  for (const auto& tc : t.containers) {
    auto w = windows.find(tc.name);
    if (w == windows.end()) continue;  // not sampled this interval (not RUNNING)
    ci::ContainerFacts cf;
    cf.name = tc.name;
    cf.image = tc.image;
    cf.known_status = tc.last_status;
    cf.usage = w->second;
    if (const auto* defs = def.IsObject() ? json::member(def, "containerDefinitions") : nullptr; defs && defs->IsArray())
      for (const auto& d : defs->GetArray())
        if (json::get_string(d, "name").value_or("") == tc.name) {
          cf.cpu_reserved = number_of(d, "cpu");
          double soft = number_of(d, "memoryReservation");
          cf.memory_reserved = soft > 0 ? soft : number_of(d, "memory");
        }
    cpu_sum += cf.cpu_reserved;
    memory_sum += cf.memory_reserved;
    f.containers.push_back(std::move(cf));
  }
  if (f.cpu_reserved <= 0) f.cpu_reserved = cpu_sum;
  if (f.memory_reserved <= 0) f.memory_reserved = memory_sum;
  return f;
}

// Appends a stream's events (all stamped alike) and publishes the datapoints they name.
void write_events(state::Connection& c, const state::Scope& scope, const std::string& cluster,
                  const std::string& stream_name, const std::vector<std::string>& events, std::int64_t ts,
                  std::int64_t now) {
  state::LogsStore logs(c, scope);
  const std::string group_name = ci::log_group(cluster);
  auto group = logs.group(group_name);
  if (!group) {
    state::LogGroupRow row;
    row.name = group_name;
    row.created_at = now;
    row.retention_days = kRetentionDays;
    logs.create_group(row);
    group = logs.group(group_name);
  }
  auto stream = logs.stream(group->id, stream_name);
  if (!stream) {
    state::LogStreamRow s;
    s.group_id = group->id;
    s.name = stream_name;
    s.created_at = now;
    logs.create_stream(s);
    stream = logs.stream(group->id, stream_name);
  }
  std::vector<state::EventToStore> batch;
  for (const auto& e : events) batch.push_back({ts, e});
  logs.append(*group, *stream, batch, now);
  publish_metric_filters(c, scope, *group, batch, now);
  state::MetricsStore store(c, scope);
  for (const auto& e : events)
    for (const auto& p : ci::datapoints_of(e)) {
      auto id = store.touch_series(p.namespace_, p.name, metrics::canonical_dimensions(p.dimensions), now);
      store.add_point(id, {ts, p.unit, 1, p.value, p.value, p.value, p.value});
    }
}

}  // namespace

void ContainerInsights::observe(const state::TaskRow& task, const state::TaskContainerRow& container,
                                const std::optional<metrics::ContainerSample>& previous,
                                const metrics::ContainerSample& current) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = tasks_.try_emplace(task.arn);
  if (fresh) it->second.task = task;
  it->second.windows[container.name].add(previous, current);
}

int ContainerInsights::publish(state::Database& db, std::int64_t ts, std::int64_t now) {
  std::map<std::string, Observed> observed;
  {
    std::lock_guard lock(mu_);
    observed.swap(tasks_);
  }
  if (observed.empty()) return 0;
  // (account, region, cluster) -> its observed tasks
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<Observed*>> by_cluster;
  for (auto& [arn, o] : observed) by_cluster[{o.task.account, o.task.region, o.task.cluster}].push_back(&o);
  int written = 0;
  db.write([&](state::Connection& c) {
    for (auto& [key, tasks] : by_cluster) {
      const auto& [account, region, cluster] = key;
      state::Scope scope{account, region};
      auto row = state::ClusterStore(c, scope).get(cluster);
      if (!row || row->status != "ACTIVE" || !ci::enabled_in(row->doc)) continue;
      std::map<std::string, std::vector<std::string>> streams;  // stream -> events
      std::set<std::string> services;
      for (Observed* o : tasks) {
        auto f = facts_of(c, o->task, o->windows);
        auto& events = streams[ci::task_stream(f)];
        events.push_back(ci::task_event(f, ts));
        for (const auto& cf : f.containers) events.push_back(ci::container_event(f, cf, ts));
        if (f.service) services.insert(*f.service);
      }
      state::ServiceStore service_store(c);
      auto& cluster_events = streams[ci::cluster_stream(cluster)];
      for (const auto& name : services) {
        auto s = service_store.get("arn:aws:ecs:" + region + ":" + account + ":service/" + cluster + "/" + name);
        if (!s || s->status != "ACTIVE") continue;
        ci::ServiceFacts sf{name, cluster, s->desired_count};
        for (const auto& [started_by, n] : service_store.task_counts(*s)) {
          sf.running += n.running;
          sf.pending += n.pending;
        }
        sf.deployments = static_cast<std::int64_t>(service_store.deployments(s->arn).size());
        cluster_events.push_back(ci::service_event(sf, ts));
      }
      cluster_events.push_back(ci::cluster_event(
          {cluster, static_cast<std::int64_t>(tasks.size()), service_store.count(scope, cluster).first}, ts));
      for (const auto& [stream, events] : streams) {
        write_events(c, scope, cluster, stream, events, ts, now);
        written += static_cast<int>(events.size());
      }
    }
    return true;
  });
  return written;
}

}  // namespace berth::runtime
