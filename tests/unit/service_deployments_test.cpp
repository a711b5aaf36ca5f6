// The pure rules of ECS deployments: bounds, steps, health, circuit breaker, throttle, texts.
#include <doctest/doctest.h>

#include <regex>

#include "ecs/deployments.h"

using namespace berth;
using namespace berth::ecs;

namespace {
StepInput old_only(int desired, int min_pct, int max_pct) {
  StepInput in;
  in.desired = desired;
  in.minimum_healthy_percent = min_pct;
  in.maximum_percent = max_pct;
  in.old_live = in.old_healthy = desired;
  return in;
}
}  // namespace

TEST_CASE("deployment bounds round the floor up and the ceiling down") {
  CHECK(deployment_bounds(4, 50, 200).min_healthy == 2);
  CHECK(deployment_bounds(4, 50, 200).max_total == 8);
  CHECK(deployment_bounds(2, 75, 100).min_healthy == 2);  // ceil(1.5)
  CHECK(deployment_bounds(3, 100, 125).max_total == 3);   // floor(3.75)
  CHECK(deployment_bounds(0, 100, 200).max_total == 0);
}

TEST_CASE("the developer guide's four examples") {
  SUBCASE("minimumHealthyPercent 50 of 4 may stop 2 first") {
    Step s = plan_step(old_only(4, 50, 100));
    CHECK(s.stop_old_healthy == 2);
    CHECK(s.start == 0);
    CHECK_FALSE(s.stuck);
  }
  SUBCASE("maximumPercent 200 of 4 may start 4 first") {
    Step s = plan_step(old_only(4, 100, 200));
    CHECK(s.start == 4);
    CHECK(s.stop_old_healthy == 0);
  }
  SUBCASE("minimumHealthyPercent 75 of 2 cannot stop any") {
    Step s = plan_step(old_only(2, 75, 100));
    CHECK(s.stop_old_healthy == 0);
    CHECK(s.start == 0);
    CHECK(s.stuck);
  }
  SUBCASE("maximumPercent 125 of 3 cannot start any") {
    Step s = plan_step(old_only(3, 100, 125));
    CHECK(s.start == 0);
    CHECK(s.stop_old_healthy == 0);
    CHECK(s.stuck);
  }
}

TEST_CASE("steps: replacements, scale-in, and tasks in flight") {
  StepInput in;
  in.desired = 2;
  SUBCASE("a stopped task is replaced") {
    in.primary_live = in.primary_healthy = 1;
    CHECK(plan_step(in).start == 1);
  }
  SUBCASE("scale-in stops the extra PRIMARY tasks") {
    in.primary_live = in.primary_healthy = 5;
    Step s = plan_step(in);
    CHECK(s.stop_primary == 3);
    CHECK(s.start == 0);
  }
  SUBCASE("old tasks stay until new ones are healthy") {
    in.old_live = in.old_healthy = 2;
    in.primary_live = 2;  // started, not yet healthy
    Step s = plan_step(in);
    CHECK(s.start == 0);
    CHECK(s.stop_old_healthy == 0);
    CHECK_FALSE(s.stuck);  // they will become healthy
    in.primary_healthy = 2;
    CHECK(plan_step(in).stop_old_healthy == 2);
  }
  SUBCASE("unhealthy old tasks always go") {
    in.old_live = 2;
    in.old_healthy = 0;
    in.primary_live = in.primary_healthy = 0;
    CHECK(plan_step(in).stop_old_unhealthy == 2);
  }
  SUBCASE("stopping tasks keep their room") {
    in.stopping = 3;
    in.maximum_percent = 200;  // 4 at most
    CHECK(plan_step(in).start == 1);
  }
  SUBCASE("nothing starts when starting is not allowed") {
    in.may_start = false;
    Step s = plan_step(in);
    CHECK(s.start == 0);
    CHECK_FALSE(s.stuck);
  }
}

