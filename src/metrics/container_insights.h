#pragma once
// Container Insights for ECS, pure: what the stats sampler measured of a task's containers over
// one publish interval becomes the performance log events Container Insights writes to
// /aws/ecs/containerinsights/CLUSTER/performance (Type Container, Task, Service, Cluster, as
// CloudWatch's "Container Insights performance log events for Amazon ECS" shows them), and the
// ECS/ContainerInsights datapoints are read back out of those events' CloudWatchMetrics
// directive, as CloudWatch derives them: every event adds one value per metric per dimension
// set. Task events carry CpuUtilized/Reserved (CPU units), MemoryUtilized/Reserved (MiB),
// NetworkRx/TxBytes (bytes per second over the interval) and StorageRead/WriteBytes (cumulative,
// though their unit says Bytes/Second), by ClusterName, ClusterName+TaskDefinitionFamily and,
// for a service's task, ClusterName+ServiceName; Service events the task counts by
// ServiceName+ClusterName; Cluster events TaskCount and ServiceCount by ClusterName.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/ecs_metrics.h"

namespace berth::metrics::insights {

inline constexpr std::string_view kNamespace = "ECS/ContainerInsights";
// The log group of a cluster's performance events.
std::string log_group(std::string_view cluster);
// Whether a cluster's containerInsights setting (its settings array, as DescribeClusters shows
// it) turns Container Insights on: "enabled" or "enhanced".
bool enabled_in(std::string_view cluster_doc);

// One container's samples within one publish interval: CPU as the average of the per-sample
// deltas, memory as the average of the samples, network as bytes per second over the time the
// deltas span, storage as the last cumulative counters.
class ContainerWindow {
 public:
  // A sample, with the container's previous one when there is one (the first gives no CPU or
  // network delta).
  void add(const std::optional<ContainerSample>& previous, const ContainerSample& current);
  bool empty() const { return memory_samples_ == 0; }
  double cpu_units() const { return cpu_samples_ ? cpu_sum_ / cpu_samples_ : 0; }
  double memory_mib() const { return memory_samples_ ? memory_sum_ / memory_samples_ : 0; }
  double rx_per_second() const { return span_ms_ > 0 ? rx_ * 1000.0 / span_ms_ : 0; }
  double tx_per_second() const { return span_ms_ > 0 ? tx_ * 1000.0 / span_ms_ : 0; }
  double read_bytes() const { return read_bytes_; }
  double write_bytes() const { return write_bytes_; }

 private:
  double cpu_sum_ = 0, memory_sum_ = 0, rx_ = 0, tx_ = 0, read_bytes_ = 0, write_bytes_ = 0;
  int cpu_samples_ = 0, memory_samples_ = 0;
  std::int64_t span_ms_ = 0;
};

struct ContainerFacts {
  std::string name, image, known_status = "RUNNING";
  double cpu_reserved = 0, memory_reserved = 0;  // the container definition's cpu; memoryReservation or memory
  ContainerWindow usage;
};

struct TaskFacts {
  std::string task_id, family, revision, cluster, account, region, availability_zone;
  std::string known_status = "RUNNING", launch_type;
  std::optional<std::string> service;  // the service a task of a service belongs to
  std::optional<std::string> container_instance_id;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> started_at, pull_started_at, pull_stopped_at;
  double cpu_reserved = 0, memory_reserved = 0;  // task-level cpu and memory, else the containers' sum
  std::vector<ContainerFacts> containers;
};

struct ServiceFacts {
  std::string name, cluster;
  std::int64_t desired = 0, running = 0, pending = 0, deployments = 0, task_sets = 0;
};

struct ClusterFacts {
  std::string name;
  std::int64_t tasks = 0, services = 0;
};

std::string task_event(const TaskFacts& t, std::int64_t timestamp_ms);
std::string container_event(const TaskFacts& t, const ContainerFacts& c, std::int64_t timestamp_ms);
std::string service_event(const ServiceFacts& s, std::int64_t timestamp_ms);
std::string cluster_event(const ClusterFacts& c, std::int64_t timestamp_ms);

// The log stream an event goes to: a Fargate task's Task and Container events to
// FargateTelemetry-NNNN (a number derived from the task id, stable for the task), an EC2 task's
// to AgentTelemetry-CONTAINER_INSTANCE_ID when it has one, Service and Cluster events to
// ClusterTelemetry-CLUSTER.
std::string task_stream(const TaskFacts& t);
std::string cluster_stream(std::string_view cluster);

struct Datapoint {
  std::string namespace_, name, unit;
  std::vector<std::pair<std::string, std::string>> dimensions;
  double value = 0;
};
// The datapoints an event's CloudWatchMetrics directive names; none for an event without one,
// or whose dimension or metric members are missing or not numbers.
std::vector<Datapoint> datapoints_of(std::string_view event_json);

}  // namespace berth::metrics::insights
