#include "registry/manifests.h"

#include <rapidjson/document.h>

#include "registry/digest.h"

namespace berth::registry {

namespace media {
bool is_index(std::string_view t) { return t == kDockerList || t == kOciIndex; }
bool is_manifest_type(std::string_view t) {
  return t == kDockerManifest || t == kDockerList || t == kOciManifest || t == kOciIndex;
}
}  // namespace media

std::int64_t Manifest::layers_size() const {
  std::int64_t total = 0;
  for (const auto& l : layers) total += l.size;
  return total;
}

std::vector<std::string> Manifest::references() const {
  std::vector<std::string> out;
  if (config) out.push_back(config->digest);
  for (const auto& l : layers) out.push_back(l.digest);
  for (const auto& m : manifests) out.push_back(m.digest);
  return out;
}

namespace {
std::variant<Descriptor, std::string> descriptor(const rapidjson::Value& v, const char* where) {
  if (!v.IsObject()) return std::string(where) + " is not an object";
  Descriptor d;
  auto mt = v.FindMember("mediaType");
  if (mt != v.MemberEnd() && mt->value.IsString()) d.media_type = mt->value.GetString();
  auto dg = v.FindMember("digest");
  if (dg == v.MemberEnd() || !dg->value.IsString() || !is_digest_syntax(dg->value.GetString()))
    return std::string(where) + " has no valid digest";
  d.digest = dg->value.GetString();
  auto sz = v.FindMember("size");
  if (sz == v.MemberEnd() || !sz->value.IsInt64() || sz->value.GetInt64() < 0)
    return std::string(where) + " has no valid size";
  d.size = sz->value.GetInt64();
  return d;
}
}  // namespace

std::variant<Manifest, std::string> parse_manifest(std::string_view bytes, std::string_view content_type) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(bytes.data(), bytes.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::string("manifest is not a JSON object");
  Manifest m;
  std::string declared;
  if (auto it = doc.FindMember("mediaType"); it != doc.MemberEnd() && it->value.IsString())
    declared = it->value.GetString();
  std::string sent(content_type.substr(0, content_type.find(';')));
  if (sent == "application/json" || sent == "application/octet-stream") sent.clear();
  if (!declared.empty() && !sent.empty() && declared != sent)
    return "mediaType " + declared + " does not match Content-Type " + sent;
  m.media_type = !declared.empty() ? declared : sent;
  if (m.media_type.empty()) m.media_type = doc.HasMember("manifests") ? media::kOciIndex : media::kOciManifest;
  if (m.media_type == media::kDockerSchema1 || m.media_type == media::kDockerSchema1Signed)
    return std::string("Docker image manifest schema 1 is not supported; push with schema 2 or OCI");
  if (!media::is_manifest_type(m.media_type)) return "unsupported manifest media type " + m.media_type;
  if (auto it = doc.FindMember("schemaVersion"); it == doc.MemberEnd() || !it->value.IsInt() || it->value.GetInt() != 2)
    return std::string("schemaVersion must be 2");

  if (m.is_index()) {
    auto list = doc.FindMember("manifests");
    if (list == doc.MemberEnd() || !list->value.IsArray()) return std::string("index has no manifests list");
    for (const auto& e : list->value.GetArray()) {
      auto d = descriptor(e, "manifests entry");
      if (auto* err = std::get_if<std::string>(&d)) return *err;
      m.manifests.push_back(std::get<Descriptor>(std::move(d)));
    }
  } else {
    auto cfg = doc.FindMember("config");
    if (cfg == doc.MemberEnd()) return std::string("manifest has no config");
    auto d = descriptor(cfg->value, "config");
    if (auto* err = std::get_if<std::string>(&d)) return *err;
    m.config = std::get<Descriptor>(std::move(d));
    auto layers = doc.FindMember("layers");
    if (layers == doc.MemberEnd() || !layers->value.IsArray()) return std::string("manifest has no layers list");
    for (const auto& e : layers->value.GetArray()) {
      auto ld = descriptor(e, "layer");
      if (auto* err = std::get_if<std::string>(&ld)) return *err;
      m.layers.push_back(std::get<Descriptor>(std::move(ld)));
    }
  }
  if (auto it = doc.FindMember("artifactType"); it != doc.MemberEnd() && it->value.IsString())
    m.artifact_type = it->value.GetString();
  else if (m.config && !m.config->media_type.empty())
    m.artifact_type = m.config->media_type;
  if (auto it = doc.FindMember("subject"); it != doc.MemberEnd() && it->value.IsObject())
    if (auto s = it->value.FindMember("digest"); s != it->value.MemberEnd() && s->value.IsString())
      m.subject = s->value.GetString();
  return m;
}

}  // namespace berth::registry
