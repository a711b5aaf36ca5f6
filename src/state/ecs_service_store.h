#pragma once
// ECS services, their deployments and events, and what the service scheduler has already
// accounted for: everything a restarted berth needs to resume each service where it was.
// Keyed by the service ARN (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME), which already names
// account and region; a service re-created after it went INACTIVE reuses its ARN.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct ServiceRow {
  std::string arn;
  std::string account, region;
  std::string cluster;  // cluster name
  std::string name;
  std::string status = "ACTIVE";  // ACTIVE, DRAINING, INACTIVE
  std::int64_t desired_count = 0;
  std::string task_definition;    // ARN the PRIMARY deployment runs
  std::optional<std::string> launch_type;
  std::string scheduling_strategy = "REPLICA";
  std::int64_t created_at = 0;
  std::int64_t status_at = 0;     // when status last changed (INACTIVE ones are purged an hour later)
  // The scheduler's memory: consecutive tasks that stopped before RUNNING (the throttle), the
  // time before which it starts nothing, whether "steady state" was last reported.
  std::int64_t failed_starts = 0;
  std::optional<std::int64_t> retry_at;
  bool steady = false;
  std::string doc = "{}";  // the echoed configuration (deploymentConfiguration, networkConfiguration, ...)
};

struct DeploymentRow {
  std::string id;  // ecs-svc/ + 19 digits
  std::string service_arn;
  std::string status = "PRIMARY";  // PRIMARY, ACTIVE
  std::string task_definition;
  std::int64_t desired_count = 0;
  std::int64_t failed_tasks = 0;
  std::string rollout_state = "IN_PROGRESS";  // IN_PROGRESS, COMPLETED, FAILED
  std::string rollout_state_reason;
  bool ran = false;  // a task of it has reached RUNNING (ends the circuit breaker's first stage)
  std::int64_t created_at = 0, updated_at = 0;
  std::string doc = "{}";  // launchType, capacityProviderStrategy, platformVersion/Family, networkConfiguration
};

struct ServiceEventRow {
  std::string id;
  std::int64_t created_at = 0;
  std::string message;
};

struct ServiceFilter {
  std::string cluster;
  std::optional<std::string> launch_type, scheduling_strategy;
};

class ServiceStore {
 public:
  explicit ServiceStore(Connection& c) : c_(c) {}

  std::optional<ServiceRow> get(std::string_view arn);
  // Inserts or overwrites the service row (deployments and events are kept).
  void put(const ServiceRow& row);
  // Removes the service with its deployments, events and notes.
  void remove(std::string_view arn);
  // ACTIVE services of a cluster matching the filter, by ARN, strictly after `after_arn`.
  std::vector<std::string> list_active(const Scope& scope, const ServiceFilter& f, std::string_view after_arn,
                                       int limit);
  // Services of a cluster by status: {ACTIVE, DRAINING}.
  std::pair<int, int> count(const Scope& scope, std::string_view cluster);
  // RUNNING and PENDING (PROVISIONING to ACTIVATING) tasks of a service's group, by startedBy.
  struct TaskCounts {
    int running = 0, pending = 0;
  };
  std::map<std::string, TaskCounts> task_counts(const ServiceRow& service);
  // Every service the scheduler still has work for (any status; INACTIVE ones wait for their purge).
  std::vector<std::string> all_arns();

  // PRIMARY first, then the older ones newest first.
  std::vector<DeploymentRow> deployments(std::string_view service_arn);
  void put_deployment(const DeploymentRow& row);
  void remove_deployment(std::string_view id);

  // Adds an event and keeps the newest 100.
  void add_event(std::string_view service_arn, const ServiceEventRow& e);
  std::vector<ServiceEventRow> events(std::string_view service_arn);  // newest first
  // When `message` was last written among the kept events, if it is there.
  std::optional<std::int64_t> last_event_at(std::string_view service_arn, std::string_view message);

  // Records that the scheduler has accounted for this stopped task; false if it already had.
  bool note_stopped(std::string_view service_arn, std::string_view task_arn);
  // Forgets notes of tasks that no longer exist.
  void prune_notes(std::string_view service_arn);

 private:
  Connection& c_;
};

}  // namespace berth::state
