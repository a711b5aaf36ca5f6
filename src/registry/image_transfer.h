#pragma once
// Moving images between archive files and a repository: `berth image import` and `export`.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "registry/blob_store.h"
#include "registry/image_archive.h"
#include "state/ecr_store.h"

namespace berth::registry {

struct ImportedImage {
  std::string digest;
  std::optional<std::string> tag;
  bool child = false;
};

// Moves the archive's blobs into the blob store, records them, and puts its images into
// `repo` with the same checks as a push (an IMMUTABLE repository refuses to move a tag). `tag`,
// when given, replaces the archive's own tag; it needs an archive of one image (an index with
// its platform manifests counts as one). Run it inside a write transaction: an error return
// means the caller must roll back.
std::variant<std::vector<ImportedImage>, std::string> import_images(state::EcrStore& store,
                                                                    const state::RepositoryRow& repo,
                                                                    BlobStore& blobs, const ImageArchive& archive,
                                                                    const std::optional<std::string>& tag,
                                                                    std::int64_t now);

struct ExportedImage {
  std::string manifest_digest;
  std::string config_digest;  // what `docker load` reports as the image id
};

// Writes the image `reference` (a tag or a digest) of `repo` to `tar_path` as a docker save
// archive that `docker load` accepts, tagged `repo_tag` (NAME:TAG) inside it. For a
// multi-platform index, the linux/amd64 manifest (else the first present) is written.
std::variant<ExportedImage, std::string> export_image(state::EcrStore& store, const state::RepositoryRow& repo,
                                                      const BlobStore& blobs, std::string_view reference,
                                                      const std::string& repo_tag, const std::string& tar_path);

}  // namespace berth::registry
