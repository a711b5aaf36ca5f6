// PutLifecyclePolicy, GetLifecyclePolicy, DeleteLifecyclePolicy, StartLifecyclePolicyPreview,
// GetLifecyclePolicyPreview. The rules live in registry/lifecycle.h; the job that applies
// policies for real in registry/lifecycle_apply.h.
#include <set>

#include "api/ecr/errors.h"
#include "api/ecr/repository_access.h"
#include "api/pagination.h"
#include "api/services.h"
#include "registry/lifecycle_apply.h"
#include "state/ecr_lifecycle_store.h"
#include "state/ecr_store.h"

namespace berth::api::ecr {
namespace {
using state::RepositoryRow;

// The policy text, parsed, or ECR's error for a bad one.
std::variant<registry::lifecycle::Policy, AwsError> checked_policy(std::string_view text) {
  auto parsed = registry::lifecycle::parse_policy(text);
  if (auto* why = std::get_if<std::string>(&parsed))
    return errors::invalid_parameter(
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation "
        "failure: " + *why + "'");
  return std::get<registry::lifecycle::Policy>(std::move(parsed));
}

void write_head(OpContext& ctx, json::Writer& w, const RepositoryRow& repo, std::string_view policy) {
  json::kv(w, "registryId", ctx.account);
  json::kv(w, "repositoryName", repo.name);
  json::kv(w, "lifecyclePolicyText", policy);
}

// When the policy was last applied; a policy never applied yet reports the epoch.
void write_last_evaluated(OpContext& ctx, json::Writer& w, const RepositoryRow& repo) {
  w.Key("lastEvaluatedAt");
  json::epoch_seconds(w, state::EcrLifecycleStore(ctx.db).evaluated_at(repo.id).value_or(0));
}

Outcome put_lifecycle_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto repo = std::get<RepositoryRow>(std::move(found));
  std::string text(json::view(in["lifecyclePolicyText"]));
  auto policy = checked_policy(text);
  if (auto* e = std::get_if<AwsError>(&policy)) return *e;
  repo.lifecycle_policy = text;
  repo.lifecycle_updated_at = ctx.clock.now_millis();
  state::EcrStore(ctx.db, ctx.scope()).update_repository(repo);
  Body b;
  b.w.StartObject();
  write_head(ctx, b.w, repo, text);
  b.w.EndObject();
  return b.done();
}

Outcome get_lifecycle_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<RepositoryRow>(found);
  if (!repo.lifecycle_policy) return errors::lifecycle_policy_not_found(repo.name, registry_id(ctx, in));
  Body b;
  b.w.StartObject();
  write_head(ctx, b.w, repo, *repo.lifecycle_policy);
  write_last_evaluated(ctx, b.w, repo);
  b.w.EndObject();
  return b.done();
}

Outcome delete_lifecycle_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto repo = std::get<RepositoryRow>(std::move(found));
  if (!repo.lifecycle_policy) return errors::lifecycle_policy_not_found(repo.name, registry_id(ctx, in));
  std::string text = std::move(*repo.lifecycle_policy);
  Body b;
  b.w.StartObject();
  write_head(ctx, b.w, repo, text);
  write_last_evaluated(ctx, b.w, repo);
  b.w.EndObject();
  repo.lifecycle_policy.reset();
  repo.lifecycle_updated_at.reset();
  state::EcrStore(ctx.db, ctx.scope()).update_repository(repo);
  return b.done();
}

// The preview's results as GetLifecyclePolicyPreview shows them, kept as JSON text.
std::string preview_results(const std::vector<registry::ExpiringImage>& expiring) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartArray();
  for (const auto& e : expiring) {
    w.StartObject();
    w.Key("imageTags");
    w.StartArray();
    for (const auto& t : e.image.tags) json::str(w, t);
    w.EndArray();
    json::kv(w, "imageDigest", e.image.digest);
    w.Key("imagePushedAt");
    json::epoch_seconds(w, e.image.pushed_at);
    w.Key("action");
    w.StartObject();
    json::kv(w, "type", "EXPIRE");
    w.EndObject();
    w.Key("appliedRulePriority");
    w.Int64(e.rule_priority);
    w.EndObject();
  }
  w.EndArray();
  return {buf.GetString(), buf.GetSize()};
}

