// The schema of ECR repositories and the registry's images and blobs. Never edit a released
// step: add one.
#include "state/migration.h"

namespace berth::state {

std::vector<Migration> ecr_migrations() {
  return {
      {"ecr-0001-repositories-images-blobs", R"sql(
CREATE TABLE ecr_repositories (
  id                   INTEGER PRIMARY KEY,
  account              TEXT NOT NULL,
  region               TEXT NOT NULL,
  name                 TEXT NOT NULL,
  arn                  TEXT NOT NULL UNIQUE,
  created_at           INTEGER NOT NULL,      -- epoch millis
  tag_mutability       TEXT NOT NULL,         -- MUTABLE or IMMUTABLE (and the _WITH_EXCLUSION forms)
  doc                  TEXT NOT NULL,         -- scanning, encryption and other settings as given
  policy               TEXT,
  lifecycle_policy     TEXT,
  lifecycle_updated_at INTEGER,
  UNIQUE (account, region, name)
);

-- Manifests, stored as the exact bytes received.
CREATE TABLE ecr_images (
  repository_id  INTEGER NOT NULL REFERENCES ecr_repositories (id) ON DELETE CASCADE,
  digest         TEXT NOT NULL,
  media_type     TEXT NOT NULL,
  artifact_type  TEXT,
  manifest       BLOB NOT NULL,
  size           INTEGER NOT NULL,          -- bytes of the image's layers
  pushed_at      INTEGER NOT NULL,
  last_pulled_at INTEGER,
  PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;

CREATE TABLE ecr_tags (
  repository_id INTEGER NOT NULL,
  tag           TEXT NOT NULL,
  digest        TEXT NOT NULL,
  PRIMARY KEY (repository_id, tag),
  FOREIGN KEY (repository_id, digest) REFERENCES ecr_images (repository_id, digest) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX ecr_tags_by_digest ON ecr_tags (repository_id, digest);

-- What each manifest references: blobs (config, layers) and child manifests (indexes).
CREATE TABLE ecr_image_refs (
  repository_id INTEGER NOT NULL,
  digest        TEXT NOT NULL,
  ref           TEXT NOT NULL,
  PRIMARY KEY (repository_id, digest, ref),
  FOREIGN KEY (repository_id, digest) REFERENCES ecr_images (repository_id, digest) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX ecr_image_refs_by_ref ON ecr_image_refs (repository_id, ref);

-- Blob files on disk, and which repositories may see each one.
CREATE TABLE registry_blobs (
  digest     TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE registry_blob_links (
  repository_id INTEGER NOT NULL REFERENCES ecr_repositories (id) ON DELETE CASCADE,
  digest        TEXT NOT NULL REFERENCES registry_blobs (digest),
  linked_at     INTEGER NOT NULL,
  PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;
CREATE INDEX registry_blob_links_by_digest ON registry_blob_links (digest);
)sql"},
      // Lifecycle policy previews (one per repository, replaced by the next) and the time each
      // repository's policy was last applied (GetLifecyclePolicy's lastEvaluatedAt).
      {"ecr-0002-lifecycle-previews", R"sql(
CREATE TABLE ecr_lifecycle_previews (
  repository_id INTEGER PRIMARY KEY REFERENCES ecr_repositories (id) ON DELETE CASCADE,
  policy        TEXT NOT NULL,
  status        TEXT NOT NULL,
  results       TEXT NOT NULL,             -- JSON array of LifecyclePolicyPreviewResult
  started_at    INTEGER NOT NULL           -- epoch millis
);
CREATE TABLE ecr_lifecycle_evaluations (
  repository_id INTEGER PRIMARY KEY REFERENCES ecr_repositories (id) ON DELETE CASCADE,
  evaluated_at  INTEGER NOT NULL           -- epoch millis
);
)sql"},
      // Registry-wide settings, one document each: the registry policy, replication and
      // scanning configurations, account settings (key ""  or the setting's name), pull
      // through cache rules and repository creation templates (key: their prefix).
      // ecr_image_scans: the images a scan was started for (StartImageScan).
      {"ecr-0003-registry-settings-scans", R"sql(
CREATE TABLE ecr_registry_settings (
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  kind       TEXT NOT NULL,
  key        TEXT NOT NULL,
  doc        TEXT NOT NULL,
  created_at INTEGER NOT NULL,            -- epoch millis
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account, region, kind, key)
) WITHOUT ROWID;
CREATE TABLE ecr_image_scans (
  repository_id INTEGER NOT NULL,
  digest        TEXT NOT NULL,
  started_at    INTEGER NOT NULL,         -- epoch millis
  PRIMARY KEY (repository_id, digest),
  FOREIGN KEY (repository_id, digest) REFERENCES ecr_images (repository_id, digest) ON DELETE CASCADE
) WITHOUT ROWID;
)sql"},
  };
}

}  // namespace berth::state
