#include "runtime/instance_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace berth::runtime {
namespace fs = std::filesystem;
namespace {
constexpr const char* kLock = "berth.lock";
constexpr const char* kEphemeral = "ephemeral";

// True when nobody holds DIR's lock (a berth that held it died); the probe releases it again.
bool lock_free(const fs::path& dir) {
  int fd = ::open((dir / kLock).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // no lock file: not a berth that locks, leave it
  bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);
  return free;
}
}  // namespace

InstanceLock::InstanceLock(const std::string& dir, bool ephemeral) {
  fd_ = ::open((fs::path(dir) / kLock).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (fd_ >= 0 && ephemeral) std::ofstream(fs::path(dir) / kEphemeral) << "removed with its containers when its berth is gone\n";
}

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) ::close(fd_);
}

bool instance_gone(const std::string& dir) {
  if (dir.empty() || dir.front() != '/') return false;  // not a data directory berth wrote
  std::error_code ec;
  fs::path p(dir);
  if (!fs::exists(p, ec)) return !ec;
  return fs::exists(p / kEphemeral, ec) && lock_free(p);
}

void remove_abandoned_dir(const std::string& dir) {
  std::error_code ec;
  fs::path p(dir);
  if (!fs::exists(p / kEphemeral, ec)) return;
  int fd = ::open((p / kLock).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) fs::remove_all(p, ec);
  ::close(fd);
}

}  // namespace berth::runtime
