#pragma once
// The AWS/ApplicationELB metrics of application load balancers, counted by the data plane as
// requests pass (on its one thread: plain counters, no lock) and handed out once a publish
// period (a minute) has ended, as ALB publishes them:
//   RequestCount, TargetResponseTime, HTTPCode_Target_2XX..5XX_Count by LoadBalancer and by
//     LoadBalancer+TargetGroup (requests for which a target was chosen);
//   RequestCountPerTarget by TargetGroup and by LoadBalancer+TargetGroup (the group's requests
//     over its healthy targets; Sum is the meaningful statistic);
//   HTTPCode_ELB_4XX/5XX_Count and HTTPCode_ELB_502/503/504_Count by LoadBalancer (answers the
//     balancer made itself);
//   HealthyHostCount, UnHealthyHostCount by LoadBalancer+TargetGroup, every period, for each
//     group a listener of the balancer forwards to.
// Dimension values as ALB's: LoadBalancer `app/NAME/ID`, TargetGroup `targetgroup/NAME/ID`.
// Counts are published only when not zero. berth has no Availability Zones, so the
// AvailabilityZone combinations are not published.
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "elb/routing_table.h"

namespace berth::elb {

struct AlbDatapoint {
  std::string account, region, name, unit;
  std::vector<std::pair<std::string, std::string>> dimensions;
  std::int64_t ts = 0;  // the start of the period it covers, epoch ms
  double count = 0, sum = 0, min = 0, max = 0;
};

// "app/NAME/ID" of a load balancer ARN; "targetgroup/NAME/ID" of a target group ARN.
std::string load_balancer_dimension(std::string_view lb_arn);
std::string target_group_dimension(std::string_view tg_arn);

class AlbMetrics {
 public:
  explicit AlbMetrics(std::int64_t period_ms) : period_ms_(period_ms > 0 ? period_ms : 60'000) {}

  // A request of `lb_arn` forwarded to a target of `tg_arn` that answered `status` after
  // `seconds` (status 0: the target failed; the balancer's page is counted by elb_answer).
  void target_answer(std::int64_t now, const std::string& lb_arn, const std::string& tg_arn, int status, double seconds);
  // An answer the balancer generated itself (400, 502, 503, 504).
  void elb_answer(std::int64_t now, const std::string& lb_arn, int status);

  // The datapoints of the periods that ended by `now`; host counts from `t` for the last one.
  std::vector<AlbDatapoint> take(std::int64_t now, const RoutingTable& t);

 private:
  struct GroupCounts {
    std::int64_t requests = 0;
    std::int64_t target_codes[4] = {0, 0, 0, 0};  // 2XX 3XX 4XX 5XX
    std::int64_t timed = 0;
    double time_sum = 0, time_min = 0, time_max = 0;
  };
  struct BalancerCounts {
    std::int64_t elb_4xx = 0, elb_5xx = 0, elb_502 = 0, elb_503 = 0, elb_504 = 0;
  };
  struct Period {
    std::unordered_map<std::string, std::unordered_map<std::string, GroupCounts>> groups;  // lb -> tg -> counts
    std::unordered_map<std::string, BalancerCounts> balancers;
  };
  Period& period_at(std::int64_t now);

  std::int64_t period_ms_;
  std::map<std::int64_t, Period> periods_;  // by start; rarely more than one
  std::int64_t hosts_published_ = 0;         // start of the last period with host counts
};

}  // namespace berth::elb
