#include "registry/image_transfer.h"

#include <set>

#include "common/json.h"
#include "registry/digest.h"
#include "registry/images.h"
#include "registry/manifests.h"

namespace berth::registry {
namespace {

std::string why_refused(const PutImageResult& r) {
  using S = PutImageResult::Status;
  switch (r.status) {
    case S::TagImmutable:
      return "the tag '" + r.detail + "' is on another image and the repository is IMMUTABLE";
    case S::TagInvalid:
      return "not a valid tag: " + r.detail;
    case S::BlobUnknown:
      return "the image refers to " + r.detail + ", which is not in the archive";
    default:
      return "the image manifest was refused: " + r.detail;
  }
}

// The manifest of an index to export: linux/amd64 when present, else the first one stored.
std::optional<std::string> pick_platform(state::EcrStore& store, std::int64_t repository_id, const std::string& index) {
  rapidjson::Document doc;
  doc.Parse(index.c_str(), index.size());
  const json::Value* manifests = json::member(doc, "manifests");
  if (!manifests || !manifests->IsArray()) return std::nullopt;
  std::optional<std::string> first;
  for (const auto& m : manifests->GetArray()) {
    auto digest = json::get_string(m, "digest");
    if (!digest || !store.image(repository_id, *digest)) continue;
    if (!first) first = std::string(*digest);
    if (const json::Value* p = json::member(m, "platform"))
      if (json::get_string(*p, "os").value_or("") == "linux" && json::get_string(*p, "architecture").value_or("") == "amd64")
        return std::string(*digest);
  }
  return first;
}

std::string hex_of(std::string_view digest) { return std::string(digest.substr(digest.find(':') + 1)); }
}  // namespace

std::variant<std::vector<ImportedImage>, std::string> import_images(state::EcrStore& store,
                                                                    const state::RepositoryRow& repo,
                                                                    BlobStore& blobs, const ImageArchive& archive,
                                                                    const std::optional<std::string>& tag,
                                                                    std::int64_t now) {
  std::size_t top_level = 0;
  for (const auto& image : archive.images()) top_level += image.child ? 0 : 1;
  if (tag && top_level > 1)
    return "the archive holds " + std::to_string(top_level) + " images; import it without a tag to keep theirs";
  if (tag && !valid_tag(*tag)) return "not a valid tag: " + *tag;

  // Files first (a rename each; an identical blob already stored wins), then their records,
  // which put_image requires.
  for (const auto& [digest, blob] : archive.blobs()) {
    blobs.commit(blob.file, digest);
    store.add_blob(digest, blob.size, now);
    store.link_blob(repo.id, digest, now);
  }
  std::vector<ImportedImage> out;
  for (const auto& image : archive.images()) {
    PutImageRequest req;
    req.manifest = image.manifest;
    req.content_type = image.media_type;
    if (!image.child) req.tag = tag ? tag : image.tag;
    auto r = put_image(store, repo, blobs, req, now);
    if (r.status != PutImageResult::Status::Ok && r.status != PutImageResult::Status::Unchanged) return why_refused(r);
    out.push_back({r.digest, req.tag, image.child});
  }
  return out;
}

std::variant<ExportedImage, std::string> export_image(state::EcrStore& store, const state::RepositoryRow& repo,
                                                      const BlobStore& blobs, std::string_view reference,
                                                      const std::string& repo_tag, const std::string& tar_path) {
  std::optional<std::string> digest;
  if (reference.starts_with("sha256:"))
    digest = std::string(reference);
  else
    digest = store.tagged(repo.id, reference);
  auto image = digest ? store.image(repo.id, *digest) : std::nullopt;
  if (!image) return "no image " + std::string(reference) + " in repository " + repo.name;
  if (media::is_index(image->media_type)) {
    auto child = pick_platform(store, repo.id, image->manifest);
    image = child ? store.image(repo.id, *child) : std::nullopt;
    if (!image) return "the index " + *digest + " has none of its platform manifests in " + repo.name;
  }
  auto parsed = parse_manifest(image->manifest, image->media_type);
  if (auto* why = std::get_if<std::string>(&parsed)) return "the stored manifest cannot be read: " + *why;
  const Manifest& m = std::get<Manifest>(parsed);
  if (!m.config) return "the image has no config, so docker cannot load it";

  // docker save's classic layout: <config hex>.json, <layer hex>/layer.tar, manifest.json.
  std::vector<ArchiveMember> members;
  std::string config_name = hex_of(m.config->digest) + ".json";
  members.push_back({config_name, blobs.blob_path(m.config->digest), ""});
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartArray();
  w.StartObject();
  json::kv(w, "Config", config_name);
  w.Key("RepoTags");
  w.StartArray();
  json::str(w, repo_tag);
  w.EndArray();
  w.Key("Layers");
  w.StartArray();
  std::set<std::string> written;
  for (const auto& layer : m.layers) {
    if (!blobs.size(layer.digest)) return "layer " + layer.digest + " is missing from the blob store";
    std::string name = hex_of(layer.digest) + "/layer.tar";
    json::str(w, name);
    if (written.insert(name).second) members.push_back({name, blobs.blob_path(layer.digest), ""});
  }
  w.EndArray();
  w.EndObject();
  w.EndArray();
  if (!blobs.size(m.config->digest)) return "config " + m.config->digest + " is missing from the blob store";
  members.push_back({"manifest.json", "", std::string(buf.GetString(), buf.GetSize())});
  if (auto err = write_archive(tar_path, members); !err.empty()) return err;
  return ExportedImage{image->digest, m.config->digest};
}

}  // namespace berth::registry
