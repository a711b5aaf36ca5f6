// CreateRepository, DescribeRepositories, DeleteRepository, PutImageTagMutability.
#include "api/ecr/errors.h"
#include "api/ecr/repository_access.h"
#include "api/pagination.h"
#include "api/services.h"
#include "registry/images.h"
#include "state/ecr_store.h"
#include "state/tags_store.h"

namespace berth::api::ecr {
namespace {

std::vector<state::Tag> tags_of(const json::Value& in) {
  std::vector<state::Tag> out;
  if (const json::Value* tags = json::member(in, "tags"))
    for (const auto& t : tags->GetArray())
      out.emplace_back(std::string(json::get_string(t, "Key").value_or("")),
                       std::string(json::get_string(t, "Value").value_or("")));
  return out;
}

Outcome reply_with_repository(OpContext& ctx, const state::RepositoryRow& repo) {
  Body b;
  b.w.StartObject();
  b.w.Key("repository");
  write_repository(ctx, b.w, repo);
  b.w.EndObject();
  return b.done();
}

Outcome create_repository(OpContext& ctx, const json::Value& in) {
  std::string name(json::view(in["repositoryName"]));
  std::string rid = registry_id(ctx, in);
  // Another account's registry: no policy can grant creating a repository there, so IAM's
  // cross-account refusal answers (berth's inference; AWS's exact text was not captured).
  if (rid != ctx.account) {
    std::string caller = ctx.caller.arn.empty() ? ctx.principal_arn() : ctx.caller.arn;
    return AwsError::client("AccessDeniedException",
                            "User: " + caller + " is not authorized to perform: ecr:CreateRepository on resource: " +
                                "arn:aws:ecr:" + ctx.region + ":" + rid + ":repository/" + name +
                                " because no resource-based policy allows the ecr:CreateRepository action",
                            400);
  }
  state::EcrStore store(ctx.db, ctx.scope());
  if (store.repository(name)) return errors::repository_already_exists(name, rid);
  auto tags = tags_of(in);
  if (tags.size() > 50) return AwsError::client("TooManyTagsException", "Tags size limit of 50 is exceeded.");
  for (const auto& [k, v] : tags)
    if (k.starts_with("aws:"))
      return AwsError::client("InvalidTagParameterException", "Tag keys cannot start with the reserved prefix 'aws:'.");

  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  bool scan_on_push = false;
  if (const json::Value* sc = json::member(in, "imageScanningConfiguration"))
    scan_on_push = json::get_bool(*sc, "scanOnPush").value_or(false);
  rapidjson::Value scanning(rapidjson::kObjectType);
  scanning.AddMember("scanOnPush", scan_on_push, a);
  doc.AddMember("imageScanningConfiguration", scanning, a);
  rapidjson::Value encryption(rapidjson::kObjectType);
  std::string enc_type = "AES256";
  std::optional<std::string> kms;
  if (const json::Value* e = json::member(in, "encryptionConfiguration")) {
    enc_type = std::string(json::get_string(*e, "encryptionType").value_or("AES256"));
    if (auto k = json::get_string(*e, "kmsKey")) kms = std::string(*k);
    if (enc_type == "AES256" && kms)
      return errors::invalid_parameter("Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: "
                                       "'KMS key is only allowed with encryption type KMS'");
  }
  encryption.AddMember("encryptionType", rapidjson::Value(enc_type.c_str(), a), a);
  if (enc_type.starts_with("KMS"))
    encryption.AddMember("kmsKey",
                         rapidjson::Value(kms.value_or("arn:aws:kms:" + ctx.region + ":" + ctx.account +
                                                       ":key/aws/ecr").c_str(), a),
                         a);
  doc.AddMember("encryptionConfiguration", encryption, a);
  if (const json::Value* f = json::member(in, "imageTagMutabilityExclusionFilters"))
    doc.AddMember("imageTagMutabilityExclusionFilters", rapidjson::Value(*f, a), a);

  state::RepositoryRow repo;
  repo.name = name;
  repo.arn = "arn:aws:ecr:" + ctx.region + ":" + ctx.account + ":repository/" + name;
  repo.created_at = ctx.clock.now_millis();
  repo.tag_mutability = std::string(json::get_string(in, "imageTagMutability").value_or("MUTABLE"));
  repo.doc = json::dump(doc);
  repo.id = store.insert_repository(repo);
  state::TagsStore(ctx.db).put(repo.arn, tags);
  return reply_with_repository(ctx, repo);
}

Outcome describe_repositories(OpContext& ctx, const json::Value& in) {
  std::string rid = registry_id(ctx, in);
  state::EcrStore store(ctx.db, ctx.scope());
  std::vector<state::RepositoryRow> repos;
  std::string next;
  if (const json::Value* names = json::member(in, "repositoryNames"); names && names->Size() > 0) {
    if (json::member(in, "maxResults") || json::member(in, "nextToken"))
      return errors::invalid_parameter("Cannot specify both repositoryNames and maxResults/nextToken");
    for (const auto& n : names->GetArray()) {
      auto repo = rid == ctx.account ? store.repository(json::view(n)) : std::nullopt;
      if (!repo) return errors::repository_not_found(json::view(n), rid);
      repos.push_back(std::move(*repo));
    }
  } else {
    int limit = static_cast<int>(json::get_int(in, "maxResults").value_or(100));
    std::string after;
    if (auto t = json::get_string(in, "nextToken")) {
      auto cursor = pagination::decode(*t);
      if (!cursor) return errors::invalid_parameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid token'");
      after = *cursor;
    }
    if (rid == ctx.account) repos = store.repositories(after, limit + 1);
    if (static_cast<int>(repos.size()) > limit) {
      repos.resize(static_cast<std::size_t>(limit));
      next = pagination::encode(repos.back().name);
    }
  }
  Body b;
  b.w.StartObject();
  b.w.Key("repositories");
  b.w.StartArray();
  for (const auto& r : repos) write_repository(ctx, b.w, r);
  b.w.EndArray();
  if (!next.empty()) json::kv(b.w, "nextToken", next);
  b.w.EndObject();
  return b.done();
}

Outcome delete_repository(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  state::EcrStore store(ctx.db, ctx.scope());
  if (store.image_count(repo.id) > 0 && !json::get_bool(in, "force").value_or(false))
    return errors::repository_not_empty(repo.name, registry_id(ctx, in));
  store.delete_repository(repo.id);
  state::TagsStore(ctx.db).remove_all(repo.arn);
  collect_garbage_after_commit(ctx);
  return reply_with_repository(ctx, repo);
}

Outcome put_image_tag_mutability(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto repo = std::get<state::RepositoryRow>(std::move(found));
  repo.tag_mutability = std::string(json::view(in["imageTagMutability"]));
  state::EcrStore(ctx.db, ctx.scope()).update_repository(repo);
  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  json::kv(b.w, "repositoryName", repo.name);
  json::kv(b.w, "imageTagMutability", repo.tag_mutability);
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_repositories(OperationTable& t) {
  t.add("ecr", "CreateRepository", create_repository, Access::Write);
  t.add("ecr", "DescribeRepositories", describe_repositories, Access::Read);
  t.add("ecr", "DeleteRepository", delete_repository, Access::Write);
  t.add("ecr", "PutImageTagMutability", put_image_tag_mutability, Access::Write);
}

}  // namespace berth::api::ecr
