#pragma once
// The ECS service scheduler: keeps each service's desiredCount tasks of its PRIMARY deployment
// running, rolls deployments within minimumHealthyPercent/maximumPercent, runs the circuit
// breaker and the throttle, drains deleted services, and writes ECS's events.
//
// One thread. Work is per service ARN: a pass reads the service, its deployments and its tasks
// (group "service:NAME") and writes its decisions in one transaction (new task rows through the
// task factory, stop requests, deployments, events); then the engine is woken for the tasks it
// touched. Passes are started by wake() (service handlers, after commit), by task_changed() (the
// engine, after it commits a task change), by the scheduler's own timers (a task becoming healthy
// after its RUNNING time, a throttle or grace period ending, an INACTIVE service's purge), and by
// a slow sweep over every service that repairs anything missed.
//
// Behind a load balancer (the service's loadBalancers) a pass also registers each RUNNING task's
// target, counts a task healthy only when its targets are, replaces tasks whose targets stay
// unhealthy past the grace period, and stops a task only after its targets have drained: the
// target is deregistered first, and the stop is requested once the data plane has ended its
// draining. Targets and their owners (service_targets) are written in the pass's transaction. Everything is in SQLite, so a
// restarted berth resumes each service where it was without duplicating tasks.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "ecs/deployments.h"
#include "ecs/task_factory.h"
#include "state/db.h"

namespace berth::ecs {

struct SchedulerOptions {
  // How long a task without health checks must be RUNNING to count as healthy (ECS: 40 s).
  std::chrono::milliseconds healthy_after{40000};
  // Every service is looked at this often even when nothing woke it.
  std::chrono::milliseconds sweep{10000};
  bool allow_host_access = false;  // --allow-host-access (task_factory.h)
  bool enforce_iam = false;        // --enforce-iam: roles that do not trust ECS fail the launch (role_trust.h)
  // A standing condition's event (steady state, unable to place, ...) is written again after this
  // long while it lasts (ECS: six hours).
  std::chrono::milliseconds event_repeat{6 * 3600 * 1000};
  // Whether tasks can be placed now (the engine's view of Docker).
  std::function<DockerStatus()> docker_status = [] { return DockerStatus{true, "", std::nullopt}; };
  // Called after a pass commits with the tasks it created or asked to stop.
  std::function<void(const std::vector<std::string>& task_arns)> wake_tasks = [](const auto&) {};
  // Called after a pass that registered or deregistered load balancer targets commits (the ELB
  // data plane's wake).
  std::function<void()> targets_written = [] {};
};

// What a pass did, for tests and for the thread's timers.
struct PassResult {
  std::vector<std::string> started, stopped;  // task ARNs
  std::optional<std::int64_t> wake_at;        // when time alone changes something
  bool targets_written = false;               // load balancer targets were (de)registered
};

class ServiceScheduler {
 public:
  ServiceScheduler(state::Database& db, const Clock& clock, SchedulerOptions options);
  ~ServiceScheduler();

  void start();
  void stop();
  // A service changed (handlers call this after commit).
  void wake(const std::string& service_arn);
  // A task changed; `group` is its task group ("service:NAME" for a service's tasks).
  void task_changed(const std::string& task_arn, const std::optional<std::string>& group);
  // Targets in these groups changed health or finished draining (the data plane's
  // on_targets_changed): the services that registered targets there are woken.
  void targets_changed(const std::vector<std::string>& target_groups);
  // One pass over one service, on the calling thread (tests drive it with a ManualClock).
  PassResult reconcile(const std::string& service_arn);

  const SchedulerOptions& options() const { return opt_; }

 private:
  void loop();

  state::Database& db_;
  const Clock& clock_;
  SchedulerOptions opt_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> due_;                       // woken, waiting for a pass
  std::map<std::string, std::int64_t> timers_;      // service ARN -> when to look again
  std::thread thread_;
};

// The ARN of a service: arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME.
std::string service_arn(std::string_view region, std::string_view account, std::string_view cluster,
                        std::string_view name);

}  // namespace berth::ecs
