#include "ecs/deployments.h"

#include <algorithm>
#include <random>

namespace berth::ecs {

Bounds deployment_bounds(int desired, int min_pct, int max_pct) {
  // Integer ceil and floor: percentages are whole numbers, so no rounding surprises.
  std::int64_t d = desired;
  return {static_cast<int>(d * max_pct / 100), static_cast<int>((d * min_pct + 99) / 100)};
}

Step plan_step(const StepInput& in) {
  Bounds b = deployment_bounds(in.desired, in.minimum_healthy_percent, in.maximum_percent);
  Step s;
  s.stop_primary = std::max(0, in.primary_live - in.desired);
  int primary_left = in.primary_live - s.stop_primary;
  // Stopped tasks keep their room until they are STOPPED, so count them in.
  int occupying = in.primary_live + in.old_live + in.stopping;
  if (in.may_start) s.start = std::clamp(std::min(in.desired - primary_left, b.max_total - occupying), 0, in.desired);
  // Old tasks that are not healthy never hold the floor up. Unhealthy ones go at once; healthy
  // ones while the rest stay above the floor; those still waiting for their verdict only when the
  // floor holds without them (stopping one costs no healthy task, but it is about to be one).
  s.stop_old_unhealthy = in.old_live - in.old_healthy - in.old_pending;
  int healthy_left = in.primary_healthy + in.old_healthy - std::min(s.stop_primary, in.primary_healthy);
  s.stop_old_healthy = std::clamp(healthy_left - b.min_healthy, 0, in.old_healthy);
  if (healthy_left - s.stop_old_healthy >= b.min_healthy) s.stop_old_pending = in.old_pending;
  bool work_left = primary_left < in.desired || in.old_live > 0;
  bool in_flight = in.stopping > 0 || in.primary_healthy < in.primary_live || in.old_pending > 0;
  s.stuck = work_left && in.may_start && !in_flight && s.start == 0 && s.stop_primary == 0 &&
            s.stop_old_unhealthy == 0 && s.stop_old_pending == 0 && s.stop_old_healthy == 0;
  return s;
}

namespace {
bool checked(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}
bool has_checks(const state::TaskRow& t, const std::vector<std::string>& names) {
  for (const auto& c : t.containers)
    if (c.essential && checked(names, c.name)) return true;
  return false;
}
}  // namespace

bool is_healthy(const state::TaskRow& t, const std::vector<std::string>& names, const HealthRule& rule,
                std::int64_t now, std::optional<bool> target_healthy) {
  if (t.last_status != "RUNNING" || t.desired_status != "RUNNING" || !t.started_at) return false;
  if (target_healthy && !*target_healthy) return false;
  if (!has_checks(t, names)) return target_healthy.has_value() || now - *t.started_at >= rule.healthy_after.count();
  for (const auto& c : t.containers)
    if (c.essential && checked(names, c.name) && c.health_status != std::optional<std::string>("HEALTHY")) return false;
  return true;
}

TaskHealth task_health(const state::TaskRow& t, const std::vector<std::string>& names, const HealthRule& rule,
                       std::int64_t now, std::optional<TargetVerdict> target) {
  std::optional<bool> target_healthy;
  if (target) target_healthy = *target == TargetVerdict::Healthy;
  if (is_healthy(t, names, rule, now, target_healthy)) return TaskHealth::Healthy;
  if (t.last_status != "RUNNING" || t.desired_status != "RUNNING" || !t.started_at) return TaskHealth::Unhealthy;
  bool in_grace = now - *t.started_at < rule.grace.count();
  if (target == TargetVerdict::Unhealthy && !in_grace) return TaskHealth::Unhealthy;
  if (failed_health_checks(t, names, rule, now)) return TaskHealth::Unhealthy;
  return TaskHealth::Pending;
}

bool failed_health_checks(const state::TaskRow& t, const std::vector<std::string>& names, const HealthRule& rule,
                          std::int64_t now) {
  if (t.last_status != "RUNNING" || t.desired_status != "RUNNING" || !t.started_at) return false;
  if (now - *t.started_at < rule.grace.count()) return false;
  for (const auto& c : t.containers)
    if (c.essential && checked(names, c.name) && c.health_status == std::optional<std::string>("UNHEALTHY"))
      return true;
  return false;
}

std::optional<std::int64_t> health_deadline(const state::TaskRow& t, const std::vector<std::string>& names,
                                            const HealthRule& rule, std::int64_t now) {
  if (t.last_status != "RUNNING" || t.desired_status != "RUNNING" || !t.started_at) return std::nullopt;
  std::int64_t at = has_checks(t, names) ? *t.started_at + rule.grace.count() : *t.started_at + rule.healthy_after.count();
  if (at <= now) return std::nullopt;
  return at;
}

int circuit_breaker_threshold(int desired, const std::optional<ThresholdConfiguration>& config) {
  ThresholdConfiguration c = config.value_or(ThresholdConfiguration{});
  if (c.type == "COUNT") return std::max(1, c.value);
  int share = static_cast<int>((static_cast<std::int64_t>(desired) * c.value + 99) / 100);
  if (c.type == "UNBOUNDED_PERCENT") return std::max(1, share);
  return std::clamp(share, 3, 200);
}

std::chrono::milliseconds throttle_delay(int failed_starts) {
  if (failed_starts < kThrottleAfterFailures) return std::chrono::milliseconds(0);
  constexpr std::int64_t kFirst = 5'000, kMost = 15 * 60 * 1000;
  int doublings = std::min(failed_starts - kThrottleAfterFailures, 20);
  return std::chrono::milliseconds(std::min(kMost, kFirst << doublings));
}

std::string new_deployment_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id = "ecs-svc/";
  id += static_cast<char>('1' + rng() % 9);
  for (int i = 1; i < 19; ++i) id += static_cast<char>('0' + rng() % 10);
  return id;
}

