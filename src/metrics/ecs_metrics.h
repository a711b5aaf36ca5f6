#pragma once
// The AWS/ECS metrics as the ECS agent computes them from Docker's stats, pure. CPU: the change
// of cpu_stats.cpu_usage.total_usage over the time between two samples, in CPU units (1,024 per
// vCPU); memory: memory_stats.usage minus the page cache (stats.cache on cgroup v1,
// stats.inactive_file on cgroup v2), in MiB. A service's utilization is the sum over its
// RUNNING tasks against the sum of their task-level reservations, in percent.
#include <cstdint>
#include <optional>
#include <string_view>

namespace berth::metrics {

struct ContainerSample {
  std::int64_t at_ms = 0;         // when berth took it
  double cpu_total_ns = 0;        // cpu_stats.cpu_usage.total_usage
  double memory_mib = 0;          // usage − cache (v1) / inactive_file (v2)
  double rx_bytes = 0, tx_bytes = 0;      // summed over networks
  double read_bytes = 0, write_bytes = 0;  // blkio io_service_bytes_recursive
};

// nullopt for a document without cpu or memory stats (a stopped container answers zeros).
std::optional<ContainerSample> parse_docker_stats(std::string_view json, std::int64_t at_ms);
// CPU units used on average between two samples of one container.
double cpu_units_used(const ContainerSample& previous, const ContainerSample& current);
// Utilization in percent: used × 100 / reserved (nullopt when nothing is reserved).
std::optional<double> utilization(double used, double reserved);

}  // namespace berth::metrics
