// Image manifests and indexes as pushed to the registry, with each media type.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registry/manifests.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::string_view types[] = {
      "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json", ""};
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)berth::registry::parse_manifest(body, types[data[0] % 5]);
  return 0;
}
