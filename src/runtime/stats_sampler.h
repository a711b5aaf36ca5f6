#pragma once
// The stats sampler: one thread that samples Docker's stats of every RUNNING task's containers
// (one at a time, off the request threads), keeps the last document per container for the
// metadata endpoint's /stats, and publishes AWS/ECS CPUUtilization and MemoryUtilization by
// ClusterName and by ClusterName+ServiceName once a publish interval (a minute), with the ECS
// agent's maths (metrics/ecs_metrics). Nothing is published for a service without RUNNING tasks.
// A sample counts in every publish interval the time since the previous pass overlaps, so a slow
// pass (a loaded Docker) leaves no interval without its datapoint. Container Insights
// (runtime/container_insights) is shown every sample and published with the same beat.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "metrics/ecs_metrics.h"
#include "runtime/container_insights.h"
#include "runtime/docker_client.h"
#include "state/db.h"

namespace berth::runtime {

class StatsSampler {
 public:
  struct Options {
    std::chrono::milliseconds sample_every{10'000};
    std::chrono::milliseconds publish_every{60'000};
  };
  StatsSampler(state::Database& db, DockerClient& docker, const Clock& clock, Options options)
      : db_(db), docker_(docker), clock_(clock), options_(options) {}
  ~StatsSampler() { stop(); }
  void start();
  void stop();

  // The last Docker stats document of a container, if sampled.
  std::optional<std::string> last_stats(const std::string& docker_id) const;
  // CPUReservation and MemoryReservation by ClusterName, once a publish interval.
  void publish_reservations(std::int64_t now);
  // One sampling pass and one publication (the thread's work; tests call them).
  void sample_once();
  void publish_once();

 private:
  struct Entry {
    std::string doc;
    std::optional<metrics::ContainerSample> sample;
    std::int64_t seen = 0;  // the pass that last saw the container
  };
  // (account, region, cluster, service or "" for the cluster) -> utilization samples
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  struct Series {
    std::vector<double> cpu, memory;
  };

  state::Database& db_;
  DockerClient& docker_;
  const Clock& clock_;
  Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> containers_;
  // Samples by series and by the publish interval they measured (its start, epoch ms).
  std::map<Key, std::map<std::int64_t, Series>> pending_;
  std::int64_t pass_ = 0;
  std::int64_t last_pass_ms_ = 0;  // when the previous pass sampled: a CPU delta covers the time since
  ContainerInsights insights_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth::runtime
