#include "registry/image_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "common/ids.h"
#include "common/json.h"
#include "registry/digest.h"
#include "registry/manifests.h"

namespace fs = std::filesystem;

namespace berth::registry {
namespace {
constexpr std::size_t kChunk = 1 << 16;
constexpr std::int64_t kMaxJson = 16 << 20;  // manifests, configs and indexes are read whole
constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
constexpr std::string_view kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
constexpr std::string_view kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
constexpr const char* kRefName = "org.opencontainers.image.ref.name";

struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// "./a/../b/c" -> "b/c": tar member names as written by different tools compare equal.
std::string normalize(std::string_view path) {
  return fs::path(std::string(path)).lexically_normal().relative_path().generic_string();
}

struct StagedFile {
  StagedBlob blob;
  bool gzip = false;  // starts with the gzip magic number
};

std::optional<std::string> read_small(const StagedFile& f) {
  if (f.blob.size > kMaxJson) return std::nullopt;
  std::ifstream in(f.blob.file, std::ios::binary);
  std::string out(static_cast<std::size_t>(f.blob.size), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  if (!in) return std::nullopt;
  return out;
}

// A reference's tag for an OCI ref.name annotation, which is either a bare tag or a full
// reference (containerd writes "docker.io/library/app:1.0").
std::optional<std::string> tag_of_ref_name(std::string_view ref) {
  if (ref.find_first_of("/:") == std::string_view::npos) return std::string(ref);
  return tag_of_reference(ref);
}
}  // namespace

// Reads the tar once, staging every regular file; then interprets what was found.
class ArchiveReader {
 public:
  ArchiveReader(std::string staging_dir) : staging_dir_(std::move(staging_dir)) {}
  ~ArchiveReader() {
    std::error_code ec;
    for (auto& [path, f] : files_)
      if (!kept_.count(f.blob.file)) fs::remove(f.blob.file, ec);
  }

  std::string load(const std::string& tar_path);
  std::variant<ImageArchive, std::string> interpret();

 private:
  std::string stage(archive* a, const std::string& path);
  const StagedFile* find(std::string path) const;
  void take_blob(ImageArchive& out, const StagedFile& f);
  std::optional<std::string> from_docker_save(ImageArchive& out, const json::Value& manifest);
  std::optional<std::string> from_oci_layout(ImageArchive& out, const json::Value& index);
  std::optional<std::string> add_oci_manifest(ImageArchive& out, const json::Value& desc, std::optional<std::string> tag,
                                              bool child, int depth);

  std::string staging_dir_;
  std::map<std::string, StagedFile> files_;
  std::map<std::string, std::string> links_;  // member -> member it points at
  std::set<std::string> kept_;                // staging files handed to the ImageArchive
};

std::string ArchiveReader::load(const std::string& tar_path) {
  std::unique_ptr<archive, ReadFree> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), tar_path.c_str(), kChunk) != ARCHIVE_OK)
    return "cannot read " + tar_path + ": " + archive_error_string(a.get());
  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    std::string path = normalize(archive_entry_pathname(entry));
    if (const char* target = archive_entry_hardlink(entry)) {
      links_[path] = normalize(target);
    } else if (archive_entry_filetype(entry) == AE_IFLNK) {
      // Relative to the link's own directory, as docker save writes them ("../<id>/layer.tar").
      links_[path] = normalize((fs::path(path).parent_path() / archive_entry_symlink(entry)).generic_string());
    } else if (archive_entry_filetype(entry) == AE_IFREG) {
      if (auto err = stage(a.get(), path); !err.empty()) return err;
    }
  }
  if (r != ARCHIVE_EOF) return "cannot read " + tar_path + ": " + archive_error_string(a.get());
  return "";
}

