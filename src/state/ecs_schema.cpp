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
  };
}

}  // namespace berth::state
