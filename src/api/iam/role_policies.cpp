// A role's policies: inline (PutRolePolicy, GetRolePolicy, ListRolePolicies, DeleteRolePolicy)
// and managed (AttachRolePolicy, DetachRolePolicy, ListAttachedRolePolicies).
#include <algorithm>

#include "api/iam/errors.h"
#include "api/iam/shapes.h"
#include "api/services.h"
#include "iam/managed_policies.h"

namespace berth::api::iam {
namespace {
using state::IamStore;
using state::RoleRow;

constexpr std::size_t kManagedPoliciesPerRole = 10;

std::variant<RoleRow, AwsError> find_role(OpContext& ctx, const json::Value& in, bool to_modify) {
  auto name = json::view(in["RoleName"]);
  auto r = IamStore(ctx.db, ctx.account).role(name);
  if (!r) return errors::no_such_role(name);
  if (to_modify && r->path.starts_with("/aws-service-role/")) return errors::unmodifiable(r->name);
  return *r;
}

Outcome put_role_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_role(ctx, in, true);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& r = std::get<RoleRow>(found);
  auto document = json::view(in["PolicyDocument"]);
  if (auto e = check_policy_document(document)) return *e;
  IamStore(ctx.db, ctx.account).put_role_policy(r.role_id, json::view(in["PolicyName"]), document);
  return Outcome::ok("{}");
}

Outcome get_role_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_role(ctx, in, false);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& r = std::get<RoleRow>(found);
  auto name = json::view(in["PolicyName"]);
  auto doc = IamStore(ctx.db, ctx.account).role_policy(r.role_id, name);
  if (!doc) return errors::no_such_role_policy(r.name, name);
  Body b;
  b.w.StartObject();
  json::kv(b.w, "RoleName", r.name);
  json::kv(b.w, "PolicyName", name);
  json::kv(b.w, "PolicyDocument", url_encode(*doc));
  b.w.EndObject();
  return b.done();
}

Outcome list_role_policies(OpContext& ctx, const json::Value& in) {
  auto found = find_role(ctx, in, false);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto names = IamStore(ctx.db, ctx.account).role_policy_names(std::get<RoleRow>(found).role_id);
  std::sort(names.begin(), names.end());
  auto page = page_of(in, names);
  if (!page) return errors::invalid_input("Invalid Marker.");
  Body b;
  b.w.StartObject();
  b.w.Key("PolicyNames");
  b.w.StartArray();
  for (std::size_t i = page->begin; i < page->end; ++i) json::str(b.w, names[i]);
  b.w.EndArray();
  write_page_end(b.w, *page);
  b.w.EndObject();
  return b.done();
}

Outcome delete_role_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_role(ctx, in, true);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& r = std::get<RoleRow>(found);
  auto name = json::view(in["PolicyName"]);
  if (!IamStore(ctx.db, ctx.account).delete_role_policy(r.role_id, name))
    return errors::no_such_role_policy(r.name, name);
  return Outcome::ok("{}");
}

Outcome attach_role_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_role(ctx, in, true);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& r = std::get<RoleRow>(found);
  auto arn = json::view(in["PolicyArn"]);
  if (!arn.starts_with("arn:aws:iam::")) return errors::invalid_arn(arn);
  IamStore store(ctx.db, ctx.account);
  if (const auto* m = berth::iam::aws_managed_policy(arn)) {
    if (!m->attachable) return errors::policy_not_attachable("Cannot attach a Service Role Policy to a Customer Role.");
  } else if (!store.policy(arn)) {
    return errors::not_attachable(arn);
  }
  auto attached = store.attached(r.role_id);
  if (std::find(attached.begin(), attached.end(), arn) != attached.end()) return Outcome::ok("{}");
  if (attached.size() >= kManagedPoliciesPerRole)
    return errors::limit_exceeded("Cannot exceed quota for PoliciesPerRole: 10");
  store.attach(r.role_id, arn);
  return Outcome::ok("{}");
}

Outcome detach_role_policy(OpContext& ctx, const json::Value& in) {
  auto found = find_role(ctx, in, true);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& r = std::get<RoleRow>(found);
  auto arn = json::view(in["PolicyArn"]);
  if (!arn.starts_with("arn:aws:iam::")) return errors::invalid_arn(arn);
  if (!IamStore(ctx.db, ctx.account).detach(r.role_id, arn)) return errors::not_attached(arn);
  return Outcome::ok("{}");
}

Outcome list_attached_role_policies(OpContext& ctx, const json::Value& in) {
  auto found = find_role(ctx, in, false);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  std::string prefix(json::get_string(in, "PathPrefix").value_or("/"));
  // (name, arn) pairs sorted by name.
  std::vector<std::pair<std::string, std::string>> policies;
  for (auto& arn : IamStore(ctx.db, ctx.account).attached(std::get<RoleRow>(found).role_id)) {
    std::string_view rest = std::string_view(arn).substr(arn.find(":policy") + 7);  // "/PATH/NAME"
    std::string_view path = rest.substr(0, rest.rfind('/') + 1);
    if (!path.starts_with(prefix)) continue;
    policies.emplace_back(std::string(rest.substr(rest.rfind('/') + 1)), std::move(arn));
  }
  std::sort(policies.begin(), policies.end());
  std::vector<std::string> keys;
  for (const auto& p : policies) keys.push_back(p.first + "\n" + p.second);
  auto page = page_of(in, keys);
  if (!page) return errors::invalid_input("Invalid Marker.");
  Body b;
  b.w.StartObject();
  b.w.Key("AttachedPolicies");
  b.w.StartArray();
  for (std::size_t i = page->begin; i < page->end; ++i) {
    b.w.StartObject();
    json::kv(b.w, "PolicyName", policies[i].first);
    json::kv(b.w, "PolicyArn", policies[i].second);
    b.w.EndObject();
  }
  b.w.EndArray();
  write_page_end(b.w, *page);
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_role_policies(OperationTable& t) {
  t.add("iam", "PutRolePolicy", put_role_policy, Access::Write);
  t.add("iam", "GetRolePolicy", get_role_policy, Access::Read);
  t.add("iam", "ListRolePolicies", list_role_policies, Access::Read);
  t.add("iam", "DeleteRolePolicy", delete_role_policy, Access::Write);
  t.add("iam", "AttachRolePolicy", attach_role_policy, Access::Write);
  t.add("iam", "DetachRolePolicy", detach_role_policy, Access::Write);
  t.add("iam", "ListAttachedRolePolicies", list_attached_role_policies, Access::Read);
}

}  // namespace berth::api::iam
