#pragma once
// ECR repositories and their images (manifests, tags, references) and the registry's blob
// records. Blob bytes live in files (registry/blob_store.h); this holds what points at them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct RepositoryRow {
  std::int64_t id = 0;
  std::string name;
  std::string arn;
  std::int64_t created_at = 0;
  std::string tag_mutability = "MUTABLE";
  std::string doc = "{}";
  std::optional<std::string> policy;
  std::optional<std::string> lifecycle_policy;
  std::optional<std::int64_t> lifecycle_updated_at;
};

struct ImageRow {
  std::string digest;
  std::string media_type;
  std::optional<std::string> artifact_type;
  std::string manifest;
  std::int64_t size = 0;
  std::int64_t pushed_at = 0;
  std::optional<std::int64_t> last_pulled_at;
  std::vector<std::string> tags;  // filled by the listing calls
};

class EcrStore {
 public:
  EcrStore(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}

  // Repositories of this account and region.
  std::optional<RepositoryRow> repository(std::string_view name);
  std::int64_t insert_repository(const RepositoryRow& row);
  void update_repository(const RepositoryRow& row);  // mutability, doc, policies
  void delete_repository(std::int64_t id);           // with its images, tags and blob links
  std::vector<RepositoryRow> repositories(std::string_view after, int limit);
  std::int64_t image_count(std::int64_t repository_id);

  // Images.
  std::optional<ImageRow> image(std::int64_t repository_id, std::string_view digest);
  std::optional<std::string> tagged(std::int64_t repository_id, std::string_view tag);
  std::vector<std::string> tags_of(std::int64_t repository_id, std::string_view digest);
  // Inserts the image if new (an identical manifest pushed again keeps its first push time).
  void put_image(std::int64_t repository_id, const ImageRow& row, const std::vector<std::string>& refs);
  void set_tag(std::int64_t repository_id, std::string_view tag, std::string_view digest);
  void delete_tag(std::int64_t repository_id, std::string_view tag);
  void delete_image(std::int64_t repository_id, std::string_view digest);
  // All images with their tags, by push time.
  std::vector<ImageRow> images(std::int64_t repository_id);
  // Whether another manifest of the repository (an index) refers to this digest.
  bool referenced_by_index(std::int64_t repository_id, std::string_view digest);
  std::vector<std::string> refs_of(std::int64_t repository_id, std::string_view digest);
  void touch_pull(std::int64_t repository_id, std::string_view digest, std::int64_t at);

  // Blobs (global, not scoped).
  std::optional<std::int64_t> blob_size(std::string_view digest);
  void add_blob(std::string_view digest, std::int64_t size, std::int64_t at);
  bool blob_linked(std::int64_t repository_id, std::string_view digest);
  void link_blob(std::int64_t repository_id, std::string_view digest, std::int64_t at);
  // Drops the links of blobs no manifest of the repository refers to any more, among `digests`.
  void unlink_unreferenced(std::int64_t repository_id, const std::vector<std::string>& digests);
  // Drops links older than `before` that no manifest refers to (abandoned pushes).
  void unlink_stale(std::int64_t before);
  // Blob records no repository links to: removed from the table and returned, so their files
  // can be deleted.
  std::vector<std::string> take_orphan_blobs();

  // Every repository of every account (for the registry catalog of an account/region).
  std::vector<std::string> repository_names(std::string_view after, int limit);

 private:
  Connection& c_;
  Scope scope_;
};

}  // namespace berth::state
