// CreateInstanceProfile, GetInstanceProfile, ListInstanceProfiles, ListInstanceProfilesForRole,
// AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile, DeleteInstanceProfile: what EC2
// container instance tutorials (ecsInstanceRole) call.
#include <algorithm>

#include "api/iam/errors.h"
#include "api/iam/shapes.h"
#include "api/services.h"
#include "common/ids.h"

namespace berth::api::iam {
namespace {
using state::IamStore;
using state::InstanceProfileRow;

Outcome profile_result(OpContext& ctx, const InstanceProfileRow& p) {
  Body b;
  b.w.StartObject();
  b.w.Key("InstanceProfile");
  write_instance_profile(b.w, ctx.db, p);
  b.w.EndObject();
  return b.done();
}

Outcome list_result(OpContext& ctx, const json::Value& in, std::vector<InstanceProfileRow> rows) {
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<std::string> keys;
  for (const auto& p : rows) keys.push_back(p.name);
  auto page = page_of(in, keys);
  if (!page) return errors::invalid_input("Invalid Marker.");
  Body b;
  b.w.StartObject();
  b.w.Key("InstanceProfiles");
  b.w.StartArray();
  for (std::size_t i = page->begin; i < page->end; ++i) write_instance_profile(b.w, ctx.db, rows[i]);
  b.w.EndArray();
  write_page_end(b.w, *page);
  b.w.EndObject();
  return b.done();
}

Outcome create_instance_profile(OpContext& ctx, const json::Value& in) {
  InstanceProfileRow p;
  p.name = std::string(json::view(in["InstanceProfileName"]));
  p.path = std::string(json::get_string(in, "Path").value_or("/"));
  if (auto e = check_path(p.path)) return *e;
  p.profile_id = ids::aws_unique_id("AIPA", 17);
  p.arn = instance_profile_arn(ctx.account, p.path, p.name);
  p.created_at = ctx.clock.now_millis();
  if (!IamStore(ctx.db, ctx.account).create_instance_profile(p)) return errors::instance_profile_exists(p.name);
  state::TagsStore ts(ctx.db);
  ts.remove_all(p.arn);
  ts.put(p.arn, tags_of(in));
  return profile_result(ctx, p);
}

Outcome get_instance_profile(OpContext& ctx, const json::Value& in) {
  auto name = json::view(in["InstanceProfileName"]);
  auto p = IamStore(ctx.db, ctx.account).instance_profile(name);
  if (!p) return errors::no_such_instance_profile(name);
  return profile_result(ctx, *p);
}

Outcome list_instance_profiles(OpContext& ctx, const json::Value& in) {
  std::string prefix(json::get_string(in, "PathPrefix").value_or("/"));
  std::vector<InstanceProfileRow> rows;
  for (auto& p : IamStore(ctx.db, ctx.account).instance_profiles())
    if (p.path.starts_with(prefix)) rows.push_back(std::move(p));
  return list_result(ctx, in, std::move(rows));
}

Outcome list_instance_profiles_for_role(OpContext& ctx, const json::Value& in) {
  auto name = json::view(in["RoleName"]);
  IamStore store(ctx.db, ctx.account);
  auto r = store.role(name);
  if (!r) return errors::no_such_role(name);
  return list_result(ctx, in, store.profiles_of_role(r->role_id));
}

Outcome add_role_to_instance_profile(OpContext& ctx, const json::Value& in) {
  auto profile_name = json::view(in["InstanceProfileName"]);
  auto role_name = json::view(in["RoleName"]);
  IamStore store(ctx.db, ctx.account);
  auto p = store.instance_profile(profile_name);
  if (!p) return errors::no_such_instance_profile(profile_name);
  auto r = store.role(role_name);
  if (!r) return errors::no_such_role(role_name);
  // An instance profile holds one role.
  if (!store.profile_roles(p->profile_id).empty())
    return errors::limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
  store.add_profile_role(p->profile_id, r->role_id);
  return Outcome::ok("{}");
}

Outcome remove_role_from_instance_profile(OpContext& ctx, const json::Value& in) {
  auto profile_name = json::view(in["InstanceProfileName"]);
  auto role_name = json::view(in["RoleName"]);
  IamStore store(ctx.db, ctx.account);
  auto p = store.instance_profile(profile_name);
  if (!p) return errors::no_such_instance_profile(profile_name);
  auto r = store.role(role_name);
  if (!r) return errors::no_such_role(role_name);
  if (!store.remove_profile_role(p->profile_id, r->role_id))
    return AwsError::client("NoSuchEntity",
                            "Role " + r->name + " in Instance Profile " + p->name + " cannot be found.", 404);
  return Outcome::ok("{}");
}

Outcome delete_instance_profile(OpContext& ctx, const json::Value& in) {
  auto name = json::view(in["InstanceProfileName"]);
  IamStore store(ctx.db, ctx.account);
  auto p = store.instance_profile(name);
  if (!p) return errors::no_such_instance_profile(name);
  if (!store.profile_roles(p->profile_id).empty())
    return errors::delete_conflict("Cannot delete entity, must remove roles from instance profile first.");
  store.delete_instance_profile(p->profile_id);
  state::TagsStore(ctx.db).remove_all(p->arn);
  return Outcome::ok("{}");
}
}  // namespace

void register_instance_profiles(OperationTable& t) {
  t.add("iam", "CreateInstanceProfile", create_instance_profile, Access::Write);
  t.add("iam", "GetInstanceProfile", get_instance_profile, Access::Read);
  t.add("iam", "ListInstanceProfiles", list_instance_profiles, Access::Read);
  t.add("iam", "ListInstanceProfilesForRole", list_instance_profiles_for_role, Access::Read);
  t.add("iam", "AddRoleToInstanceProfile", add_role_to_instance_profile, Access::Write);
  t.add("iam", "RemoveRoleFromInstanceProfile", remove_role_from_instance_profile, Access::Write);
  t.add("iam", "DeleteInstanceProfile", delete_instance_profile, Access::Write);
}

}  // namespace berth::api::iam
