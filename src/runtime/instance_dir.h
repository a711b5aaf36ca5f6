#pragma once
// A berth's data directory names it on the Docker daemon (the berth.instance label), which other
// berths share. The directory tells whether that berth is gone, so that another berth may remove
// what it left: a directory that no longer exists, or an ephemeral berth's directory whose lock
// nobody holds (it was killed before it could clean up).
#include <string>

namespace berth::runtime {

// Held for the life of a berth: an flock on DIR/berth.lock, released by the kernel even on
// kill -9. An ephemeral berth marks its directory (DIR/ephemeral) once it holds the lock.
class InstanceLock {
 public:
  InstanceLock(const std::string& dir, bool ephemeral);
  ~InstanceLock();
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Whether the berth of this data directory is gone for good: the directory is missing, or it is
// an ephemeral berth's whose lock is free (killed before it could clean up).
bool instance_gone(const std::string& dir);
// Removes such an ephemeral directory once its containers are gone, taking its lock first so no
// berth can be starting in it.
void remove_abandoned_dir(const std::string& dir);

}  // namespace berth::runtime
