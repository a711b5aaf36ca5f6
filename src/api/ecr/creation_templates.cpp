// Repository creation templates: Create/Describe/Update/DeleteRepositoryCreationTemplate,
// stored with ECR's checks (prefix or ROOT, appliedFor, the policies parse, KMS only with a KMS
// encryption type). ECR applies a template when it creates a repository itself (create on
// push, pull through cache, replication); berth creates repositories only through
// CreateRepository, which templates do not touch, so they are stored and never applied.
#include "api/ecr/errors.h"
#include "api/ecr/registry_rules.h"
#include "api/pagination.h"
#include "api/ecr/registration.h"
#include "api/ecr/setting_pages.h"
#include "api/services.h"
#include "registry/lifecycle.h"
#include "state/ecr_settings_store.h"

namespace berth::api::ecr {
namespace {
using state::EcrSettingsStore;

constexpr std::size_t kMaxTemplates = 100;  // berth's bound; ECR's quota was not established

// The members a template keeps; `in` is a Create or Update request, `base` the stored template
// an Update starts from (an Update replaces what it names and keeps the rest).
std::variant<std::string, AwsError> template_doc(const json::Value& in, const json::Value* base) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  if (base)
    for (auto it = base->MemberBegin(); it != base->MemberEnd(); ++it)
      d.AddMember(rapidjson::Value(it->name, a), rapidjson::Value(it->value, a), a);
  for (const char* member : {"prefix", "description", "encryptionConfiguration", "resourceTags", "imageTagMutability",
                             "imageTagMutabilityExclusionFilters", "repositoryPolicy", "lifecyclePolicy",
                             "appliedFor", "customRoleArn"})
    if (const json::Value* v = json::member(in, member)) {
      d.RemoveMember(member);
      d.AddMember(rapidjson::Value(member, a), rapidjson::Value(*v, a), a);
    }
  if (!d.HasMember("encryptionConfiguration")) {
    rapidjson::Value enc(rapidjson::kObjectType);
    enc.AddMember("encryptionType", "AES256", a);
    d.AddMember("encryptionConfiguration", enc, a);
  }
  if (!d.HasMember("imageTagMutability")) d.AddMember("imageTagMutability", "MUTABLE", a);
  if (!d.HasMember("resourceTags")) d.AddMember("resourceTags", rapidjson::Value(rapidjson::kArrayType), a);
  const json::Value& enc = d["encryptionConfiguration"];
  if (json::view(enc["encryptionType"]) == "AES256" && json::get_string(enc, "kmsKey").value_or("") != "")
    return errors::invalid_parameter("Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: "
                                     "'KMS key is only allowed with encryption type KMS'");
  if (auto policy = json::get_string(d, "repositoryPolicy"); policy && !policy->empty() && !valid_resource_policy(*policy))
    return errors::invalid_parameter(
        "Invalid parameter at 'repositoryPolicy' failed to satisfy constraint: 'Invalid repository policy provided'");
  if (auto policy = json::get_string(d, "lifecyclePolicy"); policy && !policy->empty()) {
    auto parsed = registry::lifecycle::parse_policy(*policy);
    if (auto* why = std::get_if<std::string>(&parsed))
      return errors::invalid_parameter("Invalid parameter at 'lifecyclePolicy' failed to satisfy constraint: "
                                       "'Lifecycle policy validation failure: " + *why + "'");
  }
  if (const json::Value* applied = json::member(d, "appliedFor"); applied && applied->Empty())
    return errors::invalid_parameter(
        "Invalid parameter at 'appliedFor' failed to satisfy constraint: 'Member must have at least 1 element'");
  return json::dump(d);
}

void write_template(json::Writer& w, const state::EcrSettingRow& row) {
  rapidjson::Document d;
  d.Parse(row.doc.c_str());
  w.StartObject();
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    w.Key(it->name.GetString());
    it->value.Accept(w);
  }
  w.Key("createdAt");
  json::epoch_seconds(w, row.created_at);
  w.Key("updatedAt");
  json::epoch_seconds(w, row.updated_at);
  w.EndObject();
}

