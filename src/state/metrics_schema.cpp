// The schema of CloudWatch metrics and alarms. Never edit a released step: add one.
#include "state/migration.h"

namespace berth::state {

std::vector<Migration> metrics_migrations() {
  return {
      {"metrics-0001-series-points-alarms", R"sql(
-- One row per metric: namespace, name and its dimensions in canonical form (a JSON array of
-- {"Name","Value"} sorted by name), so the same metric put twice is one series.
CREATE TABLE metric_series (
  id         INTEGER PRIMARY KEY,
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  namespace  TEXT NOT NULL,
  name       TEXT NOT NULL,
  dimensions TEXT NOT NULL,
  last_put   INTEGER NOT NULL,  -- epoch millis of the latest PutMetricData (RecentlyActive)
  UNIQUE (account, region, namespace, name, dimensions)
);

-- Datapoints as put (1-minute or high-resolution), each a statistic set; `value` keeps a single
-- observed value for percentiles. Clustered by series and time for range reads.
CREATE TABLE metric_points (
  series_id  INTEGER NOT NULL REFERENCES metric_series (id) ON DELETE CASCADE,
  ts         INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  unit       TEXT NOT NULL,
  count      REAL NOT NULL,
  sum        REAL NOT NULL,
  min        REAL NOT NULL,
  max        REAL NOT NULL,
  value      REAL,
  PRIMARY KEY (series_id, ts, seq)
) WITHOUT ROWID;

-- Aggregates CloudWatch keeps once the finer data has aged out: 300-second buckets after 15
-- days (kept 63 days), 3600-second buckets after that (kept 455 days).
CREATE TABLE metric_rollups (
  series_id  INTEGER NOT NULL REFERENCES metric_series (id) ON DELETE CASCADE,
  resolution INTEGER NOT NULL,  -- seconds: 300 or 3600
  ts         INTEGER NOT NULL,  -- the bucket's start, epoch millis
  unit       TEXT NOT NULL,
  count      REAL NOT NULL,
  sum        REAL NOT NULL,
  min        REAL NOT NULL,
  max        REAL NOT NULL,
  PRIMARY KEY (series_id, resolution, ts, unit)
) WITHOUT ROWID;

CREATE TABLE metric_alarms (
  id                 INTEGER PRIMARY KEY,
  account            TEXT NOT NULL,
  region             TEXT NOT NULL,
  name               TEXT NOT NULL,
  namespace          TEXT,              -- NULL for an alarm on a math expression
  metric_name        TEXT,
  dimensions         TEXT,              -- canonical, as metric_series
  state              TEXT NOT NULL,     -- OK, ALARM, INSUFFICIENT_DATA
  state_reason       TEXT NOT NULL,
  state_reason_data  TEXT,
  state_updated      INTEGER NOT NULL,  -- epoch millis
  state_transitioned INTEGER NOT NULL,
  actions_enabled    INTEGER NOT NULL,
  updated            INTEGER NOT NULL,  -- AlarmConfigurationUpdatedTimestamp
  doc                TEXT NOT NULL,     -- the MetricAlarm shape's configuration members as put
  -- Actions of a state change not yet run: {"state","actions":[ARN...]}; the evaluator thread
  -- runs and clears them, so SetAlarmState's changes act too, and none is lost to a restart.
  pending_actions    TEXT,
  UNIQUE (account, region, name)
);

CREATE TABLE metric_alarm_history (
  id         INTEGER PRIMARY KEY,
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  alarm_name TEXT NOT NULL,
  alarm_type TEXT NOT NULL,
  ts         INTEGER NOT NULL,
  item_type  TEXT NOT NULL,  -- ConfigurationUpdate, StateUpdate, Action
  summary    TEXT NOT NULL,
  data       TEXT NOT NULL
);
CREATE INDEX metric_alarm_history_by_alarm ON metric_alarm_history (account, region, alarm_name, ts);
)sql"},
  };
}

}  // namespace berth::state
