// ECR's own layer API: BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart,
// CompleteLayerUpload, GetDownloadUrlForLayer. Uploads share the registry's sessions.
#include "api/ecr/errors.h"
#include "api/ecr/repository_access.h"
#include "api/services.h"
#include "common/base64.h"
#include "registry/auth_token.h"
#include "registry/digest.h"
#include "state/ecr_store.h"

namespace berth::api::ecr {
namespace {
constexpr std::int64_t kPartSize = 10 * 1024 * 1024;

std::string upload_key(const OpContext& ctx, std::string_view repo) {
  return ctx.account + "/" + ctx.region + "/" + std::string(repo);
}

Outcome batch_check_layer_availability(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  state::EcrStore store(ctx.db, ctx.scope());
  Body b;
  b.w.StartObject();
  b.w.Key("layers");
  b.w.StartArray();
  std::vector<std::string> invalid;
  for (const auto& d : in["layerDigests"].GetArray()) {
    std::string digest(json::view(d));
    if (!registry::is_digest_syntax(digest)) {
      invalid.push_back(digest);
      continue;
    }
    bool available = store.blob_linked(repo.id, digest) && ctx.services.blobs->size(digest);
    b.w.StartObject();
    json::kv(b.w, "layerDigest", digest);
    json::kv(b.w, "layerAvailability", available ? "AVAILABLE" : "UNAVAILABLE");
    if (available) {
      b.w.Key("layerSize");
      b.w.Int64(store.blob_size(digest).value_or(0));
    }
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.Key("failures");
  b.w.StartArray();
  for (const auto& d : invalid) {
    b.w.StartObject();
    json::kv(b.w, "layerDigest", d);
    json::kv(b.w, "failureCode", "InvalidLayerDigest");
    json::kv(b.w, "failureReason", "Invalid layer digest");
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

Outcome initiate_layer_upload(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto started = ctx.services.uploads->start(upload_key(ctx, std::get<state::RepositoryRow>(found).name));
  if (!started) return AwsError::client("ThrottlingException", "Rate exceeded: too many layer uploads in progress");
  const std::string& id = *started;
  Body b;
  b.w.StartObject();
  json::kv(b.w, "uploadId", id);
  b.w.Key("partSize");
  b.w.Int64(kPartSize);
  b.w.EndObject();
  return b.done();
}

Outcome upload_layer_part(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  std::string id(json::view(in["uploadId"]));
  auto owner = ctx.services.uploads->repository(id);
  if (!owner || *owner != upload_key(ctx, repo.name)) return errors::upload_not_found(id, repo.name, ctx.account);
  auto bytes = base64::decode(json::view(in["layerPartBlob"]));
  if (!bytes) return errors::invalid_parameter("Invalid parameter at 'layerPartBlob' failed to satisfy constraint: 'must be base64'");
  std::int64_t first = in["partFirstByte"].GetInt64(), last = in["partLastByte"].GetInt64();
  if (bytes->empty() || last - first + 1 != static_cast<std::int64_t>(bytes->size()))
    return AwsError::client("InvalidLayerPartException",
                            "The layer part size is not valid, or the first byte specified is not consecutive to the "
                            "last byte of a previous layer part upload.");
  auto status = ctx.services.uploads->append(id, bytes->data(), bytes->size(), static_cast<std::uint64_t>(first));
  if (status != registry::Uploads::Status::Ok)
    return AwsError::client("InvalidLayerPartException",
                            "The layer part size is not valid, or the first byte specified is not consecutive to the "
                            "last byte of a previous layer part upload.");
  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  json::kv(b.w, "repositoryName", repo.name);
  json::kv(b.w, "uploadId", id);
  b.w.Key("lastByteReceived");
  b.w.Int64(last);
  b.w.EndObject();
  return b.done();
}

Outcome complete_layer_upload(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  std::string id(json::view(in["uploadId"]));
  auto& uploads = *ctx.services.uploads;
  auto owner = uploads.repository(id);
  if (!owner || *owner != upload_key(ctx, repo.name)) return errors::upload_not_found(id, repo.name, ctx.account);
  const json::Value& digests = in["layerDigests"];
  if (digests.Size() == 0) return errors::invalid_parameter("Invalid parameter at 'layerDigests' failed to satisfy constraint: 'must not be empty'");
  std::string digest(json::view(digests[0]));
  if (uploads.size(id).value_or(0) == 0) {
    uploads.cancel(id);
    return AwsError::client("EmptyUploadException", "The specified layer upload does not contain any layer parts.");
  }
  state::EcrStore store(ctx.db, ctx.scope());
  bool existed = store.blob_linked(repo.id, digest);
  // The dispatcher holds the write transaction: the rename and the record cannot interleave
  // with garbage collection.
  auto done = uploads.finish(id, digest);
  if (done.status == registry::Uploads::Status::DigestMismatch)
    return AwsError::client("InvalidLayerException", "The layer digest calculation performed by Amazon ECR upon receipt "
                                                     "of the image layer does not match the digest specified.");
  if (done.status != registry::Uploads::Status::Ok) return errors::upload_not_found(id, repo.name, ctx.account);
  if (existed)
    return AwsError::client("LayerAlreadyExistsException", "The image layer '" + digest +
                                                               "' already exists in the repository with name '" +
                                                               repo.name + "' in registry with id '" + ctx.account + "'");
  store.add_blob(digest, static_cast<std::int64_t>(done.size), ctx.clock.now_millis());
  store.link_blob(repo.id, digest, ctx.clock.now_millis());
  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  json::kv(b.w, "repositoryName", repo.name);
  json::kv(b.w, "uploadId", id);
  json::kv(b.w, "layerDigest", digest);
  b.w.EndObject();
  return b.done();
}

Outcome get_download_url_for_layer(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  std::string digest(json::view(in["layerDigest"]));
  if (!registry::is_digest_syntax(digest))
    return errors::invalid_parameter("Invalid parameter at 'layerDigest' failed to satisfy constraint: 'must be a valid digest'");
  if (!state::EcrStore(ctx.db, ctx.scope()).blob_linked(repo.id, digest) || !ctx.services.blobs->size(digest))
    return errors::layers_not_found(digest, repo.name, ctx.account);
  // Like ECR's pre-signed URL, the link carries its own short-lived credential.
  std::string_view principal = ctx.services.static_keys ? std::string_view(ctx.caller.access_key) : "";
  std::string token =
      ctx.services.tokens->issue(ctx.account, ctx.region, ctx.clock.now_millis() + 3600 * 1000, principal);
  Body b;
  b.w.StartObject();
  json::kv(b.w, "downloadUrl",
           "http://" + registry_host(ctx) + "/v2/" + repo.name + "/blobs/" + digest + "?X-Berth-Token=" + token);
  json::kv(b.w, "layerDigest", digest);
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_layers(OperationTable& t) {
  t.add("ecr", "BatchCheckLayerAvailability", batch_check_layer_availability, Access::Read);
  t.add("ecr", "InitiateLayerUpload", initiate_layer_upload, Access::Read);
  t.add("ecr", "UploadLayerPart", upload_layer_part, Access::Read);
  t.add("ecr", "CompleteLayerUpload", complete_layer_upload, Access::Write);
  t.add("ecr", "GetDownloadUrlForLayer", get_download_url_for_layer, Access::Read);
}

}  // namespace berth::api::ecr
