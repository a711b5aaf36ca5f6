#pragma once
// Blob upload sessions: bytes appended in order to a temporary file while a running SHA-256
// follows them; finishing checks the digest and only then moves the file into the blob store.
// Sessions live in memory: an upload interrupted by a restart is started again by the client.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "registry/blob_store.h"

namespace berth::registry {

// Each open session holds a file descriptor (for up to an hour when abandoned): bounded per
// repository and in total, so one client cannot exhaust them.
struct UploadLimits {
  std::size_t per_repository = 100;
  std::size_t total = 1000;
};

class Uploads {
 public:
  explicit Uploads(BlobStore& blobs, UploadLimits limits = {}) : blobs_(blobs), limits_(limits) {}
  ~Uploads();

  // Starts a session for a repository (key: account/region/name); returns its id, or nullopt
  // when the repository or berth has as many open sessions as its limits allow.
  std::optional<std::string> start(std::string repository_key);

  enum class Status { Ok, Unknown, BadRange, IoError, DigestMismatch };

  // Appends bytes. `offset`, when given (Content-Range), must equal the bytes received so far.
  Status append(std::string_view id, const char* data, std::size_t size, std::optional<std::uint64_t> offset = {});
  // Bytes received so far, or nullopt for an unknown session.
  std::optional<std::uint64_t> size(std::string_view id) const;
  std::optional<std::string> repository(std::string_view id) const;

  struct Finished {
    Status status = Status::Unknown;
    std::uint64_t size = 0;
    std::string actual_digest;
  };
  // Ends the session: commits the blob when its digest is `expected`, else discards the bytes.
  Finished finish(std::string_view id, std::string_view expected);
  bool cancel(std::string_view id);
  // Cancels sessions that received nothing for `idle`: clients that gave up. Returns how many.
  std::size_t expire_idle(std::chrono::steady_clock::duration idle);

 private:
  struct Session;
  std::shared_ptr<Session> find(std::string_view id) const;
  std::shared_ptr<Session> take(std::string_view id);

  BlobStore& blobs_;
  UploadLimits limits_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions_;
};

}  // namespace berth::registry
