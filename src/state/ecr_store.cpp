#include "state/ecr_store.h"

namespace berth::state {
namespace {
const char* kRepoColumns =
    "id, name, arn, created_at, tag_mutability, doc, policy, lifecycle_policy, lifecycle_updated_at";

RepositoryRow repo_of(const Query& q) {
  RepositoryRow r;
  r.id = q.int64(0);
  r.name = q.str(1);
  r.arn = q.str(2);
  r.created_at = q.int64(3);
  r.tag_mutability = q.str(4);
  r.doc = q.str(5);
  r.policy = q.opt_str(6);
  r.lifecycle_policy = q.opt_str(7);
  r.lifecycle_updated_at = q.opt_int64(8);
  return r;
}

const char* kImageColumns = "digest, media_type, artifact_type, manifest, size, pushed_at, last_pulled_at";

ImageRow image_of(const Query& q) {
  ImageRow r;
  r.digest = q.str(0);
  r.media_type = q.str(1);
  r.artifact_type = q.opt_str(2);
  r.manifest = q.str(3);
  r.size = q.int64(4);
  r.pushed_at = q.int64(5);
  r.last_pulled_at = q.opt_int64(6);
  return r;
}
}  // namespace

std::optional<RepositoryRow> EcrStore::repository(std::string_view name) {
  auto q = c_.query(std::string("SELECT ") + kRepoColumns +
                        " FROM ecr_repositories WHERE account = ? AND region = ? AND name = ?",
                    scope_.account, scope_.region, name);
  if (!q.step()) return std::nullopt;
  return repo_of(q);
}

std::int64_t EcrStore::insert_repository(const RepositoryRow& r) {
  c_.query("INSERT INTO ecr_repositories (account, region, name, arn, created_at, tag_mutability, doc, policy, "
           "lifecycle_policy, lifecycle_updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
           scope_.account, scope_.region, r.name, r.arn, r.created_at, r.tag_mutability, r.doc, r.policy,
           r.lifecycle_policy, r.lifecycle_updated_at)
      .run();
  return sqlite3_last_insert_rowid(c_.handle());
}

void EcrStore::update_repository(const RepositoryRow& r) {
  c_.query("UPDATE ecr_repositories SET tag_mutability = ?, doc = ?, policy = ?, lifecycle_policy = ?, "
           "lifecycle_updated_at = ? WHERE id = ?",
           r.tag_mutability, r.doc, r.policy, r.lifecycle_policy, r.lifecycle_updated_at, r.id)
      .run();
}

void EcrStore::delete_repository(std::int64_t id) {
  c_.query("DELETE FROM ecr_tags WHERE repository_id = ?", id).run();
  c_.query("DELETE FROM ecr_image_refs WHERE repository_id = ?", id).run();
  c_.query("DELETE FROM ecr_images WHERE repository_id = ?", id).run();
  c_.query("DELETE FROM registry_blob_links WHERE repository_id = ?", id).run();
  c_.query("DELETE FROM ecr_repositories WHERE id = ?", id).run();
}

std::vector<RepositoryRow> EcrStore::repositories(std::string_view after, int limit) {
  std::vector<RepositoryRow> out;
  auto q = c_.query(std::string("SELECT ") + kRepoColumns +
                        " FROM ecr_repositories WHERE account = ? AND region = ? AND name > ? ORDER BY name LIMIT ?",
                    scope_.account, scope_.region, after, limit);
  while (q.step()) out.push_back(repo_of(q));
  return out;
}

std::vector<std::string> EcrStore::repository_names(std::string_view after, int limit) {
  std::vector<std::string> out;
  auto q = c_.query("SELECT name FROM ecr_repositories WHERE account = ? AND region = ? AND name > ? "
                    "ORDER BY name LIMIT ?",
                    scope_.account, scope_.region, after, limit);
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::int64_t EcrStore::image_count(std::int64_t repository_id) {
  auto q = c_.query("SELECT count(*) FROM ecr_images WHERE repository_id = ?", repository_id);
  q.step();
  return q.int64(0);
}

std::optional<ImageRow> EcrStore::image(std::int64_t repository_id, std::string_view digest) {
  auto q = c_.query(std::string("SELECT ") + kImageColumns + " FROM ecr_images WHERE repository_id = ? AND digest = ?",
                    repository_id, digest);
  if (!q.step()) return std::nullopt;
  auto row = image_of(q);
  row.tags = tags_of(repository_id, digest);
  return row;
}

std::optional<std::string> EcrStore::tagged(std::int64_t repository_id, std::string_view tag) {
  auto q = c_.query("SELECT digest FROM ecr_tags WHERE repository_id = ? AND tag = ?", repository_id, tag);
  if (!q.step()) return std::nullopt;
  return q.str(0);
}

std::vector<std::string> EcrStore::tags_of(std::int64_t repository_id, std::string_view digest) {
  std::vector<std::string> out;
  auto q = c_.query("SELECT tag FROM ecr_tags WHERE repository_id = ? AND digest = ? ORDER BY tag", repository_id, digest);
  while (q.step()) out.push_back(q.str(0));
  return out;
}

void EcrStore::put_image(std::int64_t repository_id, const ImageRow& r, const std::vector<std::string>& refs) {
  c_.query("INSERT OR IGNORE INTO ecr_images (repository_id, digest, media_type, artifact_type, manifest, size, "
           "pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
           repository_id, r.digest, r.media_type, r.artifact_type, r.manifest, r.size, r.pushed_at)
      .run();
  for (const auto& ref : refs)
    c_.query("INSERT OR IGNORE INTO ecr_image_refs (repository_id, digest, ref) VALUES (?, ?, ?)", repository_id,
             r.digest, ref)
        .run();
}

void EcrStore::set_tag(std::int64_t repository_id, std::string_view tag, std::string_view digest) {
  c_.query("INSERT INTO ecr_tags (repository_id, tag, digest) VALUES (?, ?, ?) "
           "ON CONFLICT (repository_id, tag) DO UPDATE SET digest = excluded.digest",
           repository_id, tag, digest)
      .run();
}

void EcrStore::delete_tag(std::int64_t repository_id, std::string_view tag) {
  c_.query("DELETE FROM ecr_tags WHERE repository_id = ? AND tag = ?", repository_id, tag).run();
}

void EcrStore::delete_image(std::int64_t repository_id, std::string_view digest) {
  c_.query("DELETE FROM ecr_tags WHERE repository_id = ? AND digest = ?", repository_id, digest).run();
  c_.query("DELETE FROM ecr_image_refs WHERE repository_id = ? AND digest = ?", repository_id, digest).run();
  c_.query("DELETE FROM ecr_images WHERE repository_id = ? AND digest = ?", repository_id, digest).run();
}

std::vector<ImageRow> EcrStore::images(std::int64_t repository_id) {
  std::vector<ImageRow> out;
  {
    auto q = c_.query(std::string("SELECT ") + kImageColumns +
                          " FROM ecr_images WHERE repository_id = ? ORDER BY pushed_at, digest",
                      repository_id);
    while (q.step()) out.push_back(image_of(q));
  }
  for (auto& row : out) row.tags = tags_of(repository_id, row.digest);
  return out;
}

bool EcrStore::referenced_by_index(std::int64_t repository_id, std::string_view digest) {
  auto q = c_.query("SELECT 1 FROM ecr_image_refs WHERE repository_id = ? AND ref = ? LIMIT 1", repository_id, digest);
  return q.step();
}

std::vector<std::string> EcrStore::refs_of(std::int64_t repository_id, std::string_view digest) {
  std::vector<std::string> out;
  auto q = c_.query("SELECT ref FROM ecr_image_refs WHERE repository_id = ? AND digest = ?", repository_id, digest);
  while (q.step()) out.push_back(q.str(0));
  return out;
}

void EcrStore::touch_pull(std::int64_t repository_id, std::string_view digest, std::int64_t at) {
  c_.query("UPDATE ecr_images SET last_pulled_at = ? WHERE repository_id = ? AND digest = ?", at, repository_id, digest)
      .run();
}

std::optional<std::int64_t> EcrStore::blob_size(std::string_view digest) {
  auto q = c_.query("SELECT size FROM registry_blobs WHERE digest = ?", digest);
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

void EcrStore::add_blob(std::string_view digest, std::int64_t size, std::int64_t at) {
  c_.query("INSERT OR IGNORE INTO registry_blobs (digest, size, created_at) VALUES (?, ?, ?)", digest, size, at).run();
}

bool EcrStore::blob_linked(std::int64_t repository_id, std::string_view digest) {
  auto q = c_.query("SELECT 1 FROM registry_blob_links WHERE repository_id = ? AND digest = ?", repository_id, digest);
  return q.step();
}

void EcrStore::link_blob(std::int64_t repository_id, std::string_view digest, std::int64_t at) {
  c_.query("INSERT INTO registry_blob_links (repository_id, digest, linked_at) VALUES (?, ?, ?) "
           "ON CONFLICT (repository_id, digest) DO UPDATE SET linked_at = excluded.linked_at",
           repository_id, digest, at)
      .run();
}

void EcrStore::unlink_unreferenced(std::int64_t repository_id, const std::vector<std::string>& digests) {
  for (const auto& d : digests)
    c_.query("DELETE FROM registry_blob_links WHERE repository_id = ?1 AND digest = ?2 AND NOT EXISTS "
             "(SELECT 1 FROM ecr_image_refs WHERE repository_id = ?1 AND ref = ?2)",
             repository_id, d)
        .run();
}

void EcrStore::unlink_stale(std::int64_t before) {
  c_.query("DELETE FROM registry_blob_links WHERE linked_at < ? AND NOT EXISTS (SELECT 1 FROM ecr_image_refs r "
           "WHERE r.repository_id = registry_blob_links.repository_id AND r.ref = registry_blob_links.digest)",
           before)
      .run();
}

std::vector<std::string> EcrStore::take_orphan_blobs() {
  std::vector<std::string> out;
  {
    auto q = c_.query("SELECT digest FROM registry_blobs b WHERE NOT EXISTS "
                      "(SELECT 1 FROM registry_blob_links l WHERE l.digest = b.digest)");
    while (q.step()) out.push_back(q.str(0));
  }
  for (const auto& d : out) c_.query("DELETE FROM registry_blobs WHERE digest = ?", d).run();
  return out;
}

}  // namespace berth::state
