// The registry of an account and region: its policy (Put/Get/DeleteRegistryPolicy), its
// replication configuration (PutReplicationConfiguration, DescribeRegistry,
// DescribeImageReplicationStatus) and account settings (Get/PutAccountSetting). Pushed images
// are copied to the destinations by registry/replication.h.
#include <algorithm>
#include <vector>

#include "api/ecr/errors.h"
#include "api/ecr/image_ids.h"
#include "api/ecr/registry_rules.h"
#include "api/ecr/repository_access.h"
#include "api/services.h"
#include "registry/replication.h"
#include "state/ecr_settings_store.h"
#include "state/ecr_store.h"

namespace berth::api::ecr {
namespace {
using state::EcrSettingsStore;

constexpr std::size_t kMaxReplicationRules = 10;         // ECR's quota per registry
constexpr std::size_t kMaxReplicationDestinations = 25;  // across all rules

Outcome policy_reply(OpContext& ctx, std::string_view text) {
  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  json::kv(b.w, "policyText", text);
  b.w.EndObject();
  return b.done();
}

Outcome put_registry_policy(OpContext& ctx, const json::Value& in) {
  std::string_view text = json::view(in["policyText"]);
  if (!valid_resource_policy(text))
    return errors::invalid_parameter(
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'");
  EcrSettingsStore(ctx.db, ctx.scope()).put(state::ecr_setting::kRegistryPolicy, "", text, ctx.clock.now_millis());
  return policy_reply(ctx, text);
}

Outcome get_registry_policy(OpContext& ctx, const json::Value&) {
  auto row = EcrSettingsStore(ctx.db, ctx.scope()).get(state::ecr_setting::kRegistryPolicy, "");
  if (!row) return errors::registry_policy_not_found(ctx.account);
  return policy_reply(ctx, row->doc);
}

Outcome delete_registry_policy(OpContext& ctx, const json::Value&) {
  EcrSettingsStore store(ctx.db, ctx.scope());
  auto row = store.get(state::ecr_setting::kRegistryPolicy, "");
  if (!row) return errors::registry_policy_not_found(ctx.account);
  store.remove(state::ecr_setting::kRegistryPolicy, "");
  return policy_reply(ctx, row->doc);
}

// The stored replication configuration, or `{"rules":[]}`.
std::string replication_of(OpContext& ctx) {
  auto row = EcrSettingsStore(ctx.db, ctx.scope()).get(state::ecr_setting::kReplication, "");
  return row ? row->doc : R"({"rules":[]})";
}

Outcome put_replication_configuration(OpContext& ctx, const json::Value& in) {
  const json::Value& config = in["replicationConfiguration"];
  const json::Value& rules = config["rules"];
  if (rules.Size() > kMaxReplicationRules)
    return errors::invalid_parameter("Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: "
                                     "'Number of replication rules must be at most 10'");
  std::size_t destinations = 0;
  for (const auto& rule : rules.GetArray()) {
    for (const auto& d : rule["destinations"].GetArray()) {
      ++destinations;
      if (json::view(d["region"]) == ctx.region && json::view(d["registryId"]) == ctx.account)
        return errors::invalid_parameter(
            "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'Replication destination "
            "cannot be the same as the source registry'");
    }
  }
  if (destinations > kMaxReplicationDestinations)
    return errors::invalid_parameter("Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: "
                                     "'Number of replication destinations must be at most 25'");
  std::string doc = json::dump(config);
  EcrSettingsStore(ctx.db, ctx.scope()).put(state::ecr_setting::kReplication, "", doc, ctx.clock.now_millis());
  return Outcome::ok(R"({"replicationConfiguration":)" + doc + "}");
}

Outcome describe_registry(OpContext& ctx, const json::Value&) {
  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  b.w.Key("replicationConfiguration");
  std::string config = replication_of(ctx);
  b.w.RawValue(config.c_str(), config.size(), rapidjson::kObjectType);
  b.w.EndObject();
  return b.done();
}

// Whether a rule applies to a repository: no filters, or a PREFIX_MATCH filter its name starts with.
bool rule_applies(const json::Value& rule, std::string_view repository) {
  const json::Value* filters = json::member(rule, "repositoryFilters");
  if (!filters || !filters->IsArray() || filters->Empty()) return true;
  for (const auto& f : filters->GetArray())
    if (repository.starts_with(json::view(f["filter"]))) return true;
  return false;
}

Outcome describe_image_replication_status(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  state::EcrStore store(ctx.db, ctx.scope());
  ImageId id = image_id(in["imageId"]);
  auto image = resolve(store, repo.id, id);
  if (!std::holds_alternative<state::ImageRow>(image))
    return errors::image_not_found(describe_id(id), repo.name, ctx.account);
  rapidjson::Document config;
  config.Parse(replication_of(ctx).c_str());
  Body b;
  b.w.StartObject();
  json::kv(b.w, "repositoryName", repo.name);
  b.w.Key("imageId");
  write_image_id(b.w, {std::get<state::ImageRow>(image).digest, id.tag});
  b.w.Key("replicationStatuses");
  b.w.StartArray();
  for (const auto& rule : config["rules"].GetArray()) {
    if (!rule_applies(rule, repo.name)) continue;
    for (const auto& d : rule["destinations"].GetArray()) {
      b.w.StartObject();
      json::kv(b.w, "region", json::view(d["region"]));
      json::kv(b.w, "registryId", json::view(d["registryId"]));
      state::Scope dest{std::string(json::view(d["registryId"])), std::string(json::view(d["region"]))};
      if (registry::replicated(ctx.db, dest, repo.name, std::get<state::ImageRow>(image).digest)) {
        json::kv(b.w, "status", "COMPLETE");
      } else {
        // Pushed before the rule existed (ECR does not replicate those either).
        json::kv(b.w, "status", "FAILED");
        json::kv(b.w, "failureCode", "IMAGE_NOT_REPLICATED");
      }
      b.w.EndObject();
    }
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

// Account settings ECR documents, with their default and allowed values.
struct AccountSetting {
  const char* name;
  const char* fallback;
  std::vector<std::string_view> values;
};
const std::vector<AccountSetting>& account_settings() {
  static const std::vector<AccountSetting> all = {
      {"BASIC_SCAN_TYPE_VERSION", "AWS_NATIVE", {"AWS_NATIVE", "CLAIR"}},
      {"REGISTRY_POLICY_SCOPE", "V2", {"V1", "V2"}},
  };
  return all;
}

std::variant<const AccountSetting*, AwsError> setting_named(std::string_view name) {
  for (const auto& s : account_settings())
    if (name == s.name) return &s;
  return errors::invalid_parameter("Invalid parameter at 'name' failed to satisfy constraint: 'Member must satisfy "
                                   "enum value set: [BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE]'");
}

Outcome setting_reply(std::string_view name, std::string_view value) {
  Body b;
  b.w.StartObject();
  json::kv(b.w, "name", name);
  json::kv(b.w, "value", value);
  b.w.EndObject();
  return b.done();
}

Outcome get_account_setting(OpContext& ctx, const json::Value& in) {
  auto setting = setting_named(json::view(in["name"]));
  if (auto* e = std::get_if<AwsError>(&setting)) return *e;
  const AccountSetting* s = std::get<const AccountSetting*>(setting);
  auto row = EcrSettingsStore(ctx.db, ctx.scope()).get(state::ecr_setting::kAccountSetting, s->name);
  return setting_reply(s->name, row ? row->doc : s->fallback);
}

Outcome put_account_setting(OpContext& ctx, const json::Value& in) {
  auto setting = setting_named(json::view(in["name"]));
  if (auto* e = std::get_if<AwsError>(&setting)) return *e;
  const AccountSetting* s = std::get<const AccountSetting*>(setting);
  std::string_view value = json::view(in["value"]);
  if (std::find(s->values.begin(), s->values.end(), value) == s->values.end()) {
    std::string allowed;
    for (auto v : s->values) allowed += (allowed.empty() ? "" : ", ") + std::string(v);
    return errors::invalid_parameter("Invalid parameter at 'value' failed to satisfy constraint: 'Member must "
                                     "satisfy enum value set: [" + allowed + "]'");
  }
  EcrSettingsStore(ctx.db, ctx.scope()).put(state::ecr_setting::kAccountSetting, s->name, value, ctx.clock.now_millis());
  return setting_reply(s->name, value);
}
}  // namespace

void register_registry(OperationTable& t) {
  t.add("ecr", "PutRegistryPolicy", put_registry_policy, Access::Write);
  t.add("ecr", "GetRegistryPolicy", get_registry_policy, Access::Read);
  t.add("ecr", "DeleteRegistryPolicy", delete_registry_policy, Access::Write);
  t.add("ecr", "PutReplicationConfiguration", put_replication_configuration, Access::Write);
  t.add("ecr", "DescribeRegistry", describe_registry, Access::Read);
  t.add("ecr", "DescribeImageReplicationStatus", describe_image_replication_status, Access::Read);
  t.add("ecr", "GetAccountSetting", get_account_setting, Access::Read);
  t.add("ecr", "PutAccountSetting", put_account_setting, Access::Write);
}

}  // namespace berth::api::ecr
