#include "runtime/pause_image.h"

#include "runtime/ustar.h"

extern "C" const char berth_pause_binary_start[];
extern "C" const char berth_pause_binary_end[];

namespace berth::runtime {

std::string pause_image() { return std::string("berth/pause:") + BERTH_VERSION; }

DockerResult<Ok> ensure_pause_image(DockerClient& docker) {
  if (std::holds_alternative<std::string>(docker.inspect_image(pause_image()))) return Ok{};
  std::string binary(berth_pause_binary_start, berth_pause_binary_end);
  std::string name = pause_image();
  auto colon = name.rfind(':');
  return docker.import_image(ustar({{.name = "pause", .content = binary, .type = '0', .mode = 0755, .link = {}}}), name.substr(0, colon), name.substr(colon + 1));
}

}  // namespace berth::runtime