std::string ArchiveReader::stage(archive* a, const std::string& path) {
  std::error_code ec;
  if (auto old = files_.find(path); old != files_.end()) fs::remove(old->second.blob.file, ec);  // a later copy wins
  StagedFile f;
  f.blob.file = (fs::path(staging_dir_) / ("import-" + ids::uuid_v4())).string();
  files_[path] = f;  // recorded first, so a failure below still removes the file
  std::ofstream out(f.blob.file, std::ios::binary);
  if (!out) return "cannot write " + f.blob.file;
  Sha256 hash;
  std::vector<char> buf(kChunk);
  bool first = true;
  la_ssize_t n;
  while ((n = archive_read_data(a, buf.data(), buf.size())) > 0) {
    if (first && n >= 2) f.gzip = static_cast<unsigned char>(buf[0]) == 0x1f && static_cast<unsigned char>(buf[1]) == 0x8b;
    first = false;
    hash.update(buf.data(), static_cast<std::size_t>(n));
    out.write(buf.data(), n);
    f.blob.size += n;
  }
  if (n < 0) return "cannot read " + path + " in the archive: " + archive_error_string(a);
  out.close();
  if (!out) return "cannot write " + f.blob.file;
  f.blob.digest = hash.finish();
  files_[path] = f;
  return "";
}

const StagedFile* ArchiveReader::find(std::string path) const {
  path = normalize(path);
  for (int hops = 0; hops < 16; ++hops) {
    if (auto it = files_.find(path); it != files_.end()) return &it->second;
    auto link = links_.find(path);
    if (link == links_.end()) return nullptr;
    path = link->second;
  }
  return nullptr;
}

void ArchiveReader::take_blob(ImageArchive& out, const StagedFile& f) {
  if (out.blobs_.count(f.blob.digest)) return;  // the same bytes under two names: one blob
  out.blobs_[f.blob.digest] = f.blob;
  kept_.insert(f.blob.file);
}

std::variant<ImageArchive, std::string> ArchiveReader::interpret() {
  ImageArchive out;
  auto parse_member = [&](const char* name, rapidjson::Document& doc) -> std::optional<std::string> {
    const StagedFile* f = find(name);
    auto text = f ? read_small(*f) : std::nullopt;
    if (!text) return std::string(name) + " cannot be read";
    doc.Parse(text->c_str(), text->size());
    if (doc.HasParseError()) return std::string(name) + " is not valid JSON";
    return std::nullopt;
  };
  std::optional<std::string> err;
  if (find("index.json") && find("oci-layout")) {
    rapidjson::Document index;
    err = parse_member("index.json", index);
    if (!err) err = from_oci_layout(out, index);
  } else if (find("manifest.json")) {
    rapidjson::Document manifest;
    err = parse_member("manifest.json", manifest);
    if (!err) err = from_docker_save(out, manifest);
  } else {
    err = "not a docker save archive (no manifest.json) nor an OCI image layout (no index.json and oci-layout)";
  }
  if (err) {
    kept_.clear();
    return *err;
  }
  if (out.images_.empty()) return std::string("the archive holds no image");
  return out;
}

