// Pull through cache rules: Create/Describe/Update/Delete/ValidatePullThroughCacheRule. Rules
// are stored with ECR's checks (the upstream registry URL, which upstreams need a
// credentialArn, the limit per registry), but berth reaches no upstream registry:
// ValidatePullThroughCacheRule answers isValid false and says so, and a pull through a
// prefix finds no repository (berth creates none from an upstream).
#include <algorithm>

#include "api/ecr/errors.h"
#include "api/ecr/registry_rules.h"
#include "api/ecr/repository_access.h"
#include "api/pagination.h"
#include "api/ecr/registration.h"
#include "api/ecr/setting_pages.h"
#include "api/services.h"
#include "state/ecr_settings_store.h"

namespace berth::api::ecr {

std::optional<Upstream> upstream_of(std::string_view url) {
  if (url.starts_with("https://")) url.remove_prefix(8);
  while (url.ends_with("/")) url.remove_suffix(1);
  struct Known {
    const char* host;
    const char* registry;
    bool needs_credential;
  };
  static const Known known[] = {
      {"public.ecr.aws", "ecr-public", false},
      {"registry.k8s.io", "k8s", false},
      {"quay.io", "quay", false},
      {"registry-1.docker.io", "docker-hub", true},
      {"ghcr.io", "github-container-registry", true},
      {"registry.gitlab.com", "gitlab-container-registry", true},
      {"cgr.dev", "chainguard", false},
  };
  for (const auto& k : known)
    if (url == k.host) return Upstream{k.registry, k.needs_credential};
  if (url.ends_with(".azurecr.io") && url.size() > 11) return Upstream{"azure-container-registry", true};
  // Another ECR private registry: ACCOUNT.dkr.ecr.REGION.amazonaws.com.
  if (url.size() > 12 && url.find(".dkr.ecr.") == 12 && url.ends_with(".amazonaws.com") &&
      std::all_of(url.begin(), url.begin() + 12, [](char c) { return c >= '0' && c <= '9'; }))
    return Upstream{"ecr", false};
  return std::nullopt;
}

namespace {
using state::EcrSettingsStore;

constexpr std::size_t kMaxRules = 50;  // ECR's quota per registry

void write_rule(OpContext& ctx, json::Writer& w, const state::EcrSettingRow& row, bool with_updated) {
  rapidjson::Document d;
  d.Parse(row.doc.c_str());
  w.StartObject();
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    w.Key(it->name.GetString());
    it->value.Accept(w);
  }
  json::kv(w, "registryId", ctx.account);
  w.Key("createdAt");
  json::epoch_seconds(w, row.created_at);
  if (with_updated) {
    w.Key("updatedAt");
    json::epoch_seconds(w, row.updated_at);
  }
  w.EndObject();
}

Outcome rule_reply(OpContext& ctx, const state::EcrSettingRow& row, bool with_updated) {
  Body b;
  write_rule(ctx, b.w, row, with_updated);
  return b.done();
}

Outcome create_pull_through_cache_rule(OpContext& ctx, const json::Value& in) {
  std::string prefix(json::view(in["ecrRepositoryPrefix"]));
  std::string_view url = json::view(in["upstreamRegistryUrl"]);
  auto upstream = upstream_of(url);
  if (!upstream)
    return AwsError::client("UnsupportedUpstreamRegistryException",
                            "The specified upstream registry '" + std::string(url) + "' is not supported.");
  if (auto given = json::get_string(in, "upstreamRegistry"); given && *given != upstream->registry)
    return errors::invalid_parameter("Invalid parameter at 'upstreamRegistry' failed to satisfy constraint: "
                                     "'The upstream registry does not match the upstream registry URL'");
  auto credential = json::get_string(in, "credentialArn");
  if (upstream->needs_credential && !credential)
    return errors::invalid_parameter("Invalid parameter at 'credentialArn' failed to satisfy constraint: 'A "
                                     "credential ARN is required for the upstream registry " + upstream->registry + "'");
  if (upstream->registry == "ecr" && !json::get_string(in, "customRoleArn"))
    return errors::invalid_parameter("Invalid parameter at 'customRoleArn' failed to satisfy constraint: 'A custom "
                                     "role ARN is required for the upstream registry ecr'");
  EcrSettingsStore store(ctx.db, ctx.scope());
  if (store.get(state::ecr_setting::kPullThroughCache, prefix)) return errors::pull_through_rule_exists(prefix, ctx.account);
  if (store.all(state::ecr_setting::kPullThroughCache).size() >= kMaxRules)
    return AwsError::client("LimitExceededException",
                            "The maximum number of pull through cache rules (50) has been reached for this registry.");
  Body doc;
  doc.w.StartObject();
  json::kv(doc.w, "ecrRepositoryPrefix", prefix);
  json::kv(doc.w, "upstreamRegistryUrl", url);
  json::kv(doc.w, "upstreamRegistry", upstream->registry);
  if (credential) json::kv(doc.w, "credentialArn", *credential);
  if (auto role = json::get_string(in, "customRoleArn")) json::kv(doc.w, "customRoleArn", *role);
  json::kv(doc.w, "upstreamRepositoryPrefix", json::get_string(in, "upstreamRepositoryPrefix").value_or("ROOT"));
  doc.w.EndObject();
  std::int64_t now = ctx.clock.now_millis();
  store.put(state::ecr_setting::kPullThroughCache, prefix, doc.done().take_body(), now);
  return rule_reply(ctx, *store.get(state::ecr_setting::kPullThroughCache, prefix), false);
}

Outcome describe_pull_through_cache_rules(OpContext& ctx, const json::Value& in) {
  EcrSettingsStore store(ctx.db, ctx.scope());
  std::vector<state::EcrSettingRow> rows;
  if (const json::Value* prefixes = json::member(in, "ecrRepositoryPrefixes"); prefixes && prefixes->Size() > 0) {
    for (const auto& p : prefixes->GetArray()) {
      auto row = store.get(state::ecr_setting::kPullThroughCache, json::view(p));
      if (!row) return errors::pull_through_rule_not_found(json::view(p), ctx.account);
      rows.push_back(std::move(*row));
    }
  } else {
    rows = store.all(state::ecr_setting::kPullThroughCache);
  }
  auto paged = setting_page(rows, in);
  if (auto* e = std::get_if<AwsError>(&paged)) return *e;
  const auto page = std::get<SettingPage>(paged);
  Body b;
  b.w.StartObject();
  b.w.Key("pullThroughCacheRules");
  b.w.StartArray();
  for (std::size_t i = page.start; i < page.end; ++i) write_rule(ctx, b.w, rows[i], true);
  b.w.EndArray();
  write_next_token(b.w, rows, page);
  b.w.EndObject();
  return b.done();
}

Outcome update_pull_through_cache_rule(OpContext& ctx, const json::Value& in) {
  std::string prefix(json::view(in["ecrRepositoryPrefix"]));
  EcrSettingsStore store(ctx.db, ctx.scope());
  auto row = store.get(state::ecr_setting::kPullThroughCache, prefix);
  if (!row) return errors::pull_through_rule_not_found(prefix, ctx.account);
  rapidjson::Document d;
  d.Parse(row->doc.c_str());
  auto& a = d.GetAllocator();
  for (const char* member : {"credentialArn", "customRoleArn"})
    if (auto v = json::get_string(in, member)) {
      d.RemoveMember(member);
      d.AddMember(rapidjson::Value(member, a), rapidjson::Value(std::string(*v).c_str(), a), a);
    }
  store.put(state::ecr_setting::kPullThroughCache, prefix, json::dump(d), ctx.clock.now_millis());
  row = store.get(state::ecr_setting::kPullThroughCache, prefix);
  Body b;
  b.w.StartObject();
  json::kv(b.w, "ecrRepositoryPrefix", prefix);
  json::kv(b.w, "registryId", ctx.account);
  b.w.Key("updatedAt");
  json::epoch_seconds(b.w, row->updated_at);
  for (const char* member : {"credentialArn", "customRoleArn", "upstreamRepositoryPrefix"})
    if (auto v = json::get_string(d, member)) json::kv(b.w, member, *v);
  b.w.EndObject();
  return b.done();
}

Outcome delete_pull_through_cache_rule(OpContext& ctx, const json::Value& in) {
  std::string prefix(json::view(in["ecrRepositoryPrefix"]));
  EcrSettingsStore store(ctx.db, ctx.scope());
  auto row = store.get(state::ecr_setting::kPullThroughCache, prefix);
  if (!row) return errors::pull_through_rule_not_found(prefix, ctx.account);
  store.remove(state::ecr_setting::kPullThroughCache, prefix);
  return rule_reply(ctx, *row, false);
}

Outcome validate_pull_through_cache_rule(OpContext& ctx, const json::Value& in) {
  std::string prefix(json::view(in["ecrRepositoryPrefix"]));
  auto row = EcrSettingsStore(ctx.db, ctx.scope()).get(state::ecr_setting::kPullThroughCache, prefix);
  if (!row) return errors::pull_through_rule_not_found(prefix, ctx.account);
  rapidjson::Document d;
  d.Parse(row->doc.c_str());
  Body b;
  b.w.StartObject();
  json::kv(b.w, "ecrRepositoryPrefix", prefix);
  json::kv(b.w, "registryId", ctx.account);
  for (const char* member : {"upstreamRegistryUrl", "credentialArn", "customRoleArn", "upstreamRepositoryPrefix"})
    if (auto v = json::get_string(d, member)) json::kv(b.w, member, *v);
  b.w.Key("isValid");
  b.w.Bool(false);
  json::kv(b.w, "failure", "berth cannot reach upstream registries: the rule is stored but never pulls through.");
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_pull_through_cache(OperationTable& t) {
  t.add("ecr", "CreatePullThroughCacheRule", create_pull_through_cache_rule, Access::Write);
  t.add("ecr", "DescribePullThroughCacheRules", describe_pull_through_cache_rules, Access::Read);
  t.add("ecr", "UpdatePullThroughCacheRule", update_pull_through_cache_rule, Access::Write);
  t.add("ecr", "DeletePullThroughCacheRule", delete_pull_through_cache_rule, Access::Write);
  t.add("ecr", "ValidatePullThroughCacheRule", validate_pull_through_cache_rule, Access::Read);
}

}  // namespace berth::api::ecr