TEST_CASE("a task is healthy after healthy_after of RUNNING, or when its checked containers are HEALTHY") {
  HealthRule rule{std::chrono::seconds(40), std::chrono::seconds(10)};
  state::TaskRow t;
  t.last_status = "RUNNING";
  t.started_at = 1000;
  state::TaskContainerRow c;
  c.name = "web";
  t.containers.push_back(c);
  CHECK_FALSE(is_healthy(t, {}, rule, 40999));
  CHECK(is_healthy(t, {}, rule, 41000));
  CHECK_FALSE(is_healthy(t, {}, rule, 41000, /*target_healthy=*/false));
  CHECK(health_deadline(t, {}, rule, 2000) == std::optional<std::int64_t>(41000));
  std::vector<std::string> checked{"web"};
  CHECK_FALSE(is_healthy(t, checked, rule, 100000));  // no health reported yet
  t.containers[0].health_status = "HEALTHY";
  CHECK(is_healthy(t, checked, rule, 1000));
  t.containers[0].health_status = "UNHEALTHY";
  CHECK_FALSE(failed_health_checks(t, checked, rule, 10999));  // within the grace period
  CHECK(failed_health_checks(t, checked, rule, 11000));
  t.last_status = "PENDING";
  CHECK_FALSE(is_healthy(t, {}, rule, 100000));
}

TEST_CASE("circuit breaker threshold: half the desired count within [3, 200]") {
  CHECK(circuit_breaker_threshold(1) == 3);
  CHECK(circuit_breaker_threshold(7) == 4);
  CHECK(circuit_breaker_threshold(25) == 13);
  CHECK(circuit_breaker_threshold(1000) == 200);
  CHECK(circuit_breaker_threshold(10, ThresholdConfiguration{"COUNT", 2}) == 2);
  CHECK(circuit_breaker_threshold(1000, ThresholdConfiguration{"UNBOUNDED_PERCENT", 50}) == 500);
  CHECK(circuit_breaker_threshold(4, ThresholdConfiguration{"BOUNDED_PERCENT", 25}) == 3);
}

TEST_CASE("throttle delays grow to 15 minutes") {
  CHECK(throttle_delay(0).count() == 0);
  CHECK(throttle_delay(1).count() == 0);
  CHECK(throttle_delay(2).count() == 5000);
  CHECK(throttle_delay(3).count() == 10000);
  CHECK(throttle_delay(50).count() == 15 * 60 * 1000);
}

TEST_CASE("deployment ids and event texts are ECS's") {
  CHECK(std::regex_match(new_deployment_id(), std::regex("ecs-svc/[1-9][0-9]{18}")));
  CHECK(events::started_tasks("web", {"a", "b"}) == "(service web) has started 2 tasks: (task a) (task b).");
  CHECK(events::stopped_tasks("web", {"a"}) == "(service web) has stopped 1 running tasks: (task a).");
  CHECK(events::deployment_completed("web", "ecs-svc/1") == "(service web) (deployment ecs-svc/1) deployment completed.");
  CHECK(events::steady_state("web") == "(service web) has reached a steady state.");
  CHECK(events::deployment_failed("web", "ecs-svc/2") ==
        "(service web) (deployment ecs-svc/2) deployment failed: tasks failed to start.");
  CHECK(events::rolling_back("web", "ecs-svc/1") == "(service web) rolling back to deployment ecs-svc/1.");
  CHECK(events::failed_health_checks("web", "t1") == "(service web) (task t1) failed container health checks.");
  CHECK(events::unable_to_start_consistently("web") == "(service web) is unable to consistently start tasks successfully.");
  CHECK(events::unable_to_stop_or_start("web") ==
        "service web was unable to stop or start tasks during a deployment because of the service deployment "
        "configuration. Update the minimumHealthyPercent or maximumPercent value and try again.");
  CHECK(rollout_in_progress("ecs-svc/1") == "ECS deployment ecs-svc/1 in progress.");
  CHECK(rollout_completed("ecs-svc/1") == "ECS deployment ecs-svc/1 completed.");
  CHECK(rollout_failed() == "ECS deployment circuit breaker: tasks failed to start.");
  CHECK(rollout_rolling_back("ecs-svc/1") == "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.");
  CHECK(scaling_stop_reason("ecs-svc/1") == "Scaling activity initiated by (deployment ecs-svc/1)");
}