namespace events {
namespace {
std::string task_list(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : " ") + ("(task " + id + ")");
  return out;
}
std::string svc(std::string_view s) { return "(service " + std::string(s) + ")"; }
}  // namespace

std::string started_tasks(std::string_view s, const std::vector<std::string>& ids) {
  return svc(s) + " has started " + std::to_string(ids.size()) + " tasks: " + task_list(ids) + ".";
}
std::string stopped_tasks(std::string_view s, const std::vector<std::string>& ids) {
  return svc(s) + " has stopped " + std::to_string(ids.size()) + " running tasks: " + task_list(ids) + ".";
}
std::string deployment_completed(std::string_view s, std::string_view d) {
  return svc(s) + " (deployment " + std::string(d) + ") deployment completed.";
}
std::string steady_state(std::string_view s) { return svc(s) + " has reached a steady state."; }
std::string deployment_failed(std::string_view s, std::string_view d) {
  return svc(s) + " (deployment " + std::string(d) + ") deployment failed: tasks failed to start.";
}
std::string rolling_back(std::string_view s, std::string_view d) {
  return svc(s) + " rolling back to deployment " + std::string(d) + ".";
}
std::string failed_health_checks(std::string_view s, std::string_view task_id) {
  return svc(s) + " (task " + std::string(task_id) + ") failed container health checks.";
}
std::string unable_to_place(std::string_view s, std::string_view reason) {
  return svc(s) + " was unable to place a task. Reason: " + std::string(reason);
}
std::string failed_to_launch(std::string_view s, std::string_view error) {
  return svc(s) + " failed to launch a task with (error " + std::string(error) + ").";
}
std::string unable_to_start_consistently(std::string_view s) {
  return svc(s) + " is unable to consistently start tasks successfully.";
}
std::string unable_to_stop_or_start(std::string_view s) {
  return "service " + std::string(s) +
         " was unable to stop or start tasks during a deployment because of the service deployment configuration. "
         "Update the minimumHealthyPercent or maximumPercent value and try again.";
}
}  // namespace events

std::string rollout_in_progress(std::string_view d) { return "ECS deployment " + std::string(d) + " in progress."; }
std::string rollout_completed(std::string_view d) { return "ECS deployment " + std::string(d) + " completed."; }
std::string rollout_failed() { return "ECS deployment circuit breaker: tasks failed to start."; }
std::string rollout_rolling_back(std::string_view d) {
  return "ECS deployment circuit breaker: rolling back to deploymentId " + std::string(d) + ".";
}
std::string scaling_stop_reason(std::string_view d) {
  return "Scaling activity initiated by (deployment " + std::string(d) + ")";
}

}  // namespace berth::ecs
