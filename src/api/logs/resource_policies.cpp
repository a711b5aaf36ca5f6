// PutResourcePolicy, DescribeResourcePolicies, DeleteResourcePolicy: account-scoped policies
// (policyName), and log-group-scoped ones (resourceArn, stored under the ARN). Stored and
// shown; berth does not evaluate them.
#include <rapidjson/document.h>

#include "api/logs/errors.h"
#include "api/logs/identifiers.h"
#include "api/pagination.h"
#include "api/services.h"
#include "common/ids.h"
#include "state/logs_store.h"

namespace berth::api::logs {
namespace {
using state::LogResourcePolicyRow;
using state::LogsStore;

constexpr std::size_t kMaxAccountPolicies = 10;  // per account and region
constexpr int kDefaultDescribeLimit = 50;

bool resource_scoped(const LogResourcePolicyRow& r) { return r.name.starts_with("arn:"); }

void write_policy(json::Writer& w, const LogResourcePolicyRow& r) {
  w.StartObject();
  if (resource_scoped(r)) {
    json::kv(w, "resourceArn", r.name);
    json::kv(w, "policyScope", "RESOURCE");
  } else {
    json::kv(w, "policyName", r.name);
    json::kv(w, "policyScope", "ACCOUNT");
  }
  json::kv(w, "policyDocument", r.document);
  w.Key("lastUpdatedTime");
  w.Int64(r.updated_at);
  json::kv(w, "revisionId", r.revision);
  w.EndObject();
}

// The key a request names: policyName, or a log group's resourceArn (which must exist).
std::variant<std::string, AwsError> key_of(OpContext& ctx, const json::Value& in) {
  auto name = json::get_string(in, "policyName");
  auto arn = json::get_string(in, "resourceArn");
  if (name && arn) return errors::invalid_parameter("policyName and resourceArn are mutually exclusive.");
  if (name) return std::string(*name);
  if (!arn) return errors::invalid_parameter("Either policyName or resourceArn must be specified.");
  auto group = group_name_of_arn(ctx, *arn);
  if (!group || !LogsStore(ctx.db, ctx.scope()).group(*group)) return errors::group_not_found();
  return arns::log_group(ctx.region, ctx.account, *group);
}

Outcome put_resource_policy(OpContext& ctx, const json::Value& in) {
  auto key = key_of(ctx, in);
  if (auto* e = std::get_if<AwsError>(&key)) return *e;
  auto document = json::get_string(in, "policyDocument");
  if (!document) return errors::invalid_parameter("policyDocument is required.");
  rapidjson::Document d;
  d.Parse(document->data(), document->size());
  if (d.HasParseError() || !d.IsObject()) return errors::invalid_parameter("Policy document is not valid JSON.");
  LogsStore store(ctx.db, ctx.scope());
  const std::string& name = std::get<std::string>(key);
  auto existing = store.resource_policy(name);
  if (auto expected = json::get_string(in, "expectedRevisionId"); expected && (!existing || existing->revision != *expected))
    return AwsError::client("OperationAbortedException",
                            "The expected revision id does not match the policy's current revision id.");
  if (!existing && !name.starts_with("arn:")) {
    std::size_t account_policies = 0;
    for (const auto& p : store.resource_policies())
      if (!resource_scoped(p)) ++account_policies;
    if (account_policies >= kMaxAccountPolicies)
      return AwsError::client("LimitExceededException", "Resource limit exceeded.");
  }
  LogResourcePolicyRow row{name, std::string(*document), ids::uuid_v4(), ctx.clock.now_millis()};
  store.put_resource_policy(row);
  Body b;
  b.w.StartObject();
  b.w.Key("resourcePolicy");
  write_policy(b.w, row);
  json::kv(b.w, "revisionId", row.revision);
  b.w.EndObject();
  return b.done();
}

Outcome describe_resource_policies(OpContext& ctx, const json::Value& in) {
  int limit = static_cast<int>(json::get_int(in, "limit").value_or(kDefaultDescribeLimit));
  std::string after;
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor) return errors::invalid_next_token();
    after = *cursor;
  }
  auto scope = json::get_string(in, "policyScope");
  auto arn = json::get_string(in, "resourceArn");
  std::optional<std::string> wanted;
  if (arn) {
    auto group = group_name_of_arn(ctx, *arn);
    if (!group) return errors::invalid_parameter("Invalid resourceArn: " + std::string(*arn));
    wanted = arns::log_group(ctx.region, ctx.account, *group);
  }
  std::vector<LogResourcePolicyRow> picked;
  for (auto& p : LogsStore(ctx.db, ctx.scope()).resource_policies()) {
    if (p.name <= after && !after.empty()) continue;
    if (wanted ? p.name != *wanted : (scope ? (*scope == "RESOURCE") != resource_scoped(p) : resource_scoped(p)))
      continue;
    picked.push_back(std::move(p));
  }
  Body b;
  b.w.StartObject();
  b.w.Key("resourcePolicies");
  b.w.StartArray();
  for (std::size_t i = 0; i < picked.size() && i < static_cast<std::size_t>(limit); ++i) write_policy(b.w, picked[i]);
  b.w.EndArray();
  if (picked.size() > static_cast<std::size_t>(limit)) json::kv(b.w, "nextToken", pagination::encode(picked[limit - 1].name));
  b.w.EndObject();
  return b.done();
}

Outcome delete_resource_policy(OpContext& ctx, const json::Value& in) {
  auto key = key_of(ctx, in);
  if (auto* e = std::get_if<AwsError>(&key)) return *e;
  const std::string& name = std::get<std::string>(key);
  LogsStore store(ctx.db, ctx.scope());
  auto existing = store.resource_policy(name);
  if (!existing) return AwsError::client("ResourceNotFoundException", "Policy with name [" + name + "] does not exist");
  if (auto expected = json::get_string(in, "expectedRevisionId"); expected && existing->revision != *expected)
    return AwsError::client("OperationAbortedException",
                            "The expected revision id does not match the policy's current revision id.");
  store.delete_resource_policy(name);
  return Outcome::ok("{}");
}
}  // namespace

void register_resource_policies(OperationTable& t) {
  t.add("logs", "PutResourcePolicy", put_resource_policy, Access::Write);
  t.add("logs", "DescribeResourcePolicies", describe_resource_policies, Access::Read);
  t.add("logs", "DeleteResourcePolicy", delete_resource_policy, Access::Write);
}

}  // namespace berth::api::logs
