#include "registry/blob_store.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "common/ids.h"
#include "registry/digest.h"

namespace fs = std::filesystem;

namespace berth::registry {

BlobStore::BlobStore(std::string root) : root_(std::move(root)) {
  fs::create_directories(fs::path(root_) / "blobs" / "sha256");
  fs::create_directories(fs::path(root_) / "uploads");
}

std::size_t BlobStore::remove_stale_uploads(std::chrono::seconds age) {
  std::size_t removed = 0;
  auto cutoff = fs::file_time_type::clock::now() - age;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(root_) / "uploads", ec)) {
    std::error_code e;
    if (entry.last_write_time(e) < cutoff && !e) removed += fs::remove(entry.path(), e);
  }
  return removed;
}

std::string BlobStore::blob_path(std::string_view digest) const {
  // The digest may come from a URL: anything but sha256 and 64 lowercase hex could name a path
  // outside the store ("sha256:../../x").
  if (!is_sha256_digest(digest)) throw std::invalid_argument("not a sha256 digest: " + std::string(digest.substr(0, 80)));
  std::string_view hex = digest.substr(7);
  return (fs::path(root_) / "blobs" / "sha256" / std::string(hex.substr(0, 2)) / std::string(hex)).string();
}

std::string BlobStore::upload_path(std::string_view upload_id) const {
  return (fs::path(root_) / "uploads" / std::string(upload_id)).string();
}

std::optional<std::uint64_t> BlobStore::size(std::string_view digest) const {
  if (!is_sha256_digest(digest)) return std::nullopt;
  std::error_code ec;
  auto n = fs::file_size(blob_path(digest), ec);
  if (ec) return std::nullopt;
  return n;
}

void BlobStore::commit(const std::string& upload_file, std::string_view digest) {
  fs::path target = blob_path(digest);
  fs::create_directories(target.parent_path());
  // Atomic: the blob appears whole or not at all. Over an identical blob already there, the
  // rename refreshes its time, so the orphan sweep leaves it to the row about to be written.
  fs::rename(upload_file, target);
}

std::string BlobStore::put(std::string_view bytes) {
  std::string digest = sha256_digest(bytes);
  if (size(digest)) return digest;
  std::string tmp = upload_path("put-" + ids::uuid_v4());
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  commit(tmp, digest);
  return digest;
}

void BlobStore::remove(std::string_view digest) {
  if (!is_sha256_digest(digest)) return;
  std::error_code ec;
  fs::remove(blob_path(digest), ec);
}

std::vector<std::string> BlobStore::digests_older_than(std::chrono::seconds age) const {
  std::vector<std::string> out;
  auto cutoff = fs::file_time_type::clock::now() - age;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(root_) / "blobs" / "sha256", ec)) {
    std::error_code e;
    if (!entry.is_regular_file(e) || e) continue;
    std::string digest = "sha256:" + entry.path().filename().string();
    if (is_sha256_digest(digest) && entry.last_write_time(e) < cutoff && !e) out.push_back(std::move(digest));
  }
  return out;
}

bool BlobStore::older_than(std::string_view digest, std::chrono::seconds age) const {
  if (!is_sha256_digest(digest)) return false;
  std::error_code ec;
  auto t = fs::last_write_time(blob_path(digest), ec);
  return !ec && t < fs::file_time_type::clock::now() - age;
}

}  // namespace berth::registry
