// The schema of the ECS control plane and of tags. Never edit a released step: add one.
#include "state/migration.h"

namespace berth::state {

std::vector<Migration> ecs_migrations() {
  return {
      {"ecs-0001-clusters-task-definitions-tags-settings", R"sql(
CREATE TABLE clusters (
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  name       TEXT NOT NULL,
  arn        TEXT NOT NULL UNIQUE,
  status     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  doc        TEXT NOT NULL,         -- the API Cluster object, without counts and tags
  PRIMARY KEY (account, region, name)
) WITHOUT ROWID;

CREATE TABLE task_definition_families (
  account       TEXT NOT NULL,
  region        TEXT NOT NULL,
  family        TEXT NOT NULL,
  last_revision INTEGER NOT NULL,   -- revisions keep counting up even after deletion
  PRIMARY KEY (account, region, family)
) WITHOUT ROWID;

CREATE TABLE task_definitions (
  account         TEXT NOT NULL,
  region          TEXT NOT NULL,
  family          TEXT NOT NULL,
  revision        INTEGER NOT NULL,
  arn             TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL,    -- ACTIVE, INACTIVE, DELETE_IN_PROGRESS
  registered_at   INTEGER NOT NULL, -- epoch millis
  deregistered_at INTEGER,
  deleted_at      INTEGER,
  doc             TEXT NOT NULL,    -- the API TaskDefinition object minus status and dates
  PRIMARY KEY (account, region, family, revision)
) WITHOUT ROWID;
CREATE INDEX task_definitions_by_status ON task_definitions (account, region, status, family, revision);

CREATE TABLE tags (
  arn   TEXT NOT NULL,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  seq   INTEGER NOT NULL,           -- keeps the order tags were given in
  PRIMARY KEY (arn, key)
) WITHOUT ROWID;

CREATE TABLE account_settings (
  account   TEXT NOT NULL,
  region    TEXT NOT NULL,
  principal TEXT NOT NULL,          -- '' for the account default
  name      TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (account, region, principal, name)
) WITHOUT ROWID;
)sql"},
      {"ecs-0002-tasks", R"sql(
CREATE TABLE tasks (
  arn                  TEXT PRIMARY KEY,
  account              TEXT NOT NULL,
  region               TEXT NOT NULL,
  cluster              TEXT NOT NULL,     -- cluster name
  task_definition_arn  TEXT NOT NULL,
  family               TEXT NOT NULL,
  launch_type          TEXT NOT NULL,
  started_by           TEXT,
  task_group           TEXT,
  desired_status       TEXT NOT NULL,     -- RUNNING or STOPPED
  last_status          TEXT NOT NULL,     -- PROVISIONING ... STOPPED
  created_at           INTEGER NOT NULL,  -- epoch millis, like every *_at column
  pull_started_at      INTEGER,
  pull_stopped_at      INTEGER,
  started_at           INTEGER,
  stopping_at          INTEGER,
  stopped_at           INTEGER,
  execution_stopped_at INTEGER,
  stop_code            TEXT,
  stopped_reason       TEXT,
  version              INTEGER NOT NULL DEFAULT 1,
  doc                  TEXT NOT NULL      -- what RunTask was asked: overrides, network, cpu, memory...
);
CREATE INDEX tasks_by_cluster ON tasks (account, region, cluster, created_at);
CREATE INDEX tasks_unfinished ON tasks (last_status) WHERE last_status <> 'STOPPED';

CREATE TABLE task_containers (
  task_arn         TEXT NOT NULL REFERENCES tasks (arn) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  position         INTEGER NOT NULL,
  container_arn    TEXT NOT NULL,
  image            TEXT NOT NULL,
  essential        INTEGER NOT NULL,
  docker_id        TEXT,
  image_digest     TEXT,
  last_status      TEXT NOT NULL,     -- PENDING, RUNNING, STOPPED
  exit_code        INTEGER,
  reason           TEXT,
  network_bindings TEXT,              -- JSON array as ECS reports it
  health_status    TEXT,
  PRIMARY KEY (task_arn, name)
) WITHOUT ROWID;
)sql"},
      // The metadata endpoint finds a container by the last part of its ARN, exactly and by index.
      {"ecs-0003-container-tokens", R"sql(
ALTER TABLE task_containers ADD COLUMN token TEXT;
UPDATE task_containers SET token = replace(container_arn, rtrim(container_arn, replace(container_arn, '/', '')), '');
CREATE INDEX task_containers_by_token ON task_containers (token);
)sql"},
      {"ecs-0004-services", R"sql(
CREATE TABLE services (
  arn                 TEXT PRIMARY KEY,  -- arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME
  account             TEXT NOT NULL,
  region              TEXT NOT NULL,
  cluster             TEXT NOT NULL,     -- cluster name
  name                TEXT NOT NULL,
  status              TEXT NOT NULL,     -- ACTIVE, DRAINING, INACTIVE
  desired_count       INTEGER NOT NULL,
  task_definition     TEXT NOT NULL,     -- what the PRIMARY deployment runs
  launch_type         TEXT,
  scheduling_strategy TEXT NOT NULL,     -- REPLICA or DAEMON
  created_at          INTEGER NOT NULL,
  status_at           INTEGER NOT NULL,  -- last status change
  failed_starts       INTEGER NOT NULL DEFAULT 0,  -- tasks in a row that stopped before RUNNING
  retry_at            INTEGER,           -- throttled: start nothing before this
  steady              INTEGER NOT NULL DEFAULT 0,  -- "has reached a steady state" was the last word
  doc                 TEXT NOT NULL      -- the configuration berth echoes
);
CREATE INDEX services_by_cluster ON services (account, region, cluster, status);

CREATE TABLE service_deployments (
  id                   TEXT PRIMARY KEY, -- ecs-svc/ + 19 digits; tasks carry it as startedBy
  service_arn          TEXT NOT NULL REFERENCES services (arn) ON DELETE CASCADE,
  status               TEXT NOT NULL,    -- PRIMARY, ACTIVE
  task_definition      TEXT NOT NULL,
  desired_count        INTEGER NOT NULL,
  failed_tasks         INTEGER NOT NULL,
  rollout_state        TEXT NOT NULL,    -- IN_PROGRESS, COMPLETED, FAILED
  rollout_state_reason TEXT NOT NULL,
  ran                  INTEGER NOT NULL, -- a task of it reached RUNNING
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  doc                  TEXT NOT NULL     -- launchType, capacityProviderStrategy, platform*, networkConfiguration
);
CREATE INDEX service_deployments_by_service ON service_deployments (service_arn);

CREATE TABLE service_events (
  service_arn TEXT NOT NULL REFERENCES services (arn) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,          -- newest has the highest
  id          TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  message     TEXT NOT NULL,
  PRIMARY KEY (service_arn, seq)
) WITHOUT ROWID;

-- Stopped tasks of a service the scheduler has already counted (failures, throttle, events).
CREATE TABLE service_stopped_tasks (
  task_arn    TEXT PRIMARY KEY,
  service_arn TEXT NOT NULL REFERENCES services (arn) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX service_stopped_tasks_by_service ON service_stopped_tasks (service_arn);
)sql"},
      // The load balancer targets the scheduler registered for service tasks (no foreign key:
      // a row outlives its task until the target has drained).
      {"ecs-0005-service-targets", R"sql(
CREATE TABLE service_targets (
  task_arn       TEXT NOT NULL,
  tg_arn         TEXT NOT NULL,
  service_arn    TEXT NOT NULL,
  target_id      TEXT NOT NULL,   -- task IP (awsvpc) or berth's instance id (bridge, host)
  port           INTEGER NOT NULL,
  draining_until INTEGER,         -- deregistered: draining until then (epoch millis)
  stop_reason    TEXT,            -- the task is stopped with this reason once drained
  PRIMARY KEY (task_arn, tg_arn)
) WITHOUT ROWID;
CREATE INDEX service_targets_by_service ON service_targets (service_arn);
CREATE INDEX service_targets_by_group ON service_targets (tg_arn);
)sql"},
      // Container instances (berth's Docker engine, registered per cluster) and capacity
      // providers backed by Auto Scaling groups. Tasks name their instance in their doc.
      {"ecs-0006-container-instances", R"sql(
CREATE TABLE container_instances (
  arn             TEXT PRIMARY KEY,  -- arn:aws:ecs:REGION:ACCOUNT:container-instance/CLUSTER/32hex
  account         TEXT NOT NULL,
  region          TEXT NOT NULL,
  cluster         TEXT NOT NULL,     -- cluster name
  ec2_instance_id TEXT NOT NULL,
  status          TEXT NOT NULL,     -- ACTIVE, DRAINING (a deregistered one is deleted)
  registered_at   INTEGER NOT NULL,  -- epoch millis
  version         INTEGER NOT NULL DEFAULT 1,
  doc             TEXT NOT NULL      -- registeredResources, versionInfo, attributes, capacityProviderName
);
CREATE INDEX container_instances_by_cluster ON container_instances (account, region, cluster, registered_at);

CREATE TABLE capacity_providers (
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  name       TEXT NOT NULL,
  arn        TEXT NOT NULL UNIQUE,
  status     TEXT NOT NULL,          -- ACTIVE, INACTIVE
  doc        TEXT NOT NULL,          -- the API CapacityProvider object without tags
  PRIMARY KEY (account, region, name)
) WITHOUT ROWID;
)sql"},
  };
}

}  // namespace berth::state
