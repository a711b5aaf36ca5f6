#include "api/ecr/repository_access.h"

#include "api/ecr/errors.h"
#include "registry/images.h"

namespace berth::api::ecr {

std::string registry_id(const OpContext& ctx, const json::Value& in) {
  return std::string(json::get_string(in, "registryId").value_or(ctx.account));
}

std::variant<state::RepositoryRow, AwsError> find_repository(OpContext& ctx, const json::Value& in) {
  std::string_view name = json::get_string(in, "repositoryName").value_or("");
  std::string rid = registry_id(ctx, in);
  if (rid != ctx.account) return errors::repository_not_found(name, rid);
  auto repo = state::EcrStore(ctx.db, ctx.scope()).repository(name);
  if (!repo) return errors::repository_not_found(name, rid);
  return std::move(*repo);
}

std::string registry_host(const OpContext& ctx) {
  return ctx.config.registry_host.empty() ? "localhost:" + std::to_string(ctx.config.listen_port)
                                          : ctx.config.registry_host;
}

std::string repository_uri(const OpContext& ctx, std::string_view name) {
  return registry_host(ctx) + "/" + std::string(name);
}

void collect_garbage_after_commit(OpContext& ctx) {
  registry::BlobStore* blobs = ctx.services.blobs;
  ctx.after_commit.push_back([blobs, scope = ctx.scope()](state::Database& db) {
    // Its own write transaction: a concurrent upload of the same digest cannot interleave.
    db.write([&](state::Connection& c) {
      state::EcrStore store(c, scope);
      registry::collect_garbage(store, *blobs);
      return true;
    });
  });
}

void write_repository(OpContext& ctx, json::Writer& w, const state::RepositoryRow& repo) {
  rapidjson::Document doc;
  doc.Parse(repo.doc.c_str(), repo.doc.size());
  w.StartObject();
  json::kv(w, "repositoryArn", repo.arn);
  json::kv(w, "registryId", ctx.account);
  json::kv(w, "repositoryName", repo.name);
  json::kv(w, "repositoryUri", repository_uri(ctx, repo.name));
  w.Key("createdAt");
  json::epoch_seconds(w, repo.created_at);
  json::kv(w, "imageTagMutability", repo.tag_mutability);
  for (const char* key : {"imageTagMutabilityExclusionFilters", "imageScanningConfiguration", "encryptionConfiguration"})
    if (const json::Value* v = json::member(doc, key)) {
      w.Key(key);
      v->Accept(w);
    }
  w.EndObject();
}

}  // namespace berth::api::ecr
