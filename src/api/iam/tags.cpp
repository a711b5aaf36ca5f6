// TagRole, UntagRole, ListRoleTags, TagPolicy, UntagPolicy, ListPolicyTags, TagInstanceProfile,
// UntagInstanceProfile, ListInstanceProfileTags. Tags are kept by the resource's ARN.
#include <algorithm>

#include "api/iam/errors.h"
#include "api/iam/shapes.h"
#include "api/services.h"

namespace berth::api::iam {
namespace {
using state::IamStore;

constexpr std::size_t kMaxTags = 50;

// The ARN a request's resource names, or its NoSuchEntity.
using Found = std::variant<std::string, AwsError>;

Found role_of(OpContext& ctx, const json::Value& in) {
  auto name = json::view(in["RoleName"]);
  auto r = IamStore(ctx.db, ctx.account).role(name);
  if (!r) return errors::no_such_role(name);
  return r->arn;
}

Found policy_of(OpContext& ctx, const json::Value& in) {
  auto arn = json::view(in["PolicyArn"]);
  if (!arn.starts_with("arn:aws:iam::")) return errors::invalid_arn(arn);
  if (!IamStore(ctx.db, ctx.account).policy(arn)) return errors::no_such_policy(arn);
  return std::string(arn);
}

Found profile_of(OpContext& ctx, const json::Value& in) {
  auto name = json::view(in["InstanceProfileName"]);
  auto p = IamStore(ctx.db, ctx.account).instance_profile(name);
  if (!p) return errors::no_such_instance_profile(name);
  return p->arn;
}

Outcome tag(OpContext& ctx, const json::Value& in, Found found, std::string_view quota) {
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& arn = std::get<std::string>(found);
  state::TagsStore ts(ctx.db);
  auto tags = tags_of(in);
  auto current = ts.list(arn);
  std::size_t total = current.size();
  for (const auto& [k, v] : tags)
    if (std::none_of(current.begin(), current.end(), [&](const state::Tag& t) { return t.first == k; })) ++total;
  if (total > kMaxTags) return errors::limit_exceeded("Cannot exceed quota for " + std::string(quota) + ": 50");
  ts.put(arn, tags);
  return Outcome::ok("{}");
}

Outcome untag(OpContext& ctx, const json::Value& in, Found found) {
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  std::vector<std::string> keys;
  for (const auto& k : in["TagKeys"].GetArray()) keys.emplace_back(json::view(k));
  state::TagsStore(ctx.db).remove(std::get<std::string>(found), keys);
  return Outcome::ok("{}");
}

Outcome list(OpContext& ctx, const json::Value& in, Found found) {
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto tags = state::TagsStore(ctx.db).list(std::get<std::string>(found));
  std::sort(tags.begin(), tags.end());
  std::vector<std::string> keys;
  for (const auto& t : tags) keys.push_back(t.first);
  auto page = page_of(in, keys);
  if (!page) return errors::invalid_input("Invalid Marker.");
  Body b;
  b.w.StartObject();
  b.w.Key("Tags");
  write_tags(b.w, std::vector<state::Tag>(tags.begin() + page->begin, tags.begin() + page->end));
  write_page_end(b.w, *page);
  b.w.EndObject();
  return b.done();
}

Outcome tag_role(OpContext& ctx, const json::Value& in) { return tag(ctx, in, role_of(ctx, in), "TagsPerRole"); }
Outcome untag_role(OpContext& ctx, const json::Value& in) { return untag(ctx, in, role_of(ctx, in)); }
Outcome list_role_tags(OpContext& ctx, const json::Value& in) { return list(ctx, in, role_of(ctx, in)); }
Outcome tag_policy(OpContext& ctx, const json::Value& in) { return tag(ctx, in, policy_of(ctx, in), "TagsPerPolicy"); }
Outcome untag_policy(OpContext& ctx, const json::Value& in) { return untag(ctx, in, policy_of(ctx, in)); }
Outcome list_policy_tags(OpContext& ctx, const json::Value& in) { return list(ctx, in, policy_of(ctx, in)); }
Outcome tag_instance_profile(OpContext& ctx, const json::Value& in) {
  return tag(ctx, in, profile_of(ctx, in), "TagsPerInstanceProfile");
}
Outcome untag_instance_profile(OpContext& ctx, const json::Value& in) { return untag(ctx, in, profile_of(ctx, in)); }
Outcome list_instance_profile_tags(OpContext& ctx, const json::Value& in) {
  return list(ctx, in, profile_of(ctx, in));
}
}  // namespace

void register_tags(OperationTable& t) {
  t.add("iam", "TagRole", tag_role, Access::Write);
  t.add("iam", "UntagRole", untag_role, Access::Write);
  t.add("iam", "ListRoleTags", list_role_tags, Access::Read);
  t.add("iam", "TagPolicy", tag_policy, Access::Write);
  t.add("iam", "UntagPolicy", untag_policy, Access::Write);
  t.add("iam", "ListPolicyTags", list_policy_tags, Access::Read);
  t.add("iam", "TagInstanceProfile", tag_instance_profile, Access::Write);
  t.add("iam", "UntagInstanceProfile", untag_instance_profile, Access::Write);
  t.add("iam", "ListInstanceProfileTags", list_instance_profile_tags, Access::Read);
}

}  // namespace berth::api::iam
