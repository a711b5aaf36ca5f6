#pragma once
// Which target of a group gets the next request or connection. Not thread-safe: the data plane
// calls it from its one I/O thread.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "elb/routing_table.h"

namespace berth::elb {

// The targets new requests may go to: healthy ones; when none is healthy, every registered
// target that is not draining (ALB fails open). Empty: the group answers 503.
std::vector<const TargetEntry*> routable(const GroupEntry& g);

class Balancer {
 public:
  explicit Balancer(const Clock& clock) : clock_(clock) {}

  // The target for a new request: the sticky one when it is still routable, else the next by
  // the group's algorithm (round robin weighted by slow start). Null when nothing is routable.
  const TargetEntry* pick(const GroupEntry& g, std::string_view sticky_key = {});

  // A new routing table is in force. Slow start as ALB has it: in a group whose
  // slow_start.duration_seconds is set, a target that has just become healthy enters slow start
  // when at least one other healthy target of the group is not in slow start (so the first
  // targets of a group, and the targets healthy when berth starts, do not); it leaves it when
  // the duration is over or it stops being healthy (unhealthy, draining, deregistered).
  void observe(const RoutingTable& t);
  // The target's share of requests relative to a full one, in [0, 1]: grows linearly from 0
  // over the slow start duration; 1 outside slow start.
  double weight(const GroupEntry& g, const TargetEntry& t) const;

  // Requests in flight (HTTP) and open relayed connections (TCP) per target address:port, over
  // every group the target is in (two groups sending to one task load the same task): what
  // least_outstanding_requests weighs, and what keeps a draining target from ending early.
  void started(const std::string& key) { ++outstanding_[key]; }
  void finished(const std::string& key);
  int outstanding(const std::string& key) const;

 private:
  const TargetEntry* weighted_round_robin(const GroupEntry& g, const std::vector<const TargetEntry*>& candidates,
                                          const std::vector<double>& weights);

  const Clock& clock_;
  std::unordered_map<std::string, std::uint64_t> next_;  // per group: round-robin position
  std::unordered_map<std::string, int> outstanding_;
  // Per group: the healthy targets of the last table (absent: the group was not seen yet), the
  // targets in slow start with when they entered it, and the smooth weighted round robin's credit.
  std::unordered_map<std::string, std::vector<std::string>> healthy_;
  std::unordered_map<std::string, std::unordered_map<std::string, std::int64_t>> warming_;
  std::unordered_map<std::string, std::unordered_map<std::string, double>> credit_;
};

// A draining target that may leave its group now, with the deadline it was draining toward:
// the removal is made on that deadline (Elbv2Store::end_draining), so a target registered (or
// deregistered) again since the table was read is not removed by this stale decision.
struct DrainEnd {
  std::string tg_arn, id;
  int port = 0;
  std::int64_t drain_until = 0;
};

// The draining targets to remove at `now`: those whose deregistration delay is over, and those
// with nothing outstanding in `b` (no request in flight, no relayed connection open; idle
// keep-alive connections to the target do not count). ELB ends draining early when idle too.
std::vector<DrainEnd> drains_ending(const RoutingTable& t, const Balancer& b, std::int64_t now);

}  // namespace berth::elb
