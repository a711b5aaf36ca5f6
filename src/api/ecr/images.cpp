// DescribeImages, ListImages, BatchGetImage, BatchDeleteImage, PutImage.
#include <algorithm>
#include <cctype>

#include "api/ecr/errors.h"
#include "api/ecr/image_ids.h"
#include "api/ecr/repository_access.h"
#include "api/pagination.h"
#include "api/services.h"
#include "registry/digest.h"
#include "registry/images.h"
#include "registry/replication.h"
#include "state/ecr_store.h"

namespace berth::api::ecr {
namespace {
using state::ImageRow;

void write_failure(json::Writer& w, const ImageId& id, std::string_view code, std::string_view reason) {
  w.StartObject();
  w.Key("imageId");
  write_image_id(w, id);
  json::kv(w, "failureCode", code);
  json::kv(w, "failureReason", reason);
  w.EndObject();
}

using Failures = std::vector<std::pair<ImageId, std::pair<std::string, std::string>>>;

void write_failures(json::Writer& w, const Failures& failures) {
  w.Key("failures");
  w.StartArray();
  for (const auto& [id, f] : failures) write_failure(w, id, f.first, f.second);
  w.EndArray();
}

void write_detail(OpContext& ctx, json::Writer& w, const std::string& repo_name, const ImageRow& img) {
  w.StartObject();
  json::kv(w, "registryId", ctx.account);
  json::kv(w, "repositoryName", repo_name);
  json::kv(w, "imageDigest", img.digest);
  if (!img.tags.empty()) {
    w.Key("imageTags");
    w.StartArray();
    for (const auto& t : img.tags) json::str(w, t);
    w.EndArray();
  }
  w.Key("imageSizeInBytes");
  w.Int64(img.size);
  w.Key("imagePushedAt");
  json::epoch_seconds(w, img.pushed_at);
  json::kv(w, "imageManifestMediaType", img.media_type);
  if (img.artifact_type) json::kv(w, "artifactMediaType", *img.artifact_type);
  if (img.last_pulled_at) {
    w.Key("lastRecordedPullTime");
    json::epoch_seconds(w, *img.last_pulled_at);
  }
  json::kv(w, "imageStatus", "ACTIVE");
  w.EndObject();
}

bool keep_for_status(const json::Value& in, const ImageRow& img) {
  const json::Value* f = json::member(in, "filter");
  std::string_view status = f ? json::get_string(*f, "tagStatus").value_or("ANY") : "ANY";
  if (status == "TAGGED") return !img.tags.empty();
  if (status == "UNTAGGED") return img.tags.empty();
  return true;
}

// Pages a list by position; the cursor is the index of the next item.
template <class T>
std::variant<std::pair<std::size_t, std::size_t>, AwsError> page(const json::Value& in, const std::vector<T>& items,
                                                                 int default_limit) {
  std::size_t start = 0;
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor || cursor->empty() || cursor->find_first_not_of("0123456789") != std::string::npos)
      return errors::invalid_parameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid token'");
    start = std::min<std::size_t>(std::stoull(*cursor), items.size());
  }
  std::size_t limit = static_cast<std::size_t>(json::get_int(in, "maxResults").value_or(default_limit));
  return std::make_pair(start, std::min(items.size(), start + limit));
}

Outcome describe_images(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  state::EcrStore store(ctx.db, ctx.scope());
  std::vector<ImageRow> images;
  if (const json::Value* ids = json::member(in, "imageIds"); ids && ids->Size() > 0) {
    for (const auto& v : ids->GetArray()) {
      ImageId id = image_id(v);
      auto r = resolve(store, repo.id, id);
      if (!std::holds_alternative<ImageRow>(r)) return errors::image_not_found(describe_id(id), repo.name, ctx.account);
      auto img = std::get<ImageRow>(std::move(r));
      if (std::none_of(images.begin(), images.end(), [&](const ImageRow& x) { return x.digest == img.digest; }))
        images.push_back(std::move(img));
    }
  } else {
    for (auto& img : store.images(repo.id))
      if (keep_for_status(in, img)) images.push_back(std::move(img));
  }
  auto range = page(in, images, 100);
  if (auto* e = std::get_if<AwsError>(&range)) return *e;
  auto [start, end] = std::get<0>(range);
  Body b;
  b.w.StartObject();
  b.w.Key("imageDetails");
  b.w.StartArray();
  for (std::size_t i = start; i < end; ++i) write_detail(ctx, b.w, repo.name, images[i]);
  b.w.EndArray();
  if (end < images.size()) json::kv(b.w, "nextToken", pagination::encode(std::to_string(end)));
  b.w.EndObject();
  return b.done();
}

