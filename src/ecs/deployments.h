#pragma once
// The rules of an ECS rolling deployment, without state or threads: the bounds of each step, when
// a task counts as healthy, the circuit breaker's threshold, the throttle's delays, and the
// service event texts in ECS's words (../shared/research/services.md A3-A5).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecs/load_balancing.h"
#include "state/ecs_task_store.h"

namespace berth::ecs {

// Running+pending tasks may not exceed max_total; healthy tasks may not drop below min_healthy.
struct Bounds {
  int max_total = 0;    // floor(desired * maximumPercent / 100)
  int min_healthy = 0;  // ceil(desired * minimumHealthyPercent / 100)
};
Bounds deployment_bounds(int desired, int minimum_healthy_percent, int maximum_percent);

// What one step of a service may do, given its tasks now. Tasks being stopped still occupy
// room under max_total until they are STOPPED.
struct StepInput {
  int desired = 0;
  int minimum_healthy_percent = 100, maximum_percent = 200;
  int primary_live = 0;     // PRIMARY deployment's tasks desired RUNNING
  int primary_healthy = 0;  // of those, healthy
  int old_live = 0;         // older deployments' tasks desired RUNNING
  int old_healthy = 0;      // of those, healthy
  int old_pending = 0;      // of those, RUNNING and waiting for their health verdict (TaskHealth::Pending)
  int stopping = 0;         // tasks desired STOPPED, not yet STOPPED
  bool may_start = true;    // the PRIMARY is not FAILED, not throttled, and tasks can be placed
};
struct Step {
  int start = 0;             // new PRIMARY tasks
  int stop_primary = 0;      // scale-in: the newest PRIMARY tasks
  int stop_old_unhealthy = 0;  // old tasks neither healthy nor waiting for a verdict
  int stop_old_pending = 0;    // old tasks waiting for a verdict, once the floor holds without them
  int stop_old_healthy = 0;
  // Work remains but neither bound lets anything move, and nothing in flight will change that.
  bool stuck = false;
};
Step plan_step(const StepInput& in);

// A task counts as healthy when RUNNING and: with container health checks, every checked
// essential container HEALTHY; without, RUNNING for `healthy_after` (ECS: 40 s). Behind a load
// balancer, `target_healthy` is its word (every target healthy), which replaces the RUNNING
// time; nullopt without one.
struct HealthRule {
  std::chrono::milliseconds healthy_after{40000};
  std::chrono::milliseconds grace{0};  // healthCheckGracePeriodSeconds
};
// Names of the containers whose definitions have a healthCheck.
bool is_healthy(const state::TaskRow& t, const std::vector<std::string>& checked, const HealthRule& rule,
                std::int64_t now_millis, std::optional<bool> target_healthy = std::nullopt);
// How a deployment sees a task. A RUNNING task waiting for its verdict (younger than healthy_after,
// checks not reported yet or failing within the grace period, targets still initial or unhealthy
// within it) is Pending: it does not hold the minimumHealthyPercent floor up, and it is not
// stopped as unhealthy either, as ECS keeps it. Unhealthy: not RUNNING (yet), or a verdict
// against it past the grace period (then the scheduler replaces it).
enum class TaskHealth { Healthy, Pending, Unhealthy };
TaskHealth task_health(const state::TaskRow& t, const std::vector<std::string>& checked, const HealthRule& rule,
                       std::int64_t now_millis, std::optional<TargetVerdict> target = std::nullopt);
// RUNNING, past the grace period, with a checked essential container UNHEALTHY: to be replaced.
bool failed_health_checks(const state::TaskRow& t, const std::vector<std::string>& checked, const HealthRule& rule,
                          std::int64_t now_millis);
// When the task's health can next change by time alone (healthy_after or grace ending), if ever.
std::optional<std::int64_t> health_deadline(const state::TaskRow& t, const std::vector<std::string>& checked,
                                            const HealthRule& rule, std::int64_t now_millis);

// Circuit breaker: failures in a row before a deployment FAILS. Default 0.5 x desired, rounded up,
// clamped to [3, 200]; thresholdConfiguration COUNT (value), BOUNDED_PERCENT (value% clamped
// [3, 200]) or UNBOUNDED_PERCENT (value%, at least 1).
struct ThresholdConfiguration {
  std::string type = "BOUNDED_PERCENT";
  int value = 50;
};
int circuit_breaker_threshold(int desired, const std::optional<ThresholdConfiguration>& config = std::nullopt);

// Tasks that keep stopping before RUNNING are retried later and later, at most 15 minutes apart.
// Throttling starts at the second failure in a row.
constexpr int kThrottleAfterFailures = 2;
std::chrono::milliseconds throttle_delay(int failed_starts);

// "ecs-svc/" and 19 decimal digits.
std::string new_deployment_id();

// Service event messages, exactly as ECS writes them. Task ids are the ARN's last part.
namespace events {
std::string started_tasks(std::string_view service, const std::vector<std::string>& task_ids);
std::string stopped_tasks(std::string_view service, const std::vector<std::string>& task_ids);
std::string deployment_completed(std::string_view service, std::string_view deployment);
std::string steady_state(std::string_view service);
std::string deployment_failed(std::string_view service, std::string_view deployment);
std::string rolling_back(std::string_view service, std::string_view deployment);
std::string failed_health_checks(std::string_view service, std::string_view task_id);
std::string unable_to_place(std::string_view service, std::string_view reason);
// The scheduler could not launch a task (a role ECS cannot assume, ...): `error` says why.
std::string failed_to_launch(std::string_view service, std::string_view error);
std::string unable_to_start_consistently(std::string_view service);
std::string unable_to_stop_or_start(std::string_view service);
}  // namespace events

// rolloutStateReason and stoppedReason texts.
std::string rollout_in_progress(std::string_view deployment);
std::string rollout_completed(std::string_view deployment);
std::string rollout_failed();
std::string rollout_rolling_back(std::string_view deployment);
std::string scaling_stop_reason(std::string_view deployment);
constexpr std::string_view kHealthStopReason = "Task failed container health checks";

}  // namespace berth::ecs
