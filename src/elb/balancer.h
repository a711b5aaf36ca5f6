#pragma once
// Which target of a group gets the next request or connection. Not thread-safe: the data plane
// calls it from its one I/O thread.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "elb/routing_table.h"

namespace berth::elb {

// The targets new requests may go to: healthy ones; when none is healthy, every registered
// target that is not draining (ALB fails open). Empty: the group answers 503.
std::vector<const TargetEntry*> routable(const GroupEntry& g);

class Balancer {
 public:
  // The target for a new request: the sticky one when it is still routable, else the next by
  // the group's algorithm. Null when nothing is routable.
  const TargetEntry* pick(const GroupEntry& g, std::string_view sticky_key = {});
  // Requests in flight (HTTP) and open relayed connections (TCP) per target key: what
  // least_outstanding_requests weighs, and what keeps a draining target from ending early.
  void started(const std::string& key) { ++outstanding_[key]; }
  void finished(const std::string& key);
  int outstanding(const std::string& key) const;

 private:
  std::unordered_map<std::string, std::uint64_t> next_;  // per group: round-robin position
  std::unordered_map<std::string, int> outstanding_;
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
