// The schema of CloudWatch Logs: groups, streams and events. Never edit a released step: add one.
#include "state/migration.h"

namespace berth::state {

std::vector<Migration> logs_migrations() {
  return {
      {"logs-0001-groups-streams-events", R"sql(
CREATE TABLE log_groups (
  id                  INTEGER PRIMARY KEY,
  account             TEXT NOT NULL,
  region              TEXT NOT NULL,
  name                TEXT NOT NULL,
  created_at          INTEGER NOT NULL,  -- epoch millis
  retention_days      INTEGER,           -- NULL: never expire
  kms_key_id          TEXT,
  log_group_class     TEXT NOT NULL,
  deletion_protection INTEGER NOT NULL,
  next_seq            INTEGER NOT NULL,  -- the seq the next event of the group gets
  UNIQUE (account, region, name)
);

CREATE TABLE log_streams (
  id             INTEGER PRIMARY KEY,
  group_id       INTEGER NOT NULL REFERENCES log_groups (id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  first_event    INTEGER,                  -- smallest event timestamp ever stored
  last_event     INTEGER,                  -- largest event timestamp ever stored
  last_ingestion INTEGER,
  stored_bytes   INTEGER NOT NULL,         -- UTF-8 bytes of the messages still stored
  uploads        INTEGER NOT NULL,         -- PutLogEvents calls: the sequence token
  UNIQUE (group_id, name)
);

-- Clustered by group and time, so FilterLogEvents reads a group's time range sequentially;
-- seq is unique within a group and orders events of equal timestamp by arrival.
CREATE TABLE log_events (
  group_id  INTEGER NOT NULL,
  ts        INTEGER NOT NULL,
  seq       INTEGER NOT NULL,
  stream_id INTEGER NOT NULL,
  ingested  INTEGER NOT NULL,
  message   TEXT NOT NULL,
  PRIMARY KEY (group_id, ts, seq)
) WITHOUT ROWID;
-- GetLogEvents pages one stream by (timestamp, seq).
CREATE INDEX log_events_by_stream ON log_events (stream_id, ts, seq);
)sql"},
      // Metric and subscription filters of a group (doc: the filter as Describe* shows it, less
      // logGroupName), and resource policies per account and region (doc: the policy text).
      {"logs-0002-filters-policies", R"sql(
CREATE TABLE log_filters (
  group_id   INTEGER NOT NULL REFERENCES log_groups (id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,     -- 'metric' or 'subscription'
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  pattern    TEXT NOT NULL,
  doc        TEXT NOT NULL,
  PRIMARY KEY (group_id, kind, name)
) WITHOUT ROWID;

CREATE TABLE log_resource_policies (
  account     TEXT NOT NULL,
  region      TEXT NOT NULL,
  name        TEXT NOT NULL,
  document    TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  revision    TEXT NOT NULL,
  PRIMARY KEY (account, region, name)
);
)sql"},
      // Destinations, export tasks and saved query definitions of an account and region, each
      // a JSON document under a kind and a key (destination name, task id, definition id).
      {"logs-0003-documents", R"sql(
CREATE TABLE log_documents (
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  kind       TEXT NOT NULL,
  key        TEXT NOT NULL,
  doc        TEXT NOT NULL,
  created_at INTEGER NOT NULL,            -- epoch millis
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account, region, kind, key)
) WITHOUT ROWID;
)sql"},
  };
}

}  // namespace berth::state
