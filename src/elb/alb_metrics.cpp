#include "elb/alb_metrics.h"

#include <algorithm>
#include <set>

namespace berth::elb {
namespace {
// Field `index` (0-based) of an ARN's colon-separated parts.
std::string arn_field(std::string_view arn, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) {
    start = arn.find(':', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  return std::string(arn.substr(start, arn.find(':', start) - start));
}

AlbDatapoint count_point(const std::string& lb_arn, const char* name,
                         std::vector<std::pair<std::string, std::string>> dims, std::int64_t ts, double n) {
  // Each request is a sample of 1, as ALB records them: Sum is the count, the others are 1.
  return {arn_field(lb_arn, 4), arn_field(lb_arn, 3), name, "Count", std::move(dims), ts, n, n, 1, 1};
}

AlbDatapoint value_point(const std::string& lb_arn, const char* name, const char* unit,
                         std::vector<std::pair<std::string, std::string>> dims, std::int64_t ts, double v) {
  return {arn_field(lb_arn, 4), arn_field(lb_arn, 3), name, unit, std::move(dims), ts, 1, v, v, v};
}
}  // namespace

std::string load_balancer_dimension(std::string_view lb_arn) {
  auto at = lb_arn.find(":loadbalancer/");
  return at == std::string_view::npos ? std::string(lb_arn) : std::string(lb_arn.substr(at + 14));
}

std::string target_group_dimension(std::string_view tg_arn) {
  auto at = tg_arn.rfind(':');
  return at == std::string_view::npos ? std::string(tg_arn) : std::string(tg_arn.substr(at + 1));
}

AlbMetrics::Period& AlbMetrics::period_at(std::int64_t now) {
  std::int64_t start = now - now % period_ms_;
  if (!periods_.empty() && periods_.rbegin()->first == start) return periods_.rbegin()->second;
  return periods_[start];
}

void AlbMetrics::target_answer(std::int64_t now, const std::string& lb_arn, const std::string& tg_arn, int status,
                               double seconds) {
  GroupCounts& g = period_at(now).groups[lb_arn][tg_arn];
  ++g.requests;
  if (status < 200 || status > 599) return;
  ++g.target_codes[status / 100 - 2];
  if (g.timed++ == 0) {
    g.time_min = g.time_max = seconds;
  } else {
    g.time_min = std::min(g.time_min, seconds);
    g.time_max = std::max(g.time_max, seconds);
  }
  g.time_sum += seconds;
}

void AlbMetrics::elb_answer(std::int64_t now, const std::string& lb_arn, int status) {
  BalancerCounts& b = period_at(now).balancers[lb_arn];
  if (status >= 400 && status < 500) ++b.elb_4xx;
  if (status >= 500 && status < 600) ++b.elb_5xx;
  if (status == 502) ++b.elb_502;
  if (status == 503) ++b.elb_503;
  if (status == 504) ++b.elb_504;
}

std::vector<AlbDatapoint> AlbMetrics::take(std::int64_t now, const RoutingTable& t) {
  std::vector<AlbDatapoint> out;
  const std::int64_t current = now - now % period_ms_;
  // The targets a group's requests were spread over: its healthy ones (all routable when none is).
  auto targets_of = [&](const std::string& tg_arn) {
    const GroupEntry* g = t.group(tg_arn);
    if (!g) return std::size_t{1};
    std::size_t healthy = 0, open = 0;
    for (const auto& target : g->targets) {
      healthy += target.state == "healthy";
      open += target.state != "draining";
    }
    return std::max<std::size_t>(1, healthy ? healthy : open);
  };
  std::set<std::pair<std::string, std::string>> counted;  // (lb, tg) with requests in the period that just ended
  std::set<std::string> counted_lbs;
  const std::int64_t ended = current - period_ms_;
  for (auto it = periods_.begin(); it != periods_.end() && it->first < current; it = periods_.erase(it)) {
    const std::int64_t ts = it->first;
    const Period& p = it->second;
    std::map<std::string, double> per_target;  // TargetGroup alone: summed over its balancers
    std::map<std::string, std::string> per_target_lb;
    for (const auto& [lb_arn, groups] : p.groups) {
      const std::string lb = load_balancer_dimension(lb_arn);
      if (ts == ended) counted_lbs.insert(lb_arn);
      GroupCounts total;
      for (const auto& [tg_arn, c] : groups) {
        const std::string tg = target_group_dimension(tg_arn);
        if (ts == ended) counted.emplace(lb_arn, tg_arn);
        std::vector<std::pair<std::string, std::string>> both = {{"LoadBalancer", lb}, {"TargetGroup", tg}};
        out.push_back(count_point(lb_arn, "RequestCount", both, ts, static_cast<double>(c.requests)));
        double per = static_cast<double>(c.requests) / static_cast<double>(targets_of(tg_arn));
        out.push_back(value_point(lb_arn, "RequestCountPerTarget", "Count", both, ts, per));
        per_target[tg] += per;
        per_target_lb[tg] = lb_arn;
        total.requests += c.requests;
        for (int i = 0; i < 4; ++i) total.target_codes[i] += c.target_codes[i];
        if (c.timed) {
          out.push_back({arn_field(lb_arn, 4), arn_field(lb_arn, 3), "TargetResponseTime", "Seconds", both, ts,
                         static_cast<double>(c.timed), c.time_sum, c.time_min, c.time_max});
          total.time_min = total.timed ? std::min(total.time_min, c.time_min) : c.time_min;
          total.time_max = total.timed ? std::max(total.time_max, c.time_max) : c.time_max;
          total.timed += c.timed;
          total.time_sum += c.time_sum;
        }
        static const char* codes[] = {"HTTPCode_Target_2XX_Count", "HTTPCode_Target_3XX_Count",
                                      "HTTPCode_Target_4XX_Count", "HTTPCode_Target_5XX_Count"};
        for (int i = 0; i < 4; ++i)
          if (c.target_codes[i]) out.push_back(count_point(lb_arn, codes[i], both, ts, static_cast<double>(c.target_codes[i])));
      }
      std::vector<std::pair<std::string, std::string>> by_lb = {{"LoadBalancer", lb}};
      out.push_back(count_point(lb_arn, "RequestCount", by_lb, ts, static_cast<double>(total.requests)));
      if (total.timed)
        out.push_back({arn_field(lb_arn, 4), arn_field(lb_arn, 3), "TargetResponseTime", "Seconds", by_lb, ts,
                       static_cast<double>(total.timed), total.time_sum, total.time_min, total.time_max});
      static const char* codes[] = {"HTTPCode_Target_2XX_Count", "HTTPCode_Target_3XX_Count",
                                    "HTTPCode_Target_4XX_Count", "HTTPCode_Target_5XX_Count"};
      for (int i = 0; i < 4; ++i)
        if (total.target_codes[i])
          out.push_back(count_point(lb_arn, codes[i], by_lb, ts, static_cast<double>(total.target_codes[i])));
    }
    for (const auto& [tg, v] : per_target)
      out.push_back(value_point(per_target_lb[tg], "RequestCountPerTarget", "Count", {{"TargetGroup", tg}}, ts, v));
    for (const auto& [lb_arn, b] : p.balancers) {
      std::vector<std::pair<std::string, std::string>> by_lb = {{"LoadBalancer", load_balancer_dimension(lb_arn)}};
      for (const auto& [name, n] : {std::pair{"HTTPCode_ELB_4XX_Count", b.elb_4xx}, std::pair{"HTTPCode_ELB_5XX_Count", b.elb_5xx},
                                    std::pair{"HTTPCode_ELB_502_Count", b.elb_502}, std::pair{"HTTPCode_ELB_503_Count", b.elb_503},
                                    std::pair{"HTTPCode_ELB_504_Count", b.elb_504}})
        if (n) out.push_back(count_point(lb_arn, name, by_lb, ts, static_cast<double>(n)));
    }
  }
  // Host counts for the period that just ended, once: every group an application balancer's
  // listener forwards to, traffic or not. RequestCount and RequestCountPerTarget are "always
  // reported" by ALB: 0 for such a group without requests (target tracking scales in on them).
  if (ended > hosts_published_) {
    hosts_published_ = ended;
    std::set<std::pair<std::string, std::string>> pairs;
    for (const auto& l : t.listeners) {
      if (l.protocol != "HTTP") continue;
      for (const auto& r : l.rules)
        for (const auto& g : r.action.groups) pairs.emplace(l.lb_arn, g.arn);
    }
    std::set<std::string> counted_tgs;  // a group's TargetGroup-only series, once
    for (const auto& [lb, tg] : counted) counted_tgs.insert(tg);
    for (const auto& [lb_arn, tg_arn] : pairs) {
      const GroupEntry* g = t.group(tg_arn);
      if (!g) continue;
      double healthy = 0, unhealthy = 0;
      for (const auto& target : g->targets) {
        healthy += target.state == "healthy";
        unhealthy += target.state == "unhealthy";
      }
      std::vector<std::pair<std::string, std::string>> both = {{"LoadBalancer", load_balancer_dimension(lb_arn)},
                                                               {"TargetGroup", target_group_dimension(tg_arn)}};
      out.push_back(value_point(lb_arn, "HealthyHostCount", "Count", both, ended, healthy));
      out.push_back(value_point(lb_arn, "UnHealthyHostCount", "Count", both, ended, unhealthy));
      if (counted.count({lb_arn, tg_arn})) continue;
      out.push_back(value_point(lb_arn, "RequestCount", "Count", both, ended, 0));
      out.push_back(value_point(lb_arn, "RequestCountPerTarget", "Count", both, ended, 0));
      if (counted_tgs.insert(tg_arn).second)
        out.push_back(value_point(lb_arn, "RequestCountPerTarget", "Count", {both[1]}, ended, 0));
      if (counted_lbs.insert(lb_arn).second)
        out.push_back(value_point(lb_arn, "RequestCount", "Count", {both[0]}, ended, 0));
    }
  }
  return out;
}

}  // namespace berth::elb
