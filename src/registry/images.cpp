#include "registry/images.h"

#include "registry/digest.h"
#include "registry/manifests.h"

namespace berth::registry {

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(tag[0])) return false;
  for (char c : tag)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

bool immutable(const state::RepositoryRow& repo) { return repo.tag_mutability.starts_with("IMMUTABLE"); }

PutImageResult put_image(state::EcrStore& store, const state::RepositoryRow& repo, const BlobStore& blobs,
                         const PutImageRequest& req, std::int64_t now) {
  using S = PutImageResult::Status;
  PutImageResult out;
  out.digest = sha256_digest(req.manifest);
  if (req.digest && *req.digest != out.digest) {
    out.status = S::DigestMismatch;
    out.detail = "manifest digest " + out.digest + " does not match " + *req.digest;
    return out;
  }
  if (req.tag && !valid_tag(*req.tag)) {
    out.status = S::TagInvalid;
    out.detail = "invalid tag " + *req.tag;
    return out;
  }
  auto parsed = parse_manifest(req.manifest, req.content_type);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    out.status = S::Invalid;
    out.detail = *err;
    return out;
  }
  const Manifest& m = std::get<Manifest>(parsed);
  out.media_type = m.media_type;

  // Everything referenced must be here: blobs on disk, child manifests in this repository.
  for (const auto& d : m.manifests)
    if (!store.image(repo.id, d.digest)) {
      out.status = S::ManifestUnknown;
      out.detail = d.digest;
      return out;
    }
  std::vector<Descriptor> blob_refs = m.layers;
  if (m.config) blob_refs.insert(blob_refs.begin(), *m.config);
  for (const auto& d : blob_refs)
    if (!blobs.size(d.digest) || !store.blob_size(d.digest)) {
      out.status = S::BlobUnknown;
      out.detail = d.digest;
      return out;
    }

  std::optional<std::string> current;
  if (req.tag) current = store.tagged(repo.id, *req.tag);
  bool exists = store.image(repo.id, out.digest).has_value();
  if (req.tag && current && *current != out.digest && immutable(repo)) {
    out.status = S::TagImmutable;
    out.detail = *req.tag;
    return out;
  }
  if (exists && (!req.tag || (current && *current == out.digest))) {
    out.status = S::Unchanged;
    return out;
  }
  for (const auto& d : blob_refs) store.link_blob(repo.id, d.digest, now);
  state::ImageRow row;
  row.digest = out.digest;
  row.media_type = m.media_type;
  row.artifact_type = m.artifact_type;
  row.manifest = req.manifest;
  row.size = m.layers_size();
  row.pushed_at = now;
  store.put_image(repo.id, row, m.references());
  if (req.tag) store.set_tag(repo.id, *req.tag, out.digest);
  return out;
}

void delete_image(state::EcrStore& store, std::int64_t repository_id, std::string_view digest) {
  auto refs = store.refs_of(repository_id, digest);
  store.delete_image(repository_id, digest);
  store.unlink_unreferenced(repository_id, refs);
}

std::size_t sweep_orphan_files(state::EcrStore& store, BlobStore& blobs, std::chrono::seconds age) {
  std::size_t removed = 0;
  for (const auto& d : blobs.digests_older_than(age))
    if (!store.blob_size(d) && blobs.older_than(d, age)) {
      blobs.remove(d);
      ++removed;
    }
  return removed;
}

std::size_t collect_garbage(state::EcrStore& store, BlobStore& blobs) {
  auto orphans = store.take_orphan_blobs();
  for (const auto& d : orphans) blobs.remove(d);
  return orphans.size();
}

}  // namespace berth::registry