TEST_CASE("steps: old tasks waiting for their health verdict neither hold the floor nor go as unhealthy") {
  StepInput in = old_only(2, 100, 200);
  in.old_healthy = 0;
  in.old_pending = 2;
  Step s = plan_step(in);
  CHECK(s.start == 2);
  CHECK(s.stop_old_unhealthy == 0);
  CHECK(s.stop_old_pending == 0);
  CHECK_FALSE(s.stuck);
  SUBCASE("new healthy tasks hold the floor: the waiting ones may go") {
    in.primary_live = in.primary_healthy = 2;
    s = plan_step(in);
    CHECK(s.stop_old_pending == 2);
    CHECK(s.start == 0);
  }
  SUBCASE("below the floor a waiting task stays; at it, the waiting one goes before a healthy one") {
    in.old_healthy = in.old_pending = 1;
    in.primary_live = 2;
    s = plan_step(in);
    CHECK(s.stop_old_healthy == 0);
    CHECK(s.stop_old_pending == 0);
    in.primary_healthy = 1;
    s = plan_step(in);
    CHECK(s.stop_old_healthy == 0);
    CHECK(s.stop_old_pending == 1);
  }
  SUBCASE("no room and no verdict yet is not stuck: time will tell") {
    in.maximum_percent = 100;
    s = plan_step(in);
    CHECK(s.start == 0);
    CHECK_FALSE(s.stuck);
    in.old_pending = 0;
    in.old_healthy = 2;
    CHECK(plan_step(in).stuck);
  }
  SUBCASE("minimumHealthyPercent 0: nothing to hold, they go") {
    in.minimum_healthy_percent = 0;
    CHECK(plan_step(in).stop_old_pending == 2);
  }
  SUBCASE("what is neither healthy nor waiting goes at once") {
    in.old_live = 3;
    CHECK(plan_step(in).stop_old_unhealthy == 1);
  }
}

TEST_CASE("task health: healthy, waiting for a verdict, or unhealthy") {
  HealthRule rule{std::chrono::seconds(40), std::chrono::seconds(10)};
  state::TaskRow t;
  t.last_status = "PROVISIONING";
  state::TaskContainerRow c;
  c.name = "web";
  t.containers.push_back(c);
  CHECK(task_health(t, {}, rule, 1000) == TaskHealth::Unhealthy);  // not RUNNING yet
  t.last_status = "RUNNING";
  t.started_at = 1000;
  CHECK(task_health(t, {}, rule, 40999) == TaskHealth::Pending);
  CHECK(task_health(t, {}, rule, 41000) == TaskHealth::Healthy);
  // Behind a load balancer: initial targets wait; unhealthy ones wait out the grace period only.
  CHECK(task_health(t, {}, rule, 100000, TargetVerdict::Pending) == TaskHealth::Pending);
  CHECK(task_health(t, {}, rule, 10999, TargetVerdict::Unhealthy) == TaskHealth::Pending);
  CHECK(task_health(t, {}, rule, 11000, TargetVerdict::Unhealthy) == TaskHealth::Unhealthy);
  CHECK(task_health(t, {}, rule, 2000, TargetVerdict::Healthy) == TaskHealth::Healthy);
  // Container health checks: no report yet waits; UNHEALTHY waits out the grace period only.
  std::vector<std::string> checked{"web"};
  CHECK(task_health(t, checked, rule, 100000) == TaskHealth::Pending);
  t.containers[0].health_status = "UNHEALTHY";
  CHECK(task_health(t, checked, rule, 10999) == TaskHealth::Pending);
  CHECK(task_health(t, checked, rule, 11000) == TaskHealth::Unhealthy);
  t.containers[0].health_status = "HEALTHY";
  CHECK(task_health(t, checked, rule, 2000) == TaskHealth::Healthy);
  t.desired_status = "STOPPED";
  CHECK(task_health(t, checked, rule, 2000) == TaskHealth::Unhealthy);
}