Outcome list_images(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  std::vector<ImageId> ids;
  for (const auto& img : state::EcrStore(ctx.db, ctx.scope()).images(repo.id)) {
    if (!keep_for_status(in, img)) continue;
    if (img.tags.empty()) ids.push_back({img.digest, std::nullopt});
    for (const auto& t : img.tags) ids.push_back({img.digest, t});
  }
  auto range = page(in, ids, 100);
  if (auto* e = std::get_if<AwsError>(&range)) return *e;
  auto [start, end] = std::get<0>(range);
  Body b;
  b.w.StartObject();
  b.w.Key("imageIds");
  b.w.StartArray();
  for (std::size_t i = start; i < end; ++i) write_image_id(b.w, ids[i]);
  b.w.EndArray();
  if (end < ids.size()) json::kv(b.w, "nextToken", pagination::encode(std::to_string(end)));
  b.w.EndObject();
  return b.done();
}

Outcome batch_get_image(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  state::EcrStore store(ctx.db, ctx.scope());
  std::vector<std::string> accepted;
  if (const json::Value* m = json::member(in, "acceptedMediaTypes"))
    for (const auto& t : m->GetArray()) accepted.emplace_back(json::view(t));
  Body b;
  b.w.StartObject();
  b.w.Key("images");
  b.w.StartArray();
  Failures failures;
  for (const auto& v : in["imageIds"].GetArray()) {
    ImageId id = image_id(v);
    auto r = resolve(store, repo.id, id);
    if (auto* f = std::get_if<std::pair<std::string, std::string>>(&r)) {
      failures.emplace_back(id, *f);
      continue;
    }
    const auto& img = std::get<ImageRow>(r);
    if (!accepted.empty() && std::find(accepted.begin(), accepted.end(), img.media_type) == accepted.end()) {
      failures.emplace_back(id, std::make_pair(std::string("UnsupportedImageType"),
                                               "The image's media type " + img.media_type + " is not among the accepted media types"));
      continue;
    }
    b.w.StartObject();
    json::kv(b.w, "registryId", ctx.account);
    json::kv(b.w, "repositoryName", repo.name);
    b.w.Key("imageId");
    write_image_id(b.w, {img.digest, id.tag});
    json::kv(b.w, "imageManifest", img.manifest);
    json::kv(b.w, "imageManifestMediaType", img.media_type);
    b.w.EndObject();
  }
  b.w.EndArray();
  write_failures(b.w, failures);
  b.w.EndObject();
  return b.done();
}

Outcome batch_delete_image(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  state::EcrStore store(ctx.db, ctx.scope());
  std::vector<ImageId> deleted;
  Failures failures;
  for (const auto& v : in["imageIds"].GetArray()) {
    ImageId id = image_id(v);
    auto r = resolve(store, repo.id, id);
    if (auto* f = std::get_if<std::pair<std::string, std::string>>(&r)) {
      failures.emplace_back(id, *f);
      continue;
    }
    const auto& img = std::get<ImageRow>(r);
    if (id.tag && !id.digest && img.tags.size() > 1) {
      // Removing one of several tags keeps the image.
      store.delete_tag(repo.id, *id.tag);
      deleted.push_back({img.digest, id.tag});
      continue;
    }
    if (store.referenced_by_index(repo.id, img.digest)) {
      failures.emplace_back(id, std::make_pair(std::string("ImageReferencedByManifestList"),
                                               std::string("Requested image referenced by a manifest list")));
      continue;
    }
    if (img.tags.empty()) deleted.push_back({img.digest, std::nullopt});
    for (const auto& t : img.tags) deleted.push_back({img.digest, t});
    registry::delete_image(store, repo.id, img.digest);
  }
  if (!deleted.empty()) collect_garbage_after_commit(ctx);
  Body b;
  b.w.StartObject();
  b.w.Key("imageIds");
  b.w.StartArray();
  for (const auto& id : deleted) write_image_id(b.w, id);
  b.w.EndArray();
  write_failures(b.w, failures);
  b.w.EndObject();
  return b.done();
}

