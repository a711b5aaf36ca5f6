// Application Auto Scaling: the capacity rules, the API, and target tracking acting on a
// service through the alarm evaluator (with a fake service in place of ECS's).
#include <doctest/doctest.h>

#include <map>

#include "dispatch_harness.h"
#include "metrics/alarm_evaluator.h"
#include "scaling/capacity.h"
#include "scaling/scaling_actions.h"
#include "state/metrics_store.h"

using berth::test::DispatchHarness;
namespace json = berth::json;
using namespace berth;

TEST_CASE("capacity rules: target tracking, steps, bounds, cooldowns") {
  CHECK(scaling::target_tracking_capacity(2, 90, 50) == 4);   // ceil(3.6)
  CHECK(scaling::target_tracking_capacity(4, 20, 50) == 2);   // ceil(1.6)
  CHECK(scaling::target_tracking_capacity(3, 50, 50) == 3);
  CHECK(scaling::target_tracking_capacity(0, 10, 50) == 1);
  std::vector<scaling::StepAdjustment> steps = {{0.0, 10.0, 1}, {10.0, std::nullopt, 3}};
  CHECK(scaling::step_capacity(2, "ChangeInCapacity", steps, 5, 1) == 3);
  CHECK(scaling::step_capacity(2, "ChangeInCapacity", steps, 25, 1) == 5);
  CHECK_FALSE(scaling::step_capacity(2, "ChangeInCapacity", steps, -1, 1));
  CHECK(scaling::step_capacity(2, "ExactCapacity", steps, 25, 1) == 3);
  CHECK(scaling::step_capacity(10, "PercentChangeInCapacity", {{std::nullopt, std::nullopt, 50}}, 0, 1) == 15);
  CHECK(scaling::step_capacity(1, "PercentChangeInCapacity", {{std::nullopt, std::nullopt, 10}}, 0, 2) == 3);
  CHECK(scaling::clamp(9, 1, 4) == 4);
  CHECK(scaling::clamp(0, 1, 4) == 1);
  CHECK(scaling::cooled(std::nullopt, 300, 0));
  CHECK_FALSE(scaling::cooled(1000, 300, 1000 + 299'000));
  CHECK(scaling::cooled(1000, 300, 1000 + 300'000));
}

namespace {
constexpr std::int64_t kStart = 1'800'000'000'000;
const char* kTarget = R"("ServiceNamespace":"ecs","ResourceId":"service/demo/web","ScalableDimension":"ecs:service:DesiredCount")";

struct FakeServices {
  std::map<std::string, std::int64_t> desired;
  std::vector<std::string> woken;
  scaling::ServiceCapacity capacity() {
    return {[this](state::Connection&, const state::Scope&, const std::string& id) -> std::optional<scaling::ServiceCapacity::Now> {
              if (!desired.count(id)) return std::nullopt;
              return scaling::ServiceCapacity::Now{desired[id], false};
            },
            [this](state::Connection&, const state::Scope&, const std::string& id, std::int64_t n) { desired[id] = n; },
            [this](const state::Scope&, const std::string& id) { woken.push_back(id); }};
  }
};

void put_cpu(DispatchHarness& h, std::int64_t minute_ts, double value) {
  h.db->write([&](state::Connection& c) {
    state::MetricsStore s(c, {"000000000000", "us-east-1"});
    auto id = s.touch_series("AWS/ECS", "CPUUtilization",
                             R"([{"Name":"ClusterName","Value":"demo"},{"Name":"ServiceName","Value":"web"}])", minute_ts);
    s.add_point(id, {minute_ts, "Percent", 1, value, value, value, value});
    return true;
  });
}
}  // namespace

TEST_CASE("target tracking: alarms made, service scaled out and in within bounds and cooldowns") {
  DispatchHarness as("application-autoscaling", {}, kStart + 5'000);
  auto reg = as.ok("RegisterScalableTarget", std::string("{") + kTarget + R"(,"MinCapacity":1,"MaxCapacity":4})");
  CHECK(std::string(json::view(reg.body["ScalableTargetARN"])).starts_with("arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/"));
  CHECK(as.call("RegisterScalableTarget", std::string("{") + kTarget + R"(,"MinCapacity":5,"MaxCapacity":4})").code() == "ValidationException");
  auto missing = as.call("PutScalingPolicy", R"({"PolicyName":"p","ServiceNamespace":"ecs","ResourceId":"service/demo/other",
    "ScalableDimension":"ecs:service:DesiredCount","PolicyType":"TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration":{"TargetValue":50,"PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"}}})");
  CHECK(missing.code() == "ObjectNotFoundException");
  CHECK(missing.message() == "No scalable target registered for service namespace: ecs, resource ID: service/demo/other, scalable dimension: ecs:service:DesiredCount");

  auto put = as.ok("PutScalingPolicy", std::string("{") + kTarget + R"(,"PolicyName":"cpu50","PolicyType":"TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration":{"TargetValue":50,"ScaleOutCooldown":0,"ScaleInCooldown":0,
      "PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"}}})");
  std::string arn(json::view(put.body["PolicyARN"]));
  CHECK(arn.starts_with("arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:"));
  CHECK(arn.ends_with(":resource/ecs/service/demo/web:policyName/cpu50"));
  REQUIRE(put.body["Alarms"].Size() == 2);
  std::string high(json::view(put.body["Alarms"][0]["AlarmName"]));
  CHECK(high.starts_with("TargetTracking-service/demo/web-AlarmHigh-"));
  CHECK(std::string(json::view(put.body["Alarms"][1]["AlarmName"])).starts_with("TargetTracking-service/demo/web-AlarmLow-"));

  // The alarms as CloudWatch shows them.
  auto* as_model = as.model;
  as.model = as.ops.model("cloudwatch");
  as.wire = DispatchHarness::Wire::Json;
  auto alarms = as.ok("DescribeAlarms", R"({"AlarmNamePrefix":"TargetTracking-"})");
  REQUIRE(alarms.body["MetricAlarms"].Size() == 2);
  const auto& h = alarms.body["MetricAlarms"][0];
  CHECK(json::view(h["MetricName"]) == "CPUUtilization");
  CHECK(json::view(h["Namespace"]) == "AWS/ECS");
  CHECK(h["EvaluationPeriods"].GetInt() == 3);
  CHECK(json::view(h["ComparisonOperator"]) == "GreaterThanThreshold");
  CHECK(std::string(json::view(h["AlarmDescription"])).starts_with("DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:"));
  const auto& l = alarms.body["MetricAlarms"][1];
  CHECK(l["Threshold"].GetDouble() == 45.0);
  CHECK(l["EvaluationPeriods"].GetInt() == 15);
  as.model = as_model;

  FakeServices svc;
  svc.desired["service/demo/web"] = 1;
  scaling::ScalingActions actions(*as.db, as.clock, svc.capacity());
  metrics::AlarmEvaluator evaluator(*as.db, as.clock, std::chrono::seconds(60),
                                    [&](const metrics::FiredActions& f) { actions.on_alarm(f); });
  // Three busy minutes: 90% against a target of 50 -> ceil(1 × 90 / 50) = 2.
  for (int m = 0; m < 3; ++m) put_cpu(as, kStart + m * 60'000, 90);
  as.clock.advance(3 * 60'000);
  evaluator.evaluate_all();
  CHECK(svc.desired["service/demo/web"] == 2);
  CHECK(svc.woken == std::vector<std::string>{"service/demo/web"});
  // Still busy next minute: the alarm stays in ALARM and acts again: ceil(2 × 90 / 50) = 4 (max).
  put_cpu(as, kStart + 3 * 60'000, 90);
  as.clock.advance(60'000);
  evaluator.evaluate_all();
  CHECK(svc.desired["service/demo/web"] == 4);
  put_cpu(as, kStart + 4 * 60'000, 200);
  as.clock.advance(60'000);
  evaluator.evaluate_all();
  CHECK(svc.desired["service/demo/web"] == 4);  // max capacity

  auto acts = as.ok("DescribeScalingActivities", R"({"ServiceNamespace":"ecs","ResourceId":"service/demo/web"})");
  REQUIRE(acts.body["ScalingActivities"].Size() == 2);
  CHECK(json::view(acts.body["ScalingActivities"][0]["Description"]) == "Setting desired count to 4.");
  CHECK(json::view(acts.body["ScalingActivities"][0]["StatusMessage"]) ==
        "Successfully set desired count to 4. Change successfully fulfilled by ecs.");
  CHECK(json::view(acts.body["ScalingActivities"][0]["StatusCode"]) == "Successful");

  // Fifteen quiet minutes: the low alarm scales in, ceil(4 × 10 / 50) = 1.
  for (int m = 5; m < 20; ++m) put_cpu(as, kStart + m * 60'000, 10);
  as.clock.advance(15 * 60'000);
  evaluator.evaluate_all();
  CHECK(svc.desired["service/demo/web"] == 1);

  auto pols = as.ok("DescribeScalingPolicies", R"({"ServiceNamespace":"ecs"})");
  REQUIRE(pols.body["ScalingPolicies"].Size() == 1);
  CHECK(pols.body["ScalingPolicies"][0]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"].GetDouble() == 50);
  auto targets = as.ok("DescribeScalableTargets", R"({"ServiceNamespace":"ecs"})");
  REQUIRE(targets.body["ScalableTargets"].Size() == 1);
  CHECK(targets.body["ScalableTargets"][0]["MaxCapacity"].GetInt() == 4);

  REQUIRE(as.call("DeleteScalingPolicy", std::string("{") + kTarget + R"(,"PolicyName":"cpu50"})").status == 200);
  CHECK(as.call("DeleteScalingPolicy", std::string("{") + kTarget + R"(,"PolicyName":"cpu50"})").code() == "ObjectNotFoundException");
  as.model = as.ops.model("cloudwatch");
  CHECK(as.ok("DescribeAlarms", "{}").body["MetricAlarms"].Size() == 0);  // its alarms went with it
  as.model = as_model;
  REQUIRE(as.call("DeregisterScalableTarget", std::string("{") + kTarget + "}").status == 200);
  CHECK(as.call("DeregisterScalableTarget", std::string("{") + kTarget + "}").code() == "ObjectNotFoundException");
}

TEST_CASE("step scaling with the user's own alarm, and cooldowns") {
  DispatchHarness as("application-autoscaling", {}, kStart + 5'000);
  as.ok("RegisterScalableTarget", std::string("{") + kTarget + R"(,"MinCapacity":1,"MaxCapacity":10})");
  auto put = as.ok("PutScalingPolicy", std::string("{") + kTarget + R"(,"PolicyName":"steps","PolicyType":"StepScaling",
    "StepScalingPolicyConfiguration":{"AdjustmentType":"ChangeInCapacity","Cooldown":120,
      "StepAdjustments":[{"MetricIntervalLowerBound":0,"MetricIntervalUpperBound":20,"ScalingAdjustment":1},
                         {"MetricIntervalLowerBound":20,"ScalingAdjustment":3}]}})");
  std::string arn(json::view(put.body["PolicyARN"]));
  CHECK(put.body["Alarms"].Size() == 0);
  auto* as_model = as.model;
  as.model = as.ops.model("cloudwatch");
  as.wire = DispatchHarness::Wire::Json;
  REQUIRE(as.call("PutMetricAlarm", R"({"AlarmName":"queue","Namespace":"AWS/ECS","MetricName":"CPUUtilization",
    "Dimensions":[{"Name":"ClusterName","Value":"demo"},{"Name":"ServiceName","Value":"web"}],"Statistic":"Maximum",
    "Period":60,"EvaluationPeriods":1,"Threshold":60,"ComparisonOperator":"GreaterThanThreshold","AlarmActions":[")" + arn + R"("]})")
              .status == 200);
  as.model = as_model;
  FakeServices svc;
  svc.desired["service/demo/web"] = 2;
  scaling::ScalingActions actions(*as.db, as.clock, svc.capacity());
  metrics::AlarmEvaluator evaluator(*as.db, as.clock, std::chrono::seconds(60),
                                    [&](const metrics::FiredActions& f) { actions.on_alarm(f); });
  put_cpu(as, kStart, 70);  // 10 over: +1
  as.clock.advance(60'000);
  evaluator.evaluate_all();
  CHECK(svc.desired["service/demo/web"] == 3);
  put_cpu(as, kStart + 60'000, 95);  // 35 over: +3, but within the 120 s cooldown
  as.clock.advance(60'000);
  evaluator.evaluate_all();
  CHECK(svc.desired["service/demo/web"] == 3);
  put_cpu(as, kStart + 120'000, 95);
  as.clock.advance(60'000);
  evaluator.evaluate_all();
  CHECK(svc.desired["service/demo/web"] == 6);
}

TEST_CASE("RegisterScalableTarget moves the desired count into new bounds, with AWS's activity texts") {
  DispatchHarness as("application-autoscaling", {}, kStart);
  FakeServices svc;
  svc.desired["service/demo/web"] = 1;
  auto capacity = svc.capacity();
  api::Services services;
  services.service_capacity = &capacity;
  as.use_services(services);
  // A new target whose minimum is above the desired count raises it.
  as.ok("RegisterScalableTarget", std::string("{") + kTarget + R"(,"MinCapacity":2,"MaxCapacity":5})");
  CHECK(svc.desired["service/demo/web"] == 2);
  CHECK(svc.woken == std::vector<std::string>{"service/demo/web"});
  // An update that lowers only the maximum below it lowers it.
  svc.desired["service/demo/web"] = 5;
  as.ok("RegisterScalableTarget", std::string("{") + kTarget + R"(,"MaxCapacity":3})");
  CHECK(svc.desired["service/demo/web"] == 3);
  // Within the bounds: nothing changes, no activity.
  as.ok("RegisterScalableTarget", std::string("{") + kTarget + R"(,"MinCapacity":1})");
  CHECK(svc.desired["service/demo/web"] == 3);
  CHECK(svc.woken.size() == 2);
  // A refused registration changes nothing.
  CHECK(as.call("RegisterScalableTarget", std::string("{") + kTarget + R"(,"MinCapacity":9})").code() == "ValidationException");
  CHECK(svc.desired["service/demo/web"] == 3);

  auto acts = as.ok("DescribeScalingActivities", R"({"ServiceNamespace":"ecs","ResourceId":"service/demo/web"})");
  REQUIRE(acts.body["ScalingActivities"].Size() == 2);
  const auto& lowered = acts.body["ScalingActivities"][0];  // newest first
  CHECK(json::view(lowered["Description"]) == "Setting desired count to 3.");
  CHECK(json::view(lowered["Cause"]) == "maximum capacity was set to 3");
  CHECK(json::view(lowered["StatusCode"]) == "Successful");
  CHECK(json::view(lowered["StatusMessage"]) == "Successfully set desired count to 3. Change successfully fulfilled by ecs.");
  const auto& raised = acts.body["ScalingActivities"][1];
  CHECK(json::view(raised["Description"]) == "Setting desired count to 2.");
  CHECK(json::view(raised["Cause"]) == "minimum capacity was set to 2");

  // A target of a service that does not exist (not active) is registered without any change.
  as.ok("RegisterScalableTarget", R"({"ServiceNamespace":"ecs","ResourceId":"service/demo/gone",
    "ScalableDimension":"ecs:service:DesiredCount","MinCapacity":2,"MaxCapacity":3})");
  auto none = as.ok("DescribeScalingActivities", R"({"ServiceNamespace":"ecs","ResourceId":"service/demo/gone"})");
  CHECK(none.body["ScalingActivities"].Size() == 0);
}
