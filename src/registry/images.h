#pragma once
#include <chrono>
// Putting and deleting images in a repository, shared by the registry's HTTP API (docker
// push) and ECR's API (PutImage, BatchDeleteImage): the same checks either way.
#include <optional>
#include <string>
#include <vector>

#include "registry/blob_store.h"
#include "state/ecr_store.h"

namespace berth::registry {

struct PutImageRequest {
  std::string manifest;
  std::string content_type;                // may be empty
  std::optional<std::string> tag;
  std::optional<std::string> digest;       // when pushed by digest, it must match
};

struct PutImageResult {
  enum class Status {
    Ok,              // stored (or already stored and now tagged)
    Unchanged,       // this exact image already had this tag
    Invalid,         // MANIFEST_INVALID; detail says why
    DigestMismatch,  // DIGEST_INVALID
    BlobUnknown,     // MANIFEST_BLOB_UNKNOWN; detail names the missing blob
    ManifestUnknown, // an index names a manifest the repository lacks; detail names it
    TagInvalid,      // a malformed tag
    TagImmutable,    // the tag exists on another image of an IMMUTABLE repository
  } status = Status::Ok;
  std::string detail;
  std::string digest;
  std::string media_type;
};

PutImageResult put_image(state::EcrStore& store, const state::RepositoryRow& repo, const BlobStore& blobs,
                         const PutImageRequest& req, std::int64_t now);

// Deletes an image and its tags, and unlinks blobs only it referenced. Files are collected
// later by collect_garbage().
void delete_image(state::EcrStore& store, std::int64_t repository_id, std::string_view digest);

// Deletes blob records and files no repository links to any more. Run it inside a write
// transaction, so a concurrent upload of the same digest cannot interleave.
std::size_t collect_garbage(state::EcrStore& store, BlobStore& blobs);

// Removes blob files that no row names and nobody has written for `age` (a crash between a
// blob's rename and its row). Runs in the writer's transaction, so no row appears meanwhile; a
// blob re-uploaded at that moment is renamed afresh and so too young to go. Returns the count.
std::size_t sweep_orphan_files(state::EcrStore& store, BlobStore& blobs, std::chrono::seconds age);

bool valid_tag(std::string_view tag);  // [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
bool immutable(const state::RepositoryRow& repo);

}  // namespace berth::registry
