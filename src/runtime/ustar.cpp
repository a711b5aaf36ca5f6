#include "runtime/ustar.h"

#include <cstdio>
#include <cstring>

namespace berth::runtime {

std::string ustar(const std::vector<UstarEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    char h[512] = {};
    std::snprintf(h, 100, "%s", e.name.c_str());
    std::snprintf(h + 100, 8, "%07o", e.mode);
    std::snprintf(h + 108, 8, "%07o", 0);  // uid
    std::snprintf(h + 116, 8, "%07o", 0);  // gid
    std::snprintf(h + 124, 12, "%011lo", static_cast<unsigned long>(e.content.size()));
    std::snprintf(h + 136, 12, "%011o", 0);  // mtime: the same bytes every time
    h[156] = e.type;
    std::snprintf(h + 157, 100, "%s", e.link.c_str());
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);  // the checksum counts its own field as spaces
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    out.append(h, sizeof h);
    out += e.content;
    out.append((512 - e.content.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  return out;
}

}  // namespace berth::runtime
