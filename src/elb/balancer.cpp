#include "elb/balancer.h"

#include <algorithm>
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

void Balancer::observe(const RoutingTable& t) {
  const std::int64_t now = clock_.now_millis();
  std::unordered_map<std::string, std::vector<std::string>> healthy_now;
  for (const auto& [arn, g] : t.groups) {
    auto& healthy = healthy_now[arn];
    for (const auto& target : g.targets)
      if (target.state == "healthy") healthy.push_back(target.key());
    auto& warming = warming_[arn];
    const std::int64_t duration_ms = static_cast<std::int64_t>(g.slow_start_seconds) * 1000;
    auto is_healthy = [&](const std::string& key) { return std::find(healthy.begin(), healthy.end(), key) != healthy.end(); };
    std::erase_if(warming, [&](const auto& w) { return duration_ms <= 0 || now - w.second >= duration_ms || !is_healthy(w.first); });
    auto before = healthy_.find(arn);
    if (duration_ms <= 0 || before == healthy_.end()) continue;
    auto was_healthy = [&](const std::string& key) {
      return std::find(before->second.begin(), before->second.end(), key) != before->second.end();
    };
    bool full_one = std::any_of(healthy.begin(), healthy.end(),
                                [&](const std::string& k) { return was_healthy(k) && !warming.count(k); });
    if (!full_one) continue;
    for (const auto& k : healthy)
      if (!was_healthy(k)) warming.emplace(k, now);
  }
  healthy_ = std::move(healthy_now);
  std::erase_if(warming_, [&](const auto& w) { return !healthy_.count(w.first) || w.second.empty(); });
  std::erase_if(credit_, [&](const auto& c) { return !warming_.count(c.first); });
}

double Balancer::weight(const GroupEntry& g, const TargetEntry& t) const {
  auto group = warming_.find(g.arn);
  if (group == warming_.end() || g.slow_start_seconds <= 0) return 1.0;
  auto w = group->second.find(t.key());
  if (w == group->second.end()) return 1.0;
  double share = static_cast<double>(clock_.now_millis() - w->second) / (g.slow_start_seconds * 1000.0);
  return std::clamp(share, 0.0, 1.0);
}

// Smooth weighted round robin (each pick adds every weight to its target's credit, takes the
// largest and charges it the total): shares follow the weights exactly and evenly spread.
const TargetEntry* Balancer::weighted_round_robin(const GroupEntry& g, const std::vector<const TargetEntry*>& candidates,
                                                  const std::vector<double>& weights) {
  auto& credit = credit_[g.arn];
  double total = 0;
  const TargetEntry* best = nullptr;
  double best_credit = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    double& c = credit[candidates[i]->key()];
    c += weights[i];
    total += weights[i];
    if (weights[i] > 0 && (!best || c > best_credit)) {
      best = candidates[i];
      best_credit = c;
    }
  }
  if (best) credit[best->key()] -= total;
  return best;
}

const TargetEntry* Balancer::pick(const GroupEntry& g, std::string_view sticky_key) {
  auto candidates = routable(g);
  if (candidates.empty()) return nullptr;
  if (!sticky_key.empty())
    for (const auto* t : candidates)
      if (t->key() == sticky_key) return t;
  std::vector<double> weights(candidates.size(), 1.0);
  bool ramping = false;
  if (warming_.count(g.arn))
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      weights[i] = weight(g, *candidates[i]);
      ramping = ramping || weights[i] < 1.0;
    }
  // Every candidate still warming at weight 0 (its full peers have left): share equally.
  if (ramping && std::all_of(weights.begin(), weights.end(), [](double w) { return w <= 0; })) {
    std::fill(weights.begin(), weights.end(), 1.0);
    ramping = false;
  }
  std::uint64_t& next = next_[g.arn];
  if (g.algorithm == "least_outstanding_requests") {
    // Fewest in flight; ties go round robin so equal targets share the load. (ELBv2 refuses slow
    // start with this algorithm, so no weight applies.)
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
  if (ramping) return weighted_round_robin(g, candidates, weights);
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
