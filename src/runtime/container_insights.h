#pragma once
// Container Insights publication for the stats sampler: it is shown every container sample of a
// RUNNING task (with the container's previous one) and, once a publish interval, writes for each
// cluster whose containerInsights setting is enabled or enhanced the performance log events of
// its RUNNING tasks (Task and Container), of the services those tasks belong to (Service) and of
// the cluster (Cluster) into /aws/ecs/containerinsights/CLUSTER/performance (created with a
// one-day retention) through the Logs store, and the ECS/ContainerInsights datapoints those
// events' directives name through the metrics store, in one write transaction. Clusters with it
// disabled get nothing; nor do resources without RUNNING tasks, as on AWS.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "metrics/container_insights.h"
#include "metrics/ecs_metrics.h"
#include "state/db.h"
#include "state/ecs_task_store.h"

namespace berth::runtime {

class ContainerInsights {
 public:
  void observe(const state::TaskRow& task, const state::TaskContainerRow& container,
               const std::optional<metrics::ContainerSample>& previous, const metrics::ContainerSample& current);
  // Publishes what was observed since the last call, stamped `timestamp_ms`; returns the events written.
  int publish(state::Database& db, std::int64_t timestamp_ms, std::int64_t now);

 private:
  struct Observed {
    state::TaskRow task;
    std::map<std::string, metrics::insights::ContainerWindow> windows;  // by container name
  };
  std::mutex mu_;
  std::map<std::string, Observed> tasks_;  // by task ARN
};

}  // namespace berth::runtime