Outcome put_image(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  state::EcrStore store(ctx.db, ctx.scope());
  registry::PutImageRequest req;
  req.manifest = std::string(json::view(in["imageManifest"]));
  req.content_type = std::string(json::get_string(in, "imageManifestMediaType").value_or(""));
  if (auto t = json::get_string(in, "imageTag")) req.tag = std::string(*t);
  if (auto d = json::get_string(in, "imageDigest")) req.digest = std::string(*d);
  if (req.content_type.empty()) {
    // A manifest that names no media type, sent without imageManifestMediaType, is refused
    // before its layers are looked at (moto's wording; AWS's text is not published).
    rapidjson::Document doc;
    doc.Parse(req.manifest.c_str(), req.manifest.size());
    if (!doc.HasParseError() && doc.IsObject() && !json::get_string(doc, "mediaType"))
      return errors::invalid_parameter("image manifest mediatype not provided in manifest or parameter");
  }
  auto result = registry::put_image(store, repo, *ctx.services.blobs, req, ctx.clock.now_millis());
  if (result.status == registry::PutImageResult::Status::Ok)
    registry::replicate_image(ctx.db, ctx.scope(), repo, result.digest, req.tag, ctx.clock.now_millis());
  using S = registry::PutImageResult::Status;
  switch (result.status) {
    case S::Invalid:
      return errors::invalid_parameter("Invalid parameter at 'ImageManifest' failed to satisfy constraint: '" +
                                       result.detail + "'");
    case S::DigestMismatch:
      return AwsError::client("ImageDigestDoesNotMatchException",
                              "Invalid parameter at 'imageDigest' failed to satisfy constraint: 'Provided digest does "
                              "not match the digest of the manifest'");
    case S::BlobUnknown: return errors::layers_not_found(result.detail, repo.name, ctx.account);
    case S::ManifestUnknown:
      return AwsError::client("ReferencedImagesNotFoundException",
                              "Manifest list or image index references images that do not exist in the repository: " +
                                  result.detail);
    case S::TagInvalid: return errors::invalid_parameter("Invalid parameter at 'imageTag' failed to satisfy constraint: 'must be a valid image tag'");
    case S::TagImmutable: return errors::image_tag_already_exists(result.detail, repo.name);
    case S::Unchanged:
      return errors::image_already_exists(result.digest, req.tag.value_or("null"), repo.name, ctx.account);
    case S::Ok: break;
  }
  Body b;
  b.w.StartObject();
  b.w.Key("image");
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  json::kv(b.w, "repositoryName", repo.name);
  b.w.Key("imageId");
  write_image_id(b.w, {result.digest, req.tag});
  json::kv(b.w, "imageManifest", req.manifest);
  json::kv(b.w, "imageManifestMediaType", result.media_type);
  b.w.EndObject();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_images(OperationTable& t) {
  t.add("ecr", "DescribeImages", describe_images, Access::Read);
  t.add("ecr", "ListImages", list_images, Access::Read);
  t.add("ecr", "BatchGetImage", batch_get_image, Access::Read);
  t.add("ecr", "BatchDeleteImage", batch_delete_image, Access::Write);
  t.add("ecr", "PutImage", put_image, Access::Write);
}

}  // namespace berth::api::ecr
