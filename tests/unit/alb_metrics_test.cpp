// AWS/ApplicationELB metrics as the data plane counts them (elb/alb_metrics), and the target
// tracking path that reads RequestCountPerTarget (scaling/target_tracking) on the same series.
#include <doctest/doctest.h>

#include <map>

#include "common/json.h"
#include "elb/alb_metrics.h"
#include "metrics/series_reader.h"
#include "scaling/target_tracking.h"

using namespace berth;
using namespace berth::elb;

namespace {
const std::string kLb = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web-lb/50dc6c495c0c9188";
const std::string kTg = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/73e2d6bc24d8a067";
const std::string kOtherTg = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/api-tg/0123456789abcdef";

RoutingTable table() {
  RoutingTable t;
  ListenerEntry l;
  l.arn = "listener";
  l.lb_arn = kLb;
  l.protocol = "HTTP";
  Rule r;
  r.action.groups = {{kTg, 1}, {kOtherTg, 0}};
  l.rules.push_back(r);
  t.listeners.push_back(l);
  GroupEntry& g = t.groups[kTg];
  g.arn = kTg;
  g.targets = {{"10.0.0.1", 80, "10.0.0.1", "healthy", {}, {}},
               {"10.0.0.2", 80, "10.0.0.2", "healthy", {}, {}},
               {"10.0.0.3", 80, "10.0.0.3", "unhealthy", {}, {}}};
  GroupEntry& o = t.groups[kOtherTg];
  o.arn = kOtherTg;
  return t;
}

// name + canonical dimensions -> the datapoint
std::map<std::string, AlbDatapoint> by_series(const std::vector<AlbDatapoint>& points) {
  std::map<std::string, AlbDatapoint> out;
  for (const auto& p : points) {
    std::string key = p.name + " " + metrics::canonical_dimensions(p.dimensions);
    REQUIRE(out.count(key) == 0);  // one datapoint per series and period
    out[key] = p;
  }
  return out;
}
std::string dims(std::vector<std::pair<std::string, std::string>> d) { return metrics::canonical_dimensions(std::move(d)); }
}  // namespace

TEST_CASE("ALB metrics: dimension values are the ARNs' tails") {
  CHECK(load_balancer_dimension(kLb) == "app/web-lb/50dc6c495c0c9188");
  CHECK(target_group_dimension(kTg) == "targetgroup/web-tg/73e2d6bc24d8a067");
}

