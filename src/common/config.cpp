#include "common/config.h"

#include <cstdlib>

namespace berth {

std::string Config::default_data_dir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/berth";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/berth";
  return "./berth-data";
}

}  // namespace berth
