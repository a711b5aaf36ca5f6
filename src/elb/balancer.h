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
  // Requests in flight per target key, for least_outstanding_requests.
  void started(const std::string& key) { ++outstanding_[key]; }
  void finished(const std::string& key);
  int outstanding(const std::string& key) const;

 private:
  std::unordered_map<std::string, std::uint64_t> next_;  // per group: round-robin position
  std::unordered_map<std::string, int> outstanding_;
};

}  // namespace berth::elb
