#pragma once
// Task creation, shared by RunTask and the service scheduler: checks a RunTask-shaped request
// against its cluster and task definition, builds the task rows and inserts them with their tags,
// all in the caller's transaction. Nothing here knows HTTP; problems come back as AwsError values
// (nothing inserted) or as placement failures (nothing inserted either), as ECS reports them.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/aws_error.h"
#include "common/json.h"
#include "ecs/container_host.h"
#include "state/db.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_task_definition_store.h"
#include "state/ecs_task_store.h"
#include "state/scope.h"
#include "state/tags_store.h"

namespace berth::ecs {

// Whether tasks can be placed at all: berth's only "container instance" is the Docker daemon.
struct DockerStatus {
  bool ok = false;
  std::string problem;  // why not, when !ok
  std::optional<ContainerHost> host;  // the daemon's machine, once /info answered
};

struct TaskLaunch {
  state::Scope scope;
  const state::ClusterRow& cluster;           // ACTIVE
  const state::TaskDefinitionRow& definition; // the caller decides whether INACTIVE is allowed
  // RunTask's members: count, launchType, capacityProviderStrategy, networkConfiguration,
  // overrides, startedBy, group, tags, propagateTags (TASK_DEFINITION), enableExecuteCommand.
  const json::Value& request;
  std::int64_t now_millis = 0;
  DockerStatus docker;
  // Tags the caller adds to every task besides the request's (a service's, with propagateTags SERVICE).
  std::vector<state::Tag> extra_tags;
  // --allow-host-access: EC2 tasks may reach the host (privileged, host paths...); FARGATE never.
  bool allow_host_access = false;
  // StartTask: one task on each of these container instances (ARNs), placement strategies aside.
  std::vector<std::string> instances;
  // --enforce-iam: a task or execution role that does not trust ECS is refused (ecs/role_trust.h).
  bool enforce_iam = false;
};

// A task ECS could not place: the cluster's ARN, reason ("AGENT", "RESOURCE:GPU") and detail;
// for EC2 tasks a container instance's ARN and why it refused (RESOURCE:MEMORY, ...).
struct PlacementFailure {
  std::string arn;
  std::string reason;
  std::string detail;
};

struct Placement {
  std::vector<state::TaskRow> tasks;      // inserted, PROVISIONING, desired RUNNING
  std::vector<PlacementFailure> failures; // for the tasks not placed (some may have been)
  // The service event for tasks not placed on container instances (ECS's words), else empty.
  std::string instance_event(std::string_view service) const;
  bool on_instances = false;  // EC2 placement decided the failures
};

// The checks create_tasks makes before placing anything (a service's configuration at create time).
std::optional<AwsError> check_launch(const TaskLaunch& launch);

// Validates the request and inserts `count` tasks (or none). The one place tasks are created.
// Under enforce_iam a role ECS could not assume is ECS's ClientException (ecs/role_trust.h),
// after the request's own checks and before placement.
std::variant<Placement, AwsError> create_tasks(state::Connection& db, const TaskLaunch& launch);

// The tag rules ECS enforces on any resource: no "aws:" prefix, non-empty keys, at most 50.
std::optional<AwsError> check_tags(const std::vector<state::Tag>& tags);

}  // namespace berth::ecs
