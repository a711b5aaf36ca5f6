#include "elb/balancer.h"

#include <random>

namespace berth::elb {

std::vector<const TargetEntry*> routable(const GroupEntry& g) {
  std::vector<const TargetEntry*> healthy, open;
  for (const auto& t : g.targets) {
    if (t.state == "draining") continue;
    open.push_back(&t);
    if (t.state == "healthy") healthy.push_back(&t);
  }
  return healthy.empty() ? open : healthy;
}

const TargetEntry* Balancer::pick(const GroupEntry& g, std::string_view sticky_key) {
  auto candidates = routable(g);
  if (candidates.empty()) return nullptr;
  if (!sticky_key.empty())
    for (const auto* t : candidates)
      if (t->key() == sticky_key) return t;
  std::uint64_t& next = next_[g.arn];
  if (g.algorithm == "least_outstanding_requests") {
    // Fewest in flight; ties go round robin so equal targets share the load.
    const TargetEntry* best = nullptr;
    int best_n = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const auto* t = candidates[(next + i) % candidates.size()];
      int n = outstanding(t->key());
      if (!best || n < best_n) {
        best = t;
        best_n = n;
      }
    }
    ++next;
    return best;
  }
  if (g.algorithm == "weighted_random") {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return candidates[rng() % candidates.size()];
  }
  return candidates[next++ % candidates.size()];
}

void Balancer::finished(const std::string& key) {
  auto it = outstanding_.find(key);
  if (it != outstanding_.end() && --it->second <= 0) outstanding_.erase(it);
}

int Balancer::outstanding(const std::string& key) const {
  auto it = outstanding_.find(key);
  return it == outstanding_.end() ? 0 : it->second;
}

std::vector<DrainEnd> drains_ending(const RoutingTable& t, const Balancer& b, std::int64_t now) {
  std::vector<DrainEnd> out;
  for (const auto& [arn, g] : t.groups)
    for (const auto& target : g.targets)
      if (target.drain_until && (*target.drain_until <= now || b.outstanding(target.key()) == 0))
        out.push_back({arn, target.id, target.port, *target.drain_until});
  return out;
}

}  // namespace berth::elb