std::optional<std::string> ArchiveReader::from_docker_save(ImageArchive& out, const json::Value& manifest) {
  if (!manifest.IsArray()) return "manifest.json is not a list of images";
  for (const auto& item : manifest.GetArray()) {
    auto config_path = json::get_string(item, "Config");
    const json::Value* layers = json::member(item, "Layers");
    if (!config_path || !layers || !layers->IsArray()) return "manifest.json: an entry lacks Config or Layers";
    const StagedFile* config = find(std::string(*config_path));
    if (!config) return "manifest.json names " + std::string(*config_path) + ", missing from the archive";
    take_blob(out, *config);

    // Docker schema 2, layers stored as they are in the archive (no recompression), so each
    // uncompressed layer's digest is also its diff id.
    rapidjson::StringBuffer buf;
    json::Writer w(buf);
    w.StartObject();
    w.Key("schemaVersion");
    w.Int(2);
    json::kv(w, "mediaType", media::kDockerManifest);
    w.Key("config");
    w.StartObject();
    json::kv(w, "mediaType", kDockerConfig);
    w.Key("size");
    w.Int64(config->blob.size);
    json::kv(w, "digest", config->blob.digest);
    w.EndObject();
    w.Key("layers");
    w.StartArray();
    for (const auto& l : layers->GetArray()) {
      if (!l.IsString()) return "manifest.json: Layers must hold file names";
      const StagedFile* layer = find(std::string(json::view(l)));
      if (!layer) return "manifest.json names " + std::string(json::view(l)) + ", missing from the archive";
      take_blob(out, *layer);
      w.StartObject();
      json::kv(w, "mediaType", layer->gzip ? kDockerLayerGzip : kDockerLayer);
      w.Key("size");
      w.Int64(layer->blob.size);
      json::kv(w, "digest", layer->blob.digest);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();

    ArchiveImage image;
    image.manifest.assign(buf.GetString(), buf.GetSize());
    image.media_type = media::kDockerManifest;
    if (const json::Value* tags = json::member(item, "RepoTags"); tags && tags->IsArray() && !tags->Empty() &&
                                                                  (*tags)[0].IsString())
      image.tag = tag_of_reference(json::view((*tags)[0]));
    out.images_.push_back(std::move(image));
  }
  return std::nullopt;
}

std::optional<std::string> ArchiveReader::from_oci_layout(ImageArchive& out, const json::Value& index) {
  const json::Value* manifests = json::member(index, "manifests");
  if (!manifests || !manifests->IsArray()) return "index.json has no manifests";
  for (const auto& desc : manifests->GetArray()) {
    std::optional<std::string> tag;
    if (const json::Value* ann = json::member(desc, "annotations"))
      if (auto ref = json::get_string(*ann, kRefName)) tag = tag_of_ref_name(*ref);
    if (auto err = add_oci_manifest(out, desc, tag, false, 0)) return err;
  }
  return std::nullopt;
}

// Adds the manifest a descriptor names, after the children and blobs it refers to. An index
// whose platform manifests are not all in the archive (a single-platform save of a multi-platform
// image) is replaced by its first platform manifest that is.
std::optional<std::string> ArchiveReader::add_oci_manifest(ImageArchive& out, const json::Value& desc,
                                                           std::optional<std::string> tag, bool child, int depth) {
  if (depth > 4) return "index.json: manifests nest too deeply";
  auto digest = json::get_string(desc, "digest");
  if (!digest || !is_sha256_digest(*digest)) return "index.json: a descriptor has no sha256 digest";
  const StagedFile* f = find("blobs/sha256/" + std::string(digest->substr(7)));
  if (!f) return "manifest " + std::string(*digest) + " is missing from the archive";
  if (f->blob.digest != *digest) return "blob " + std::string(*digest) + " does not match its digest";
  auto bytes = read_small(*f);
  if (!bytes) return "manifest " + std::string(*digest) + " cannot be read";
  auto parsed = parse_manifest(*bytes, json::get_string(desc, "mediaType").value_or(""));
  if (auto* why = std::get_if<std::string>(&parsed)) return "manifest " + std::string(*digest) + ": " + *why;
  const Manifest& m = std::get<Manifest>(parsed);

  if (m.is_index()) {
    rapidjson::Document doc;
    doc.Parse(bytes->c_str(), bytes->size());
    std::vector<const json::Value*> present;
    for (const auto& c : doc["manifests"].GetArray()) {
      auto d = json::get_string(c, "digest");
      if (d && is_sha256_digest(*d) && find("blobs/sha256/" + std::string(d->substr(7)))) present.push_back(&c);
    }
    if (present.empty()) return "index " + std::string(*digest) + " refers to no manifest in the archive";
    if (present.size() < m.manifests.size()) return add_oci_manifest(out, *present.front(), tag, child, depth + 1);
    for (const auto* c : present)
      if (auto err = add_oci_manifest(out, *c, std::nullopt, true, depth + 1)) return err;
  } else {
    std::vector<Descriptor> refs = m.layers;
    if (m.config) refs.push_back(*m.config);
    for (const auto& d : refs) {
      if (!is_sha256_digest(d.digest)) return "blob " + d.digest + " has an unsupported digest";
      const StagedFile* blob = find("blobs/sha256/" + d.digest.substr(7));
      if (!blob) return "blob " + d.digest + " is missing from the archive";
      if (blob->blob.digest != d.digest) return "blob " + d.digest + " does not match its digest";
      take_blob(out, *blob);
    }
  }
  for (const auto& existing : out.images_)
    if (sha256_digest(existing.manifest) == *digest) return std::nullopt;  // named twice in index.json
  out.images_.push_back({std::move(*bytes), m.media_type, std::move(tag), child});
  return std::nullopt;
}

std::variant<ImageArchive, std::string> ImageArchive::read(const std::string& tar_path, const std::string& staging_dir) {
  ArchiveReader reader(staging_dir);
  if (auto err = reader.load(tar_path); !err.empty()) return err;
  return reader.interpret();
}

ImageArchive::ImageArchive(ImageArchive&& o) noexcept : images_(std::move(o.images_)), blobs_(std::move(o.blobs_)) {
  o.blobs_.clear();
}

ImageArchive::~ImageArchive() {
  std::error_code ec;
  for (const auto& [digest, b] : blobs_) fs::remove(b.file, ec);
}

std::optional<std::string> tag_of_reference(std::string_view ref) {
  auto colon = ref.rfind(':');
  auto slash = ref.rfind('/');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) return std::nullopt;
  if (auto at = ref.find('@'); at != std::string_view::npos && at < colon) return std::nullopt;
  return std::string(ref.substr(colon + 1));
}

