#include "registry/uploads.h"

#include <cstdio>
#include <vector>

#include "common/ids.h"
#include "registry/digest.h"

namespace berth::registry {

struct Uploads::Session {
  std::mutex mu;  // one writer at a time per session
  std::string repository;
  std::string path;
  std::FILE* file = nullptr;
  Sha256 hash;
  std::uint64_t size = 0;
  std::chrono::steady_clock::time_point touched = std::chrono::steady_clock::now();
  ~Session() {
    if (file) std::fclose(file);
  }
};

Uploads::~Uploads() {
  std::lock_guard lock(mu_);
  for (auto& [id, s] : sessions_) std::remove(s->path.c_str());
}

std::optional<std::string> Uploads::start(std::string repository_key) {
  auto s = std::make_shared<Session>();
  std::string id = ids::uuid_v4();
  s->repository = std::move(repository_key);
  s->path = blobs_.upload_path(id);
  std::lock_guard lock(mu_);
  if (sessions_.size() >= limits_.total) return std::nullopt;
  std::size_t same = 0;
  for (const auto& [other, session] : sessions_) same += session->repository == s->repository;
  if (same >= limits_.per_repository) return std::nullopt;
  s->file = std::fopen(s->path.c_str(), "wb");
  if (!s->file) throw std::runtime_error("cannot create upload file " + s->path);
  sessions_.emplace(id, std::move(s));
  return id;
}

std::shared_ptr<Uploads::Session> Uploads::find(std::string_view id) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(std::string(id));
  return it == sessions_.end() ? nullptr : it->second;
}

std::shared_ptr<Uploads::Session> Uploads::take(std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end()) return nullptr;
  auto s = std::move(it->second);
  sessions_.erase(it);
  return s;
}

Uploads::Status Uploads::append(std::string_view id, const char* data, std::size_t n,
                                std::optional<std::uint64_t> offset) {
  auto s = find(id);
  if (!s) return Status::Unknown;
  std::lock_guard lock(s->mu);
  if (!s->file) return Status::Unknown;
  if (offset && *offset != s->size) return Status::BadRange;
  if (n && std::fwrite(data, 1, n, s->file) != n) return Status::IoError;
  s->hash.update(data, n);
  s->size += n;
  s->touched = std::chrono::steady_clock::now();
  return Status::Ok;
}

std::optional<std::uint64_t> Uploads::size(std::string_view id) const {
  auto s = find(id);
  if (!s) return std::nullopt;
  std::lock_guard lock(s->mu);
  return s->size;
}

std::optional<std::string> Uploads::repository(std::string_view id) const {
  auto s = find(id);
  if (!s) return std::nullopt;
  return s->repository;
}

Uploads::Finished Uploads::finish(std::string_view id, std::string_view expected) {
  auto s = take(id);
  Finished out;
  if (!s) return out;
  std::lock_guard lock(s->mu);
  out.size = s->size;
  bool flushed = std::fclose(s->file) == 0;
  s->file = nullptr;
  out.actual_digest = s->hash.finish();
  if (!flushed) {
    std::remove(s->path.c_str());
    out.status = Status::IoError;
  } else if (out.actual_digest != expected) {
    std::remove(s->path.c_str());
    out.status = Status::DigestMismatch;
  } else {
    blobs_.commit(s->path, out.actual_digest);
    out.status = Status::Ok;
  }
  return out;
}

bool Uploads::cancel(std::string_view id) {
  auto s = take(id);
  if (!s) return false;
  std::lock_guard lock(s->mu);
  if (s->file) std::fclose(s->file);
  s->file = nullptr;
  std::remove(s->path.c_str());
  return true;
}

}  // namespace berth::registry

namespace berth::registry {

std::size_t Uploads::expire_idle(std::chrono::steady_clock::duration idle) {
  auto cutoff = std::chrono::steady_clock::now() - idle;
  std::vector<std::string> stale;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, s] : sessions_) {
      std::lock_guard session_lock(s->mu);
      if (s->touched < cutoff) stale.push_back(id);
    }
  }
  for (const auto& id : stale) cancel(id);
  return stale.size();
}

}  // namespace berth::registry