// The preview is computed at once and stored; like ECR, Start answers IN_PROGRESS and Get
// then reports COMPLETE (so waiters and polling clients behave as against AWS).
Outcome start_lifecycle_policy_preview(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<RepositoryRow>(found);
  std::string text;
  if (auto given = json::get_string(in, "lifecyclePolicyText"))
    text = std::string(*given);
  else if (repo.lifecycle_policy)
    text = *repo.lifecycle_policy;
  else
    return errors::lifecycle_policy_not_found(repo.name, registry_id(ctx, in));
  auto policy = checked_policy(text);
  if (auto* e = std::get_if<AwsError>(&policy)) return *e;

  std::int64_t now = ctx.clock.now_millis();
  state::EcrStore store(ctx.db, ctx.scope());
  auto expiring =
      registry::expiring_images(store, repo.id, std::get<registry::lifecycle::Policy>(policy), now);
  state::EcrLifecycleStore(ctx.db).put_preview(repo.id, {text, "COMPLETE", preview_results(expiring), now});
  Body b;
  b.w.StartObject();
  write_head(ctx, b.w, repo, text);
  json::kv(b.w, "status", "IN_PROGRESS");
  b.w.EndObject();
  return b.done();
}

bool has_tags(const json::Value& result) { return result["imageTags"].Size() > 0; }

// Whether a stored result is among the requested imageIds (by digest or by tag).
bool wanted(const json::Value& result, const json::Value* image_ids) {
  if (!image_ids) return true;
  for (const auto& id : image_ids->GetArray()) {
    if (auto d = json::get_string(id, "imageDigest"); d && *d == json::view(result["imageDigest"])) return true;
    if (auto t = json::get_string(id, "imageTag"))
      for (const auto& tag : result["imageTags"].GetArray())
        if (json::view(tag) == *t) return true;
  }
  return false;
}

Outcome get_lifecycle_policy_preview(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<RepositoryRow>(found);
  auto preview = state::EcrLifecycleStore(ctx.db).preview(repo.id);
  if (!preview) return errors::lifecycle_preview_not_found(repo.name, registry_id(ctx, in));

  const json::Value* image_ids = json::member(in, "imageIds");
  if (image_ids && image_ids->Empty()) image_ids = nullptr;
  if (image_ids && (json::member(in, "maxResults") || json::member(in, "nextToken")))
    return errors::invalid_parameter("Cannot specify both imageIds and maxResults/nextToken");
  std::string_view tag_status = "ANY";
  if (const json::Value* f = json::member(in, "filter")) tag_status = json::get_string(*f, "tagStatus").value_or("ANY");
  std::size_t limit = static_cast<std::size_t>(json::get_int(in, "maxResults").value_or(100));
  std::size_t start = 0;
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor || cursor->empty() || cursor->find_first_not_of("0123456789") != std::string::npos)
      return errors::invalid_parameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid token'");
    start = std::stoul(*cursor);
  }

  rapidjson::Document results;
  results.Parse(preview->results.c_str(), preview->results.size());
  std::vector<const json::Value*> selected;
  for (const auto& r : results.GetArray()) {
    if (tag_status == "TAGGED" && !has_tags(r)) continue;
    if (tag_status == "UNTAGGED" && has_tags(r)) continue;
    if (wanted(r, image_ids)) selected.push_back(&r);
  }
  Body b;
  b.w.StartObject();
  write_head(ctx, b.w, repo, preview->policy);
  json::kv(b.w, "status", preview->status);
  b.w.Key("previewResults");
  b.w.StartArray();
  std::size_t end = std::min(selected.size(), start + limit);
  for (std::size_t i = start; i < end; ++i) selected[i]->Accept(b.w);
  b.w.EndArray();
  if (end < selected.size()) json::kv(b.w, "nextToken", pagination::encode(std::to_string(end)));
  b.w.Key("summary");
  b.w.StartObject();
  b.w.Key("expiringImageTotalCount");
  b.w.Int64(static_cast<std::int64_t>(results.Size()));
  b.w.EndObject();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_lifecycle(OperationTable& t) {
  t.add("ecr", "PutLifecyclePolicy", put_lifecycle_policy, Access::Write);
  t.add("ecr", "GetLifecyclePolicy", get_lifecycle_policy, Access::Read);
  t.add("ecr", "DeleteLifecyclePolicy", delete_lifecycle_policy, Access::Write);
  t.add("ecr", "StartLifecyclePolicyPreview", start_lifecycle_policy_preview, Access::Write);
  t.add("ecr", "GetLifecyclePolicyPreview", get_lifecycle_policy_preview, Access::Read);
}

}  // namespace berth::api::ecr
