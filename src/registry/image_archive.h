#pragma once
// Image archives as files, read and written with libarchive so that no Docker daemon is needed:
//
//   docker save     manifest.json  [{"Config": "<hex>.json", "RepoTags": ["name:tag"],
//                                    "Layers": ["<id>/layer.tar", ...]}]
//                   the config JSON and one tar per layer (a layer shared by two images may be
//                   a symlink to the other's file)
//   OCI layout      oci-layout, index.json (descriptors, tag in the
//                   org.opencontainers.image.ref.name annotation), blobs/sha256/<hex>
//
// Either may be compressed as a whole (libarchive detects the filter). docker save archives
// made by Docker 25 and later are both at once; the OCI view is preferred, since it keeps the
// original manifest bytes and so the image's digest.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace berth::registry {

// A file of the archive, hashed and copied to a staging file while the archive was read.
struct StagedBlob {
  std::string digest;
  std::int64_t size = 0;
  std::string file;  // staging path, on the blob store's filesystem so it can be renamed in
};

struct ArchiveImage {
  std::string manifest;            // exact bytes (OCI layout) or built as Docker schema 2 (docker save)
  std::string media_type;
  std::optional<std::string> tag;  // from RepoTags or the ref.name annotation
  bool child = false;              // a platform manifest an index of the archive refers to
};

class ImageArchive {
 public:
  // Reads an archive, staging each file under `staging_dir` with a streaming SHA-256 (memory
  // does not grow with layer size). On failure returns why, and leaves no staging file.
  static std::variant<ImageArchive, std::string> read(const std::string& tar_path, const std::string& staging_dir);

  ImageArchive(ImageArchive&& o) noexcept;
  ImageArchive& operator=(ImageArchive&&) = delete;
  ~ImageArchive();  // removes the staging files still here (those not moved into a blob store)

  // In the order to put them: children before the index that refers to them.
  const std::vector<ArchiveImage>& images() const { return images_; }
  // The configs and layers the images refer to, by digest.
  const std::map<std::string, StagedBlob>& blobs() const { return blobs_; }

 private:
  ImageArchive() = default;
  std::vector<ArchiveImage> images_;
  std::map<std::string, StagedBlob> blobs_;
  friend class ArchiveReader;
};

// One file of an archive to write: its name inside the tar and where its bytes are.
struct ArchiveMember {
  std::string name;
  std::string source_file;  // read from this file...
  std::string bytes;        // ...or, when source_file is empty, these bytes
};

// Writes a tar holding `members` (parent directories added as needed) to `tar_path`, through a
// temporary file renamed into place, so a failure leaves nothing. Returns an error, or "".
std::string write_archive(const std::string& tar_path, const std::vector<ArchiveMember>& members);

// The tag of an image reference ("name:tag", "registry:5000/name:tag", or a bare tag), if any.
std::optional<std::string> tag_of_reference(std::string_view ref);

}  // namespace berth::registry
