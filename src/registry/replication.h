#pragma once
// ECR replication inside one berth: an image put into a repository is copied, in the same
// transaction, to each destination (account, region) of the source registry's replication
// rules that match the repository's name. The copy has the same digest, manifest and tag; its
// blobs are the same files (only rows are added); a missing destination repository is
// created, from the destination registry's creation template for REPLICATION when one
// matches (prefix, else ROOT), as ECR does. A copy is never replicated further. The
// destination registry's policy is not evaluated (berth enforces no resource policy).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "state/db.h"
#include "state/ecr_store.h"
#include "state/scope.h"

namespace berth::registry {

// Copies image `digest` of `repo` (in `source`) to every matching destination, tagging it
// with `tag` there unless that tag is immutable and taken. Returns the copies made.
int replicate_image(state::Connection& c, const state::Scope& source, const state::RepositoryRow& repo,
                    std::string_view digest, const std::optional<std::string>& tag, std::int64_t now);

// Whether the destination (account, region) holds the image's digest in a repository of the
// same name: DescribeImageReplicationStatus's COMPLETE.
bool replicated(state::Connection& c, const state::Scope& destination, std::string_view repository,
                std::string_view digest);

}  // namespace berth::registry
