// The schema of Application Auto Scaling. Never edit a released step: add one.
#include "state/migration.h"

namespace berth::state {

std::vector<Migration> scaling_migrations() {
  return {
      {"scaling-0001-targets-policies-activities", R"sql(
CREATE TABLE scalable_targets (
  account            TEXT NOT NULL,
  region             TEXT NOT NULL,
  service_namespace  TEXT NOT NULL,
  resource_id        TEXT NOT NULL,   -- service/CLUSTER/SERVICE
  scalable_dimension TEXT NOT NULL,
  arn                TEXT NOT NULL,
  min_capacity       INTEGER NOT NULL,
  max_capacity       INTEGER NOT NULL,
  role_arn           TEXT NOT NULL,
  suspended          TEXT NOT NULL,   -- SuspendedState as JSON
  created            INTEGER NOT NULL,
  last_scale_out     INTEGER,         -- epoch millis of the last scale-out / scale-in (cooldowns)
  last_scale_in      INTEGER,
  PRIMARY KEY (account, region, service_namespace, resource_id, scalable_dimension)
);

CREATE TABLE scaling_policies (
  arn                TEXT PRIMARY KEY,
  account            TEXT NOT NULL,
  region             TEXT NOT NULL,
  name               TEXT NOT NULL,
  service_namespace  TEXT NOT NULL,
  resource_id        TEXT NOT NULL,
  scalable_dimension TEXT NOT NULL,
  policy_type        TEXT NOT NULL,
  config             TEXT NOT NULL,   -- the policy type's configuration as JSON
  alarms             TEXT NOT NULL,   -- [{"AlarmName","AlarmARN"}] the policy made (target tracking)
  created            INTEGER NOT NULL,
  UNIQUE (account, region, service_namespace, resource_id, scalable_dimension, name)
);

CREATE TABLE scaling_activities (
  seq                INTEGER PRIMARY KEY,
  activity_id        TEXT NOT NULL,
  account            TEXT NOT NULL,
  region             TEXT NOT NULL,
  service_namespace  TEXT NOT NULL,
  resource_id        TEXT NOT NULL,
  scalable_dimension TEXT NOT NULL,
  description        TEXT NOT NULL,
  cause              TEXT NOT NULL,
  start_time         INTEGER NOT NULL,
  end_time           INTEGER,
  status_code        TEXT NOT NULL,
  status_message     TEXT NOT NULL
);
CREATE INDEX scaling_activities_by_target ON scaling_activities (account, region, service_namespace, resource_id);
)sql"},
      {"scaling-0002-scheduled-actions", R"sql(
CREATE TABLE scaling_scheduled_actions (
  arn                TEXT PRIMARY KEY,
  account            TEXT NOT NULL,
  region             TEXT NOT NULL,
  name               TEXT NOT NULL,
  service_namespace  TEXT NOT NULL,
  resource_id        TEXT NOT NULL,
  scalable_dimension TEXT NOT NULL,
  schedule           TEXT NOT NULL,   -- at(...), rate(...) or cron(...) as given
  timezone           TEXT,
  start_time         INTEGER,         -- epoch millis
  end_time           INTEGER,
  min_capacity       INTEGER,         -- ScalableTargetAction
  max_capacity       INTEGER,
  created            INTEGER NOT NULL,
  next_fire          INTEGER,         -- epoch millis of the next run; NULL: never again
  UNIQUE (account, region, service_namespace, resource_id, scalable_dimension, name)
);
CREATE INDEX scaling_scheduled_actions_due ON scaling_scheduled_actions (next_fire) WHERE next_fire IS NOT NULL;
)sql"},
  };
}

}  // namespace berth::state
