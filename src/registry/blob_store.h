#pragma once
// Content-addressed blob files. Layout under the registry root:
//
//   blobs/sha256/ab/abcdef...      one file per blob, named by its digest, fanned out by the
//                                  first two hex digits; written once, never modified
//   uploads/<uuid>                 bytes of an upload in progress; renamed into blobs/ only
//                                  after digest and size check out, deleted otherwise
//
// Which repository may see which blob is recorded in the database, not here: one file serves
// every repository that holds the same layer.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::registry {

class BlobStore {
 public:
  explicit BlobStore(std::string root);  // creates the directories

  // Removes upload files untouched for `age`: leftovers of a restart or of a crashed import.
  // Files being written are touched constantly, so a server and `berth image` can share a root.
  std::size_t remove_stale_uploads(std::chrono::seconds age);

  // Throws std::invalid_argument unless `digest` is "sha256:" and 64 lowercase hex digits.
  std::string blob_path(std::string_view digest) const;
  std::string upload_path(std::string_view upload_id) const;
  // Size of a stored blob, nullopt when absent.
  std::optional<std::uint64_t> size(std::string_view digest) const;
  // Moves a verified upload file into place; an identical blob already there wins.
  void commit(const std::string& upload_file, std::string_view digest);
  // Writes bytes as a blob (manifests and small uploads); returns the digest.
  std::string put(std::string_view bytes);
  void remove(std::string_view digest);
  // Digests of blob files not written for `age`: candidates for the orphan sweep (a crash
  // between a blob's rename and its row leaves a file no row names).
  std::vector<std::string> digests_older_than(std::chrono::seconds age) const;
  bool older_than(std::string_view digest, std::chrono::seconds age) const;

 private:
  std::string root_;
};

}  // namespace berth::registry
