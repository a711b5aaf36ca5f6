// CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
// DeleteRole, PutRolePermissionsBoundary, DeleteRolePermissionsBoundary, CreateServiceLinkedRole.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "api/iam/errors.h"
#include "api/iam/roles.h"
#include "api/iam/shapes.h"
#include "api/services.h"
#include "common/ids.h"
#include "iam/managed_policies.h"

namespace berth::api::iam {
namespace {
using state::IamStore;
using state::RoleRow;

constexpr std::string_view kServiceRolePath = "/aws-service-role/";

bool is_service_linked(const RoleRow& r) { return r.path.starts_with(kServiceRolePath); }

Outcome role_result(OpContext& ctx, const RoleRow& r, bool details) {
  Body b;
  b.w.StartObject();
  b.w.Key("Role");
  write_role(b.w, ctx.db, r, details);
  b.w.EndObject();
  return b.done();
}

// A permissions boundary must name a managed policy that exists.
std::optional<AwsError> check_boundary(OpContext& ctx, std::string_view arn) {
  if (berth::iam::aws_managed_policy(arn)) return std::nullopt;
  if (!arn.starts_with("arn:aws:iam::")) return errors::invalid_arn(arn);
  if (IamStore(ctx.db, ctx.account).policy(arn)) return std::nullopt;
  return errors::policy_not_attachable("Policy " + std::string(arn) + " does not exist or is not attachable.");
}

Outcome create_role(OpContext& ctx, const json::Value& in) {
  RoleRow r;
  r.name = std::string(json::view(in["RoleName"]));
  r.path = std::string(json::get_string(in, "Path").value_or("/"));
  if (auto e = check_path(r.path)) return *e;
  r.trust_policy = std::string(json::view(in["AssumeRolePolicyDocument"]));
  if (auto e = check_policy_document(r.trust_policy)) return *e;
  if (auto d = json::get_string(in, "Description")) r.description = std::string(*d);
  r.max_session_duration = json::get_int(in, "MaxSessionDuration").value_or(3600);
  if (auto b = json::get_string(in, "PermissionsBoundary")) {
    if (auto e = check_boundary(ctx, *b)) return *e;
    r.permissions_boundary = std::string(*b);
  }
  auto tags = tags_of(in);
  if (tags.size() > 50) return errors::limit_exceeded("Cannot exceed quota for TagsPerRole: 50");
  r.role_id = ids::aws_unique_id("AROA", 17);
  r.arn = role_arn(ctx.account, r.path, r.name);
  r.created_at = ctx.clock.now_millis();
  if (!IamStore(ctx.db, ctx.account).create_role(r)) return errors::role_exists(r.name);
  state::TagsStore ts(ctx.db);
  ts.remove_all(r.arn);
  ts.put(r.arn, tags);
  return role_result(ctx, r, true);
}

Outcome get_role(OpContext& ctx, const json::Value& in) {
  auto name = json::view(in["RoleName"]);
  auto r = IamStore(ctx.db, ctx.account).role(name);
  if (!r) return errors::no_such_role(name);
  return role_result(ctx, *r, true);
}

Outcome list_roles(OpContext& ctx, const json::Value& in) {
  std::string prefix(json::get_string(in, "PathPrefix").value_or("/"));
  std::vector<RoleRow> rows;
  for (auto& r : IamStore(ctx.db, ctx.account).roles())
    if (r.path.starts_with(prefix)) rows.push_back(std::move(r));
  std::sort(rows.begin(), rows.end(), [](const RoleRow& a, const RoleRow& b) { return a.name < b.name; });
  std::vector<std::string> keys;
  for (const auto& r : rows) keys.push_back(r.name);
  auto page = page_of(in, keys);
  if (!page) return errors::invalid_input("Invalid Marker.");
  Body b;
  b.w.StartObject();
  b.w.Key("Roles");
  b.w.StartArray();
  for (std::size_t i = page->begin; i < page->end; ++i) write_role(b.w, ctx.db, rows[i], false);
  b.w.EndArray();
  write_page_end(b.w, *page);
  b.w.EndObject();
  return b.done();
}

// Finds a role the caller may change: service-linked roles belong to AWS.
std::variant<RoleRow, AwsError> modifiable_role(OpContext& ctx, const json::Value& in) {
  auto name = json::view(in["RoleName"]);
  auto r = IamStore(ctx.db, ctx.account).role(name);
  if (!r) return errors::no_such_role(name);
  if (is_service_linked(*r)) return errors::unmodifiable(r->name);
  return *r;
}

Outcome update_role(OpContext& ctx, const json::Value& in) {
  auto found = modifiable_role(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto r = std::get<RoleRow>(found);
  if (auto d = json::get_string(in, "Description")) r.description = std::string(*d);
  if (auto m = json::get_int(in, "MaxSessionDuration")) r.max_session_duration = *m;
  IamStore(ctx.db, ctx.account).update_role(r);
  return Outcome::ok("{}");
}

Outcome update_role_description(OpContext& ctx, const json::Value& in) {
  auto found = modifiable_role(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto r = std::get<RoleRow>(found);
  r.description = std::string(json::view(in["Description"]));
  IamStore(ctx.db, ctx.account).update_role(r);
  return role_result(ctx, r, true);
}

Outcome update_assume_role_policy(OpContext& ctx, const json::Value& in) {
  auto found = modifiable_role(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto r = std::get<RoleRow>(found);
  r.trust_policy = std::string(json::view(in["PolicyDocument"]));
  if (auto e = check_policy_document(r.trust_policy)) return *e;
  IamStore(ctx.db, ctx.account).update_role(r);
  return Outcome::ok("{}");
}

Outcome put_role_permissions_boundary(OpContext& ctx, const json::Value& in) {
  auto found = modifiable_role(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto r = std::get<RoleRow>(found);
  auto arn = json::view(in["PermissionsBoundary"]);
  if (auto e = check_boundary(ctx, arn)) return *e;
  r.permissions_boundary = std::string(arn);
  IamStore(ctx.db, ctx.account).update_role(r);
  return Outcome::ok("{}");
}

Outcome delete_role_permissions_boundary(OpContext& ctx, const json::Value& in) {
  auto found = modifiable_role(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto r = std::get<RoleRow>(found);
  r.permissions_boundary.reset();
  IamStore(ctx.db, ctx.account).update_role(r);
  return Outcome::ok("{}");
}

Outcome delete_role(OpContext& ctx, const json::Value& in) {
  auto found = modifiable_role(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& r = std::get<RoleRow>(found);
  IamStore store(ctx.db, ctx.account);
  // IAM's order of checks: instance profiles, then attached, then inline policies.
  if (!store.profiles_of_role(r.role_id).empty())
    return errors::delete_conflict("Cannot delete entity, must remove roles from instance profile first.");
  if (!store.attached(r.role_id).empty())
    return errors::delete_conflict("Cannot delete entity, must detach all policies first.");
  if (!store.role_policy_names(r.role_id).empty())
    return errors::delete_conflict("Cannot delete entity, must delete policies first.");
  store.delete_role(r.role_id);
  state::TagsStore(ctx.db).remove_all(r.arn);
  return Outcome::ok("{}");
}

Outcome create_service_linked_role(OpContext& ctx, const json::Value& in) {
  auto service = json::view(in["AWSServiceName"]);
  if (service != "ecs.amazonaws.com")
    return errors::invalid_input("Service role name " + std::string(service) + " is not supported by berth.");
  auto r = ensure_service_linked_role(ctx.db, ctx.account, ctx.clock.now_millis());
  return role_result(ctx, r, true);
}
}  // namespace

state::RoleRow ensure_service_linked_role(state::Connection& c, std::string_view account, std::int64_t now) {
  IamStore store(c, std::string(account));
  if (auto r = store.role("AWSServiceRoleForECS")) return *r;
  RoleRow r;
  r.name = "AWSServiceRoleForECS";
  r.path = std::string(kServiceRolePath) + "ecs.amazonaws.com/";
  r.role_id = ids::aws_unique_id("AROA", 17);
  r.arn = role_arn(account, r.path, r.name);
  r.created_at = now;
  r.trust_policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
  r.description = "Role to enable Amazon ECS to manage your cluster.";
  store.create_role(r);
  store.attach(r.role_id, "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy");
  return r;
}

void warn_if_missing(state::Connection& c, std::string_view role_arn, std::string_view field) {
  if (role_arn.empty()) return;
  static std::mutex mu;
  static std::set<std::string, std::less<>> warned;
  auto arn = Arn::parse(role_arn);
  if (arn && arn->service == "iam" && IamStore(c, arn->account).role_by_arn(role_arn)) return;
  std::lock_guard lock(mu);
  if (!warned.insert(std::string(role_arn)).second) return;
  spdlog::warn("{} {} names a role berth's IAM does not have; the task runs anyway (create it with aws iam "
               "create-role to have its policies apply)",
               field, role_arn);
}

void register_roles(OperationTable& t) {
  t.add("iam", "CreateRole", create_role, Access::Write);
  t.add("iam", "GetRole", get_role, Access::Read);
  t.add("iam", "ListRoles", list_roles, Access::Read);
  t.add("iam", "UpdateRole", update_role, Access::Write);
  t.add("iam", "UpdateRoleDescription", update_role_description, Access::Write);
  t.add("iam", "UpdateAssumeRolePolicy", update_assume_role_policy, Access::Write);
  t.add("iam", "PutRolePermissionsBoundary", put_role_permissions_boundary, Access::Write);
  t.add("iam", "DeleteRolePermissionsBoundary", delete_role_permissions_boundary, Access::Write);
  t.add("iam", "DeleteRole", delete_role, Access::Write);
  t.add("iam", "CreateServiceLinkedRole", create_service_linked_role, Access::Write);
}

}  // namespace berth::api::iam
