// SetRepositoryPolicy, GetRepositoryPolicy, DeleteRepositoryPolicy. berth enforces no IAM, so a
// policy is checked for shape and kept as given, to be read back.
#include "api/ecr/errors.h"
#include "api/ecr/registry_rules.h"
#include "api/ecr/repository_access.h"
#include "api/services.h"
#include "state/ecr_store.h"

namespace berth::api::ecr {
namespace {

bool valid_statement(const json::Value& s) {
  if (!s.IsObject()) return false;
  std::string_view effect = json::get_string(s, "Effect").value_or("");
  if (effect != "Allow" && effect != "Deny") return false;
  bool action = json::member(s, "Action") || json::member(s, "NotAction");
  bool principal = json::member(s, "Principal") || json::member(s, "NotPrincipal");
  return action && principal;
}

}  // namespace

bool valid_resource_policy(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const json::Value* st = json::member(doc, "Statement");
  if (!st) return false;
  if (st->IsObject()) return valid_statement(*st);
  if (!st->IsArray() || st->Empty()) return false;
  for (const auto& s : st->GetArray())
    if (!valid_statement(s)) return false;
  return true;
}

namespace {


Outcome reply(OpContext& ctx, const state::RepositoryRow& repo, std::string_view policy) {
  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  json::kv(b.w, "repositoryName", repo.name);
  json::kv(b.w, "policyText", policy);
  b.w.EndObject();
  return b.done();
}

Outcome set_repository_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto repo = std::get<state::RepositoryRow>(std::move(found));
  std::string text(json::view(in["policyText"]));
  if (!valid_resource_policy(text))
    return errors::invalid_parameter(
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
  // `force` guards against a policy that locks its author out; with no IAM there is nothing
  // to lock, so it changes nothing here.
  repo.policy = text;
  state::EcrStore(ctx.db, ctx.scope()).update_repository(repo);
  return reply(ctx, repo, text);
}

Outcome get_repository_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  if (!repo.policy) return errors::repository_policy_not_found(repo.name, registry_id(ctx, in));
  return reply(ctx, repo, *repo.policy);
}

Outcome delete_repository_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto repo = std::get<state::RepositoryRow>(std::move(found));
  if (!repo.policy) return errors::repository_policy_not_found(repo.name, registry_id(ctx, in));
  std::string text = std::move(*repo.policy);
  repo.policy.reset();
  state::EcrStore(ctx.db, ctx.scope()).update_repository(repo);
  return reply(ctx, repo, text);
}
}  // namespace

void register_policies(OperationTable& t) {
  t.add("ecr", "SetRepositoryPolicy", set_repository_policy, Access::Write);
  t.add("ecr", "GetRepositoryPolicy", get_repository_policy, Access::Read);
  t.add("ecr", "DeleteRepositoryPolicy", delete_repository_policy, Access::Write);
}

}  // namespace berth::api::ecr
