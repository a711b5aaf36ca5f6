// `berth image import`: any file as a docker-save or OCI-layout archive.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "registry/image_archive.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "berth-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    return fs::path(tmpl);
  }();
  fs::path tar = dir / "in.tar", staging = dir / "staging";
  {
    std::ofstream out(tar, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  fs::create_directories(staging);
  (void)berth::registry::ImageArchive::read(tar.string(), staging.string());
  std::error_code ec;
  fs::remove_all(staging, ec);
  return 0;
}
