// The schema of IAM and STS: roles, customer managed policies and their versions, role
// attachments and inline policies, instance profiles, and the temporary credentials berth
// minted. IAM is global: rows are per account, with no region. Never edit a released step: add one.
#include "state/migration.h"

namespace berth::state {

std::vector<Migration> iam_migrations() {
  return {
      {"iam-0001-roles-policies-profiles-credentials", R"sql(
-- IAM names are unique per account regardless of case ("Role with name X already exists").
CREATE TABLE iam_roles (
  role_id              TEXT PRIMARY KEY,       -- AROA...
  account              TEXT NOT NULL,
  name                 TEXT NOT NULL COLLATE NOCASE,
  path                 TEXT NOT NULL,
  arn                  TEXT NOT NULL,
  created_at           INTEGER NOT NULL,       -- epoch millis
  trust_policy         TEXT NOT NULL,          -- as given
  description          TEXT,
  max_session_duration INTEGER NOT NULL,
  permissions_boundary TEXT,                   -- policy ARN
  UNIQUE (account, name)
);

CREATE TABLE iam_role_policies (
  role_id  TEXT NOT NULL REFERENCES iam_roles (role_id) ON DELETE CASCADE,
  name     TEXT NOT NULL COLLATE NOCASE,
  document TEXT NOT NULL,
  PRIMARY KEY (role_id, name)
) WITHOUT ROWID;

-- Attachments name the policy by ARN: AWS managed policies have no row.
CREATE TABLE iam_role_attachments (
  role_id    TEXT NOT NULL REFERENCES iam_roles (role_id) ON DELETE CASCADE,
  policy_arn TEXT NOT NULL,
  account    TEXT NOT NULL,
  PRIMARY KEY (role_id, policy_arn)
) WITHOUT ROWID;
CREATE INDEX iam_role_attachments_by_policy ON iam_role_attachments (account, policy_arn);

CREATE TABLE iam_policies (
  arn             TEXT PRIMARY KEY,
  account         TEXT NOT NULL,
  name            TEXT NOT NULL COLLATE NOCASE,
  path            TEXT NOT NULL,
  policy_id       TEXT NOT NULL,               -- ANPA...
  description     TEXT,
  default_version TEXT NOT NULL,
  next_version    INTEGER NOT NULL,            -- the N of the next vN
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  UNIQUE (account, name)
);

CREATE TABLE iam_policy_versions (
  policy_arn TEXT NOT NULL REFERENCES iam_policies (arn) ON DELETE CASCADE,
  version_id TEXT NOT NULL,
  seq        INTEGER NOT NULL,                 -- N of vN, for ordering
  document   TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (policy_arn, version_id)
) WITHOUT ROWID;

CREATE TABLE iam_instance_profiles (
  profile_id TEXT PRIMARY KEY,                 -- AIPA...
  account    TEXT NOT NULL,
  name       TEXT NOT NULL COLLATE NOCASE,
  path       TEXT NOT NULL,
  arn        TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (account, name)
);

CREATE TABLE iam_instance_profile_roles (
  profile_id TEXT NOT NULL REFERENCES iam_instance_profiles (profile_id) ON DELETE CASCADE,
  role_id    TEXT NOT NULL REFERENCES iam_roles (role_id),
  PRIMARY KEY (profile_id, role_id)
) WITHOUT ROWID;
CREATE INDEX iam_instance_profile_roles_by_role ON iam_instance_profile_roles (role_id);

-- Temporary credentials: who a minted key is. The secret is recomputed (iam/credentials.h).
CREATE TABLE sts_credentials (
  access_key_id TEXT PRIMARY KEY,
  account       TEXT NOT NULL,
  arn           TEXT NOT NULL,                 -- the caller ARN GetCallerIdentity prints
  user_id       TEXT NOT NULL,                 -- AROA...:session, or the account
  role_arn      TEXT,                          -- the role whose policies apply, if any
  task_arn      TEXT,                          -- the task the key was minted for, if any
  expires_at    INTEGER NOT NULL               -- epoch millis
);
)sql"},
  };
}

}  // namespace berth::state
