#include "runtime/pause_image.h"

#include <cstdio>
#include <cstring>

extern "C" const char berth_pause_binary_start[];
extern "C" const char berth_pause_binary_end[];

namespace berth::runtime {

std::string pause_image() { return std::string("berth/pause:") + BERTH_VERSION; }

std::string single_file_tar(const std::string& name, const std::string& content) {
  char h[512] = {};
  std::snprintf(h, 100, "%s", name.c_str());
  std::snprintf(h + 100, 8, "%07o", 0755);
  std::snprintf(h + 108, 8, "%07o", 0);
  std::snprintf(h + 116, 8, "%07o", 0);
  std::snprintf(h + 124, 12, "%011lo", static_cast<unsigned long>(content.size()));
  std::snprintf(h + 136, 12, "%011o", 0);
  h[156] = '0';
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);
  std::string out(h, sizeof h);
  out += content;
  out.append((512 - content.size() % 512) % 512, '\0');
  out.append(1024, '\0');
  return out;
}

DockerResult<Ok> ensure_pause_image(DockerClient& docker) {
  if (std::holds_alternative<std::string>(docker.inspect_image(pause_image()))) return Ok{};
  std::string binary(berth_pause_binary_start, berth_pause_binary_end);
  std::string name = pause_image();
  auto colon = name.rfind(':');
  return docker.import_image(single_file_tar("pause", binary), name.substr(0, colon), name.substr(colon + 1));
}

}  // namespace berth::runtime
