// Paths tasks send to 169.254.170.2: a token is exactly [A-Za-z0-9-]{1,64} or nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/metadata_path.h"

using namespace berth::api;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view path(reinterpret_cast<const char*>(data), size);
  auto p = parse_metadata_path("GET", path);
  bool has_token = p.kind != MetadataPath::Kind::Other && p.kind != MetadataPath::Kind::NotFound;
  if (has_token != !p.token.empty()) std::abort();
  if (has_token && !valid_metadata_token(p.token)) std::abort();
  if (has_token && path.find(p.token) == std::string_view::npos) std::abort();
  return 0;
}
