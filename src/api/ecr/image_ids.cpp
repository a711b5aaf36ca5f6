#include "api/ecr/image_ids.h"

#include <algorithm>
#include <cctype>

#include "registry/digest.h"

namespace berth::api::ecr {

ImageId image_id(const json::Value& v) {
  ImageId id;
  if (auto d = json::get_string(v, "imageDigest")) id.digest = std::string(*d);
  if (auto t = json::get_string(v, "imageTag")) id.tag = std::string(*t);
  return id;
}

void write_image_id(json::Writer& w, const ImageId& id) {
  w.StartObject();
  if (id.digest) json::kv(w, "imageDigest", *id.digest);
  if (id.tag) json::kv(w, "imageTag", *id.tag);
  w.EndObject();
}

std::string describe_id(const ImageId& id) {
  return "{imageDigest:'" + id.digest.value_or("null") + "', imageTag:'" + id.tag.value_or("null") + "'}";
}

bool ecr_digest_syntax(std::string_view d) {
  auto colon = d.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= d.size()) return false;
  auto algorithm_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '+' || c == '.'; };
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  std::string_view alg = d.substr(0, colon), enc = d.substr(colon + 1);
  return std::all_of(alg.begin(), alg.end(), algorithm_char) && std::all_of(enc.begin(), enc.end(), hex);
}

std::variant<state::ImageRow, std::pair<std::string, std::string>> resolve(state::EcrStore& store, std::int64_t repo,
                                                                  const ImageId& id) {
  if (!id.digest && !id.tag) return std::make_pair(std::string("MissingDigestAndTag"), std::string("Invalid request parameters: both tag and digest cannot be null"));
  if (id.digest && !ecr_digest_syntax(*id.digest))
    return std::make_pair(std::string("InvalidImageDigest"), std::string("Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"));
  std::optional<std::string> digest = id.digest;
  if (id.tag) {
    auto tagged = store.tagged(repo, *id.tag);
    if (!tagged) return std::make_pair(std::string("ImageNotFound"), std::string("Requested image not found"));
    if (digest && *digest != *tagged)
      return std::make_pair(std::string("ImageTagDoesNotMatchDigest"), std::string("Invalid request parameters: image tag does not match digest"));
    digest = tagged;
  }
  if (!registry::is_digest_syntax(*digest))
    return std::make_pair(std::string("InvalidImageDigest"), std::string("Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"));
  auto row = store.image(repo, *digest);
  if (!row) return std::make_pair(std::string("ImageNotFound"), std::string("Requested image not found"));
  return std::move(*row);
}

}  // namespace berth::api::ecr
