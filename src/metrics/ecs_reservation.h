#pragma once
// AWS/ECS CPUReservation and MemoryReservation by ClusterName: the CPU units and memory that
// running EC2 tasks reserve on a cluster's container instances, against what those instances
// registered, as percentages. Only clusters with container instances have them, as on ECS.
#include <string>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::metrics {

struct ClusterReservation {
  state::Scope scope;
  std::string cluster;
  double cpu_percent = 0;
  double memory_percent = 0;
};

// Every cluster with an ACTIVE or DRAINING container instance, in every account and region.
std::vector<ClusterReservation> cluster_reservations(state::Connection& c);

}  // namespace berth::metrics
