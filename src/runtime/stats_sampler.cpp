#include "runtime/stats_sampler.h"

#include "metrics/ecs_reservation.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "common/json.h"
#include "metrics/series_reader.h"
#include "state/ecs_task_store.h"
#include "state/metrics_store.h"

namespace berth::runtime {
namespace {
double number_of(const rapidjson::Document& doc, const char* member) {
  auto v = json::get_string(doc, member);
  if (!v) return 0;
  double d = 0;
  std::from_chars(v->data(), v->data() + v->size(), d);
  return d;
}
}  // namespace

void StatsSampler::sample_once() {
  std::vector<state::TaskRow> tasks;
  db_.read([&](state::Connection& c) {
    state::TaskStore store(c);
    for (const auto& arn : store.unfinished())
      if (auto t = store.get(arn); t && t->last_status == "RUNNING") tasks.push_back(std::move(*t));
  });
  struct Use {
    double cpu_used = 0, cpu_reserved = 0, mem_used = 0, mem_reserved = 0;
  };
  std::map<Key, Use> use;
  const std::int64_t pass = ++pass_;
  for (const auto& t : tasks) {
    rapidjson::Document doc;
    doc.Parse(t.doc.c_str());
    double cpu_used = 0, mem_used = 0;
    bool measured = false;
    for (const auto& c : t.containers) {
      if (!c.docker_id || c.last_status != "RUNNING") continue;
      auto stats = docker_.container_stats(*c.docker_id);  // blocks this thread only
      if (!std::holds_alternative<std::string>(stats)) continue;
      auto sample = metrics::parse_docker_stats(std::get<std::string>(stats), clock_.now_millis());
      std::lock_guard lock(mu_);
      auto& e = containers_[*c.docker_id];
      if (sample) insights_.observe(t, c, e.sample, *sample);
      if (sample && e.sample) {
        cpu_used += metrics::cpu_units_used(*e.sample, *sample);
        measured = true;
      }
      if (sample) mem_used += sample->memory_mib;
      e.doc = std::move(std::get<std::string>(stats));
      e.sample = sample;
      e.seen = pass;
    }
    if (!measured) continue;  // a first sample gives no CPU delta yet
    std::string service = t.group && t.group->starts_with("service:") ? t.group->substr(8) : "";
    auto add = [&](const std::string& svc) {
      auto& u = use[{t.account, t.region, t.cluster, svc}];
      u.cpu_used += cpu_used;
      u.mem_used += mem_used;
      u.cpu_reserved += number_of(doc, "cpu");
      u.mem_reserved += number_of(doc, "memory");
    };
    add("");  // the cluster's
    if (!service.empty()) add(service);
  }
  // The publish intervals this pass's CPU deltas measured: from the previous pass to now.
  const std::int64_t now = clock_.now_millis();
  const std::int64_t step = std::max<std::int64_t>(1000, options_.publish_every.count());
  const std::int64_t from = last_pass_ms_ ? std::max(last_pass_ms_, now - 600 * step) : now;
  last_pass_ms_ = now;
  std::lock_guard lock(mu_);
  std::erase_if(containers_, [&](const auto& kv) { return kv.second.seen != pass; });  // gone containers
  for (const auto& [key, u] : use) {
    auto cpu = metrics::utilization(u.cpu_used, u.cpu_reserved);
    auto memory = metrics::utilization(u.mem_used, u.mem_reserved);
    for (std::int64_t bucket = from - from % step; bucket <= now; bucket += step) {
      auto& s = pending_[key][bucket];
      if (cpu) s.cpu.push_back(*cpu);
      if (memory) s.memory.push_back(*memory);
    }
  }
}

void StatsSampler::publish_once() {
  {
    // Container Insights events are stamped at the start of the publish interval they close in.
    const std::int64_t now = clock_.now_millis();
    const std::int64_t step = std::max<std::int64_t>(1000, options_.publish_every.count());
    insights_.publish(db_, now - now % step, now);
  }
  std::map<Key, std::map<std::int64_t, Series>> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  const std::int64_t now = clock_.now_millis();
  publish_reservations(now);
  if (batch.empty()) return;
  // Each datapoint is stamped at the start of the publish interval it measured: a minute as
  // ECS, finer when tests shorten it (so alarms with 1-second periods see the data).
  db_.write([&](state::Connection& c) {
    for (const auto& [key, buckets] : batch)
      for (const auto& [minute, s] : buckets) {
        const auto& [account, region, cluster, service] = key;
        state::MetricsStore store(c, {account, region});
        std::vector<std::pair<std::string, std::string>> dims = {{"ClusterName", cluster}};
        if (!service.empty()) dims.emplace_back("ServiceName", service);
        auto canonical = metrics::canonical_dimensions(dims);
        for (const auto& [name, values] : {std::pair{"CPUUtilization", &s.cpu}, std::pair{"MemoryUtilization", &s.memory}}) {
          if (values->empty()) continue;
          double sum = 0;
          for (double v : *values) sum += v;
          auto id = store.touch_series("AWS/ECS", name, canonical, now);
          // One datapoint a minute; SampleCount says how many samples it aggregates.
          store.add_point(id, {minute, "Percent", static_cast<double>(values->size()), sum,
                               *std::min_element(values->begin(), values->end()),
                               *std::max_element(values->begin(), values->end()), std::nullopt});
        }
      }
    return true;
  });
}

// CPUReservation and MemoryReservation of clusters with container instances, stamped at the
// start of the publish interval that just ended.
void StatsSampler::publish_reservations(std::int64_t now) {
  const std::int64_t step = std::max<std::int64_t>(1000, options_.publish_every.count());
  const std::int64_t stamp = now - step - (now - step) % step;
  db_.write([&](state::Connection& c) {
    for (const auto& r : metrics::cluster_reservations(c)) {
      state::MetricsStore store(c, r.scope);
      auto canonical = metrics::canonical_dimensions({{"ClusterName", r.cluster}});
      for (const auto& [name, value] : {std::pair{"CPUReservation", r.cpu_percent}, std::pair{"MemoryReservation", r.memory_percent}}) {
        auto id = store.touch_series("AWS/ECS", name, canonical, now);
        store.add_point(id, {stamp, "Percent", 1.0, value, value, value, std::nullopt});
      }
    }
    return true;
  });
}

std::optional<std::string> StatsSampler::last_stats(const std::string& docker_id) const {
  std::lock_guard lock(mu_);
  auto it = containers_.find(docker_id);
  if (it == containers_.end()) return std::nullopt;
  return it->second.doc;
}

void StatsSampler::start() {
  thread_ = std::thread([this] {
    auto next_publish = std::chrono::steady_clock::now() + options_.publish_every;
    auto next_sample = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    while (!stopping_) {
      // Passes start on a fixed beat, whatever a pass took, so datapoints come at the pace asked.
      next_sample = std::max(next_sample + options_.sample_every, std::chrono::steady_clock::now());
      lock.unlock();
      try {
        sample_once();
        if (std::chrono::steady_clock::now() >= next_publish) {
          publish_once();
          next_publish += options_.publish_every;
        }
      } catch (const std::exception& e) {
        spdlog::warn("stats sampling failed: {}", e.what());
      }
      lock.lock();
      cv_.wait_until(lock, next_sample, [this] { return stopping_; });
    }
  });
}

void StatsSampler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace berth::runtime
