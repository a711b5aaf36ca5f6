#pragma once
// Tar archives in the ustar format, made in memory: what `docker import` takes for an image of
// a few files (berth's pause image, test images).
#include <string>
#include <vector>

namespace berth::runtime {

struct UstarEntry {
  std::string name;     // "bin/sh"; directories end in '/'
  std::string content;  // regular files only
  char type = '0';      // '0' file, '2' symlink, '5' directory
  int mode = 0755;
  std::string link;     // a symlink's target
};

// The entries, each a 512-byte header and its content padded to 512 bytes, then the two zero
// blocks that end an archive.
std::string ustar(const std::vector<UstarEntry>& entries);

}  // namespace berth::runtime
