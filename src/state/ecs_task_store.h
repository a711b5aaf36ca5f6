#pragma once
// ECS tasks and their containers: what the API reports and what the task engine drives.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct TaskContainerRow {
  std::string name;
  int position = 0;
  std::string container_arn;
  std::string image;
  bool essential = true;
  std::optional<std::string> docker_id;
  std::optional<std::string> image_digest;
  std::string last_status = "PENDING";
  std::optional<std::int64_t> exit_code;
  std::optional<std::string> reason;
  std::optional<std::string> network_bindings;  // JSON array
  std::optional<std::string> health_status;
};

struct TaskRow {
  std::string arn;
  std::string account, region;
  std::string cluster;
  std::string task_definition_arn;
  std::string family;
  std::string launch_type;
  std::optional<std::string> started_by;
  std::optional<std::string> group;
  std::string desired_status = "RUNNING";
  std::string last_status = "PROVISIONING";
  std::int64_t created_at = 0;
  std::optional<std::int64_t> pull_started_at, pull_stopped_at, started_at, stopping_at, stopped_at,
      execution_stopped_at;
  std::optional<std::string> stop_code, stopped_reason;
  std::int64_t version = 1;
  std::string doc = "{}";
  std::vector<TaskContainerRow> containers;
};

struct TaskFilter {
  std::string cluster;
  std::optional<std::string> family, started_by, desired_status, launch_type, service_group;
};

// A container's metadata token: the last part of its ARN (what ECS_CONTAINER_METADATA_URI ends with).
std::string container_token(std::string_view container_arn);

class TaskStore {
 public:
  explicit TaskStore(Connection& c) : c_(c) {}

  void insert(const TaskRow& row);
  // The task with its containers; scope-checked when a scope is given.
  std::optional<TaskRow> get(std::string_view arn);
  // Compare-and-set: saves status fields and containers and bumps the version, only when the
  // row still has `row.version` (the version it was read at); false, writing nothing, when
  // another writer moved it meanwhile (the caller re-reads and redoes its work). Once a task is
  // desired STOPPED, its stop (desired status, code, reason, stoppingAt) is never rewritten.
  bool update(const TaskRow& row);
  // Asks a task to stop (StopTask, the service scheduler): desired STOPPED with this code and
  // reason, stoppingAt, and a new version; nothing else. False when the task is missing or a
  // stop is already recorded (the first reason wins, as on ECS).
  bool request_stop(std::string_view arn, std::string_view stop_code, std::string_view reason,
                    std::int64_t stopping_at);
  // ARNs matching the filter, oldest first, strictly after `after_arn` in that order.
  std::vector<std::string> list(const Scope& scope, const TaskFilter& filter, std::string_view after_arn, int limit);
  // Every task, in every account and region.
  std::vector<std::string> all();
  // Tasks not yet STOPPED, in every account and region (the engine's work list).
  std::vector<std::string> unfinished();
  // Unfinished tasks on their way (not RUNNING with desired RUNNING): starting or stopping.
  std::vector<std::string> in_progress();
  // A cluster's tasks not yet STOPPED that were placed on a container instance (their doc names
  // containerInstanceArn): what they hold of the instance's resources.
  std::vector<TaskRow> on_instances(const Scope& scope, std::string_view cluster);
  // Counts of a cluster's tasks by last status ("RUNNING", "PENDING" covers the rest).
  std::pair<int, int> running_and_pending(const Scope& scope, std::string_view cluster);
  // The task holding the container whose ARN ends in /TOKEN (the metadata endpoint's key).
  // The task whose container has this metadata token (exactly; no pattern); nullopt for none.
  std::optional<TaskRow> by_container_token(std::string_view token);
  // The task whose role credentials are served under this id.
  std::optional<TaskRow> by_credentials_id(std::string_view id);
  // Drops STOPPED tasks stopped before `before` (ECS shows stopped tasks for about an hour).
  std::vector<TaskRow> take_expired(std::int64_t before);

 private:
  std::vector<TaskContainerRow> containers_of(std::string_view arn);
  Connection& c_;
};

}  // namespace berth::state
