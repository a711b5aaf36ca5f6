#pragma once
// Image manifests and indexes of the OCI image spec and Docker's schema 2: which kind a
// document is, what it references, and whether it is well formed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace berth::registry {

namespace media {
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
bool is_index(std::string_view media_type);
bool is_manifest_type(std::string_view media_type);
}  // namespace media

struct Descriptor {
  std::string media_type;
  std::string digest;
  std::int64_t size = 0;
};

struct Manifest {
  std::string media_type;
  std::optional<std::string> artifact_type;  // artifactType, else the config's media type
  std::optional<Descriptor> config;
  std::vector<Descriptor> layers;     // image manifests
  std::vector<Descriptor> manifests;  // indexes
  std::optional<std::string> subject;

  bool is_index() const { return media::is_index(media_type); }
  // Sum of layer sizes: what ECR reports as imageSizeInBytes.
  std::int64_t layers_size() const;
  // Every digest the document references (config, layers, child manifests, subject excluded).
  std::vector<std::string> references() const;
};

// Parses a manifest; `content_type` is the Content-Type it was sent with (may be empty).
// On failure returns the reason, for a MANIFEST_INVALID error.
std::variant<Manifest, std::string> parse_manifest(std::string_view bytes, std::string_view content_type);

}  // namespace berth::registry