TEST_CASE("ALB metrics: requests, codes, response times and host counts per minute, with ALB's dimensions") {
  const std::int64_t minute = 60'000, t0 = 1'700'000'040'000;  // a minute boundary
  AlbMetrics m(minute);
  auto t = table();
  m.target_answer(t0 + 1'000, kLb, kTg, 200, 0.010);
  m.target_answer(t0 + 2'000, kLb, kTg, 200, 0.030);
  m.target_answer(t0 + 3'000, kLb, kTg, 404, 0.020);
  m.target_answer(t0 + 4'000, kLb, kTg, 0, 5.0);  // a target reset: counted as a request, no target code
  m.elb_answer(t0 + 4'000, kLb, 502);
  m.elb_answer(t0 + 5'000, kLb, 503);
  for (const auto& p : m.take(t0 + 59'999, t)) {  // the minute is not over: only the last one's
    CHECK(p.ts == t0 - minute);                     // host counts and zero request counts
    if (p.name.starts_with("RequestCount")) CHECK(p.sum == 0);
  }

  auto points = m.take(t0 + minute + 1, t);
  for (const auto& p : points) {
    CHECK(p.account == "000000000000");
    CHECK(p.region == "us-east-1");
    CHECK(p.ts == t0);
  }
  auto s = by_series(points);
  const std::string lb = "app/web-lb/50dc6c495c0c9188", tg = "targetgroup/web-tg/73e2d6bc24d8a067";
  auto both = dims({{"LoadBalancer", lb}, {"TargetGroup", tg}});
  auto by_lb = dims({{"LoadBalancer", lb}});
  auto by_tg = dims({{"TargetGroup", tg}});
  CHECK(s.at("RequestCount " + by_lb).sum == 4);
  CHECK(s.at("RequestCount " + both).sum == 4);
  CHECK(s.at("RequestCount " + both).unit == "Count");
  // Two healthy targets: two requests each. Sum is the meaningful statistic.
  CHECK(s.at("RequestCountPerTarget " + by_tg).sum == 2);
  CHECK(s.at("RequestCountPerTarget " + both).sum == 2);
  CHECK(s.at("HTTPCode_Target_2XX_Count " + both).sum == 2);
  CHECK(s.at("HTTPCode_Target_2XX_Count " + by_lb).sum == 2);
  CHECK(s.at("HTTPCode_Target_4XX_Count " + both).sum == 1);
  CHECK(s.count("HTTPCode_Target_5XX_Count " + both) == 0);  // published only when not zero
  CHECK(s.at("HTTPCode_ELB_5XX_Count " + by_lb).sum == 2);
  CHECK(s.at("HTTPCode_ELB_502_Count " + by_lb).sum == 1);
  CHECK(s.at("HTTPCode_ELB_503_Count " + by_lb).sum == 1);
  CHECK(s.count("HTTPCode_ELB_504_Count " + by_lb) == 0);
  const auto& rt = s.at("TargetResponseTime " + both);
  CHECK(rt.unit == "Seconds");
  CHECK(rt.count == 3);
  CHECK(rt.sum == doctest::Approx(0.060));
  CHECK(rt.min == doctest::Approx(0.010));
  CHECK(rt.max == doctest::Approx(0.030));
  CHECK(s.at("HealthyHostCount " + both).sum == 2);
  CHECK(s.at("UnHealthyHostCount " + both).sum == 1);
  // A group the listener forwards to without traffic still has its host counts.
  auto other = dims({{"LoadBalancer", lb}, {"TargetGroup", "targetgroup/api-tg/0123456789abcdef"}});
  CHECK(s.at("HealthyHostCount " + other).sum == 0);
  CHECK(s.at("RequestCount " + other).sum == 0);  // always reported, as ALB's
  CHECK(s.at("RequestCountPerTarget " + dims({{"TargetGroup", "targetgroup/api-tg/0123456789abcdef"}})).sum == 0);
  CHECK(s.count("HTTPCode_Target_2XX_Count " + other) == 0);  // counts only when not zero

  // Taken once: the next minute without traffic has host counts only.
  auto next = by_series(m.take(t0 + 2 * minute + 1, t));
  CHECK(next.at("RequestCount " + by_lb).sum == 0);
  CHECK(next.at("RequestCountPerTarget " + by_tg).sum == 0);
  CHECK(next.count("HTTPCode_Target_2XX_Count " + by_lb) == 0);
  CHECK(next.at("HealthyHostCount " + both).ts == t0 + minute);
  CHECK(m.take(t0 + 2 * minute + 2, t).empty());
}

TEST_CASE("target tracking on ALBRequestCountPerTarget reads the series the data plane publishes") {
  rapidjson::Document config;
  config.Parse(R"({"TargetValue":10,"PredefinedMetricSpecification":{"PredefinedMetricType":"ALBRequestCountPerTarget",
    "ResourceLabel":"app/web-lb/50dc6c495c0c9188/targetgroup/web-tg/73e2d6bc24d8a067"}})");
  auto alarms = scaling::target_tracking_alarms("arn:policy", "service/demo/web", "uuid", config, 0, 60);
  REQUIRE(std::holds_alternative<std::vector<state::MetricAlarmRow>>(alarms));
  const auto& high = std::get<std::vector<state::MetricAlarmRow>>(alarms)[0];
  REQUIRE(high.namespace_);
  REQUIRE(high.metric_name);
  REQUIRE(high.dimensions);

  AlbMetrics m(60'000);
  for (int i = 0; i < 30; ++i) m.target_answer(1'000, kLb, kTg, 200, 0.001);
  bool found = false;
  for (const auto& p : m.take(60'001, table()))
    if ("AWS/ApplicationELB" == *high.namespace_ && p.name == *high.metric_name &&
        metrics::canonical_dimensions(p.dimensions) == *high.dimensions) {
      found = true;
      CHECK(p.sum == 15);  // 30 requests over 2 healthy targets: the alarm's Sum per period
    }
  CHECK(found);
}