Outcome template_reply(OpContext& ctx, const state::EcrSettingRow& row) {
  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  b.w.Key("repositoryCreationTemplate");
  write_template(b.w, row);
  b.w.EndObject();
  return b.done();
}

Outcome create_template(OpContext& ctx, const json::Value& in) {
  std::string prefix(json::view(in["prefix"]));
  EcrSettingsStore store(ctx.db, ctx.scope());
  if (store.get(state::ecr_setting::kCreationTemplate, prefix)) return errors::template_exists(prefix, ctx.account);
  if (store.all(state::ecr_setting::kCreationTemplate).size() >= kMaxTemplates)
    return AwsError::client("LimitExceededException",
                            "The maximum number of repository creation templates has been reached for this registry.");
  auto doc = template_doc(in, nullptr);
  if (auto* e = std::get_if<AwsError>(&doc)) return *e;
  store.put(state::ecr_setting::kCreationTemplate, prefix, std::get<std::string>(doc), ctx.clock.now_millis());
  return template_reply(ctx, *store.get(state::ecr_setting::kCreationTemplate, prefix));
}

Outcome update_template(OpContext& ctx, const json::Value& in) {
  std::string prefix(json::view(in["prefix"]));
  EcrSettingsStore store(ctx.db, ctx.scope());
  auto row = store.get(state::ecr_setting::kCreationTemplate, prefix);
  if (!row) return errors::template_not_found(prefix, ctx.account);
  rapidjson::Document base;
  base.Parse(row->doc.c_str());
  auto doc = template_doc(in, &base);
  if (auto* e = std::get_if<AwsError>(&doc)) return *e;
  store.put(state::ecr_setting::kCreationTemplate, prefix, std::get<std::string>(doc), ctx.clock.now_millis());
  return template_reply(ctx, *store.get(state::ecr_setting::kCreationTemplate, prefix));
}

Outcome delete_template(OpContext& ctx, const json::Value& in) {
  std::string prefix(json::view(in["prefix"]));
  EcrSettingsStore store(ctx.db, ctx.scope());
  auto row = store.get(state::ecr_setting::kCreationTemplate, prefix);
  if (!row) return errors::template_not_found(prefix, ctx.account);
  store.remove(state::ecr_setting::kCreationTemplate, prefix);
  return template_reply(ctx, *row);
}

Outcome describe_templates(OpContext& ctx, const json::Value& in) {
  EcrSettingsStore store(ctx.db, ctx.scope());
  std::vector<state::EcrSettingRow> rows;
  if (const json::Value* prefixes = json::member(in, "prefixes"); prefixes && prefixes->Size() > 0) {
    // Unknown prefixes are left out, not an error (ECR's documented behaviour is silent here;
    // unverified).
    for (const auto& p : prefixes->GetArray())
      if (auto row = store.get(state::ecr_setting::kCreationTemplate, json::view(p))) rows.push_back(std::move(*row));
  } else {
    rows = store.all(state::ecr_setting::kCreationTemplate);
  }
  auto paged = setting_page(rows, in);
  if (auto* e = std::get_if<AwsError>(&paged)) return *e;
  const auto page = std::get<SettingPage>(paged);
  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  b.w.Key("repositoryCreationTemplates");
  b.w.StartArray();
  for (std::size_t i = page.start; i < page.end; ++i) write_template(b.w, rows[i]);
  b.w.EndArray();
  write_next_token(b.w, rows, page);
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_creation_templates(OperationTable& t) {
  t.add("ecr", "CreateRepositoryCreationTemplate", create_template, Access::Write);
  t.add("ecr", "DescribeRepositoryCreationTemplates", describe_templates, Access::Read);
  t.add("ecr", "UpdateRepositoryCreationTemplate", update_template, Access::Write);
  t.add("ecr", "DeleteRepositoryCreationTemplate", delete_template, Access::Write);
}

}  // namespace berth::api::ecr