namespace {
std::string write_member(archive* a, const std::string& name, const ArchiveMember* m) {
  std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_set_mtime(e.get(), 0, 0);  // reproducible archives
  if (!m) {
    archive_entry_set_filetype(e.get(), AE_IFDIR);
    archive_entry_set_perm(e.get(), 0755);
    return archive_write_header(a, e.get()) == ARCHIVE_OK ? "" : archive_error_string(a);
  }
  std::ifstream in;
  std::int64_t size = static_cast<std::int64_t>(m->bytes.size());
  if (!m->source_file.empty()) {
    std::error_code ec;
    size = static_cast<std::int64_t>(fs::file_size(m->source_file, ec));
    if (ec) return "cannot read " + m->source_file;
    in.open(m->source_file, std::ios::binary);
  }
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), 0644);
  archive_entry_set_size(e.get(), size);
  if (archive_write_header(a, e.get()) != ARCHIVE_OK) return archive_error_string(a);
  if (m->source_file.empty()) {
    if (archive_write_data(a, m->bytes.data(), m->bytes.size()) < 0) return archive_error_string(a);
    return "";
  }
  std::vector<char> buf(kChunk);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0 && archive_write_data(a, buf.data(), static_cast<std::size_t>(in.gcount())) < 0)
      return archive_error_string(a);
  }
  return in.bad() ? "cannot read " + m->source_file : "";
}
}  // namespace

std::string write_archive(const std::string& tar_path, const std::vector<ArchiveMember>& members) {
  std::string tmp = tar_path + ".part-" + ids::uuid_v4().substr(0, 8);
  std::string err;
  {
    std::unique_ptr<archive, WriteFree> a(archive_write_new());
    archive_write_set_format_pax_restricted(a.get());
    if (archive_write_open_filename(a.get(), tmp.c_str()) != ARCHIVE_OK)
      return "cannot write " + tar_path + ": " + archive_error_string(a.get());
    std::set<std::string> dirs;
    for (const auto& m : members) {
      // Parent directories first, once each, as tar readers expect.
      fs::path parent = fs::path(m.name).parent_path();
      std::vector<std::string> missing;
      for (; !parent.empty() && !dirs.count(parent.generic_string()); parent = parent.parent_path())
        missing.push_back(parent.generic_string());
      for (auto it = missing.rbegin(); it != missing.rend() && err.empty(); ++it) {
        dirs.insert(*it);
        err = write_member(a.get(), *it + "/", nullptr);
      }
      if (err.empty()) err = write_member(a.get(), m.name, &m);
      if (!err.empty()) break;
    }
    if (err.empty() && archive_write_close(a.get()) != ARCHIVE_OK) err = archive_error_string(a.get());
  }
  std::error_code ec;
  if (!err.empty()) {
    fs::remove(tmp, ec);
    return "cannot write " + tar_path + ": " + err;
  }
  fs::rename(tmp, tar_path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return "cannot write " + tar_path + ": " + ec.message();
  }
  return "";
}

}  // namespace berth::registry
