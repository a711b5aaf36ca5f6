#pragma once
// Lifecycle policies against a repository's stored images: what a preview shows, and the job
// that expires images for real.
#include <cstdint>
#include <vector>

#include "registry/blob_store.h"
#include "registry/lifecycle.h"
#include "state/db.h"
#include "state/ecr_store.h"

namespace berth::registry {

struct ExpiringImage {
  state::ImageRow image;  // with its tags
  std::int64_t rule_priority = 0;
};

// The images of a repository that `policy` expires at `now` (epoch millis), in the order of
// lifecycle::evaluate(). Images a manifest list of the repository refers to are never expired
// (ECR requires the list to go first), though they still count toward the rules.
std::vector<ExpiringImage> expiring_images(state::EcrStore& store, std::int64_t repository_id,
                                           const lifecycle::Policy& policy, std::int64_t now);

struct LifecycleRun {
  std::size_t repositories = 0;    // repositories whose policy was applied
  std::size_t images_expired = 0;
  std::size_t blobs_freed = 0;     // blob files deleted afterwards
};

// Applies the lifecycle policy of every repository (all accounts and regions) at `now`:
// deletes the images each policy expires, records `now` as the repository's lastEvaluatedAt,
// then collects the blobs no repository refers to any more. Meant for a periodic job (ECR
// evaluates policies about once a day; berth can do it more often). Each repository is one
// write transaction, so requests interleave between them; a stored policy that no longer parses
// is skipped. Call it off the request path: it takes the writer once per repository.
LifecycleRun apply_lifecycle_policies(state::Database& db, BlobStore& blobs, std::int64_t now);

}  // namespace berth::registry
