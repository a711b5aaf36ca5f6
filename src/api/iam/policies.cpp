// CreatePolicy, GetPolicy, ListPolicies, DeletePolicy and the policy versions:
// CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
// SetDefaultPolicyVersion. AWS managed policies come from code (iam/managed_policies.h).
#include <algorithm>

#include "api/iam/errors.h"
#include "api/iam/shapes.h"
#include "api/services.h"
#include "common/ids.h"

namespace berth::api::iam {
namespace {
using berth::iam::ManagedPolicy;
using state::IamStore;
using state::PolicyRow;
using state::PolicyVersionRow;

constexpr std::size_t kMaxVersions = 5;

bool is_iam_arn(std::string_view arn) { return arn.starts_with("arn:aws:iam::") && arn.find(":policy/") != arn.npos; }

void write_version(json::Writer& w, const PolicyVersionRow& v, bool is_default, bool with_document) {
  w.StartObject();
  if (with_document) json::kv(w, "Document", url_encode(v.document));
  json::kv(w, "VersionId", v.version_id);
  w.Key("IsDefaultVersion");
  w.Bool(is_default);
  w.Key("CreateDate");
  json::epoch_seconds(w, v.created_at);
  w.EndObject();
}

PolicyVersionRow aws_version(const ManagedPolicy& p) {
  return {std::string(p.default_version), std::string(p.document), p.updated_at};
}

Outcome create_policy(OpContext& ctx, const json::Value& in) {
  PolicyRow p;
  p.name = std::string(json::view(in["PolicyName"]));
  p.path = std::string(json::get_string(in, "Path").value_or("/"));
  if (auto e = check_path(p.path)) return *e;
  std::string document(json::view(in["PolicyDocument"]));
  if (auto e = check_policy_document(document)) return *e;
  if (auto d = json::get_string(in, "Description")) p.description = std::string(*d);
  p.arn = policy_arn(ctx.account, p.path, p.name);
  p.policy_id = ids::aws_unique_id("ANPA", 17);
  p.default_version = "v1";
  p.next_version = 2;
  p.created_at = p.updated_at = ctx.clock.now_millis();
  if (!IamStore(ctx.db, ctx.account).create_policy(p, {"v1", document, p.created_at}))
    return errors::policy_exists(p.name);
  state::TagsStore ts(ctx.db);
  ts.remove_all(p.arn);
  ts.put(p.arn, tags_of(in));
  Body b;
  b.w.StartObject();
  b.w.Key("Policy");
  write_policy(b.w, p, 0);
  b.w.EndObject();
  return b.done();
}

Outcome get_policy(OpContext& ctx, const json::Value& in) {
  auto arn = json::view(in["PolicyArn"]);
  if (!is_iam_arn(arn)) return errors::invalid_arn(arn);
  IamStore store(ctx.db, ctx.account);
  Body b;
  b.w.StartObject();
  b.w.Key("Policy");
  if (const auto* m = berth::iam::aws_managed_policy(arn)) {
    write_aws_policy(b.w, *m, store.attachment_count(arn));
  } else if (auto p = store.policy(arn)) {
    write_policy(b.w, *p, store.attachment_count(arn));
  } else {
    return errors::no_such_policy(arn);
  }
  b.w.EndObject();
  return b.done();
}

Outcome list_policies(OpContext& ctx, const json::Value& in) {
  std::string scope(json::get_string(in, "Scope").value_or("All"));
  bool only_attached = json::get_bool(in, "OnlyAttached").value_or(false);
  std::string prefix(json::get_string(in, "PathPrefix").value_or("/"));
  IamStore store(ctx.db, ctx.account);
  // Each entry: its sort key (name, then ARN for equal names) and how to write it.
  struct Entry {
    std::string key;
    const ManagedPolicy* aws = nullptr;
    PolicyRow local;
    std::int64_t attachments = 0;
  };
  std::vector<Entry> entries;
  if (scope != "Local")
    for (const auto& m : berth::iam::aws_managed_policies()) {
      std::string arn = berth::iam::arn_of(m);
      if (!std::string_view(m.path).starts_with(prefix)) continue;
      std::int64_t n = store.attachment_count(arn);
      if (only_attached && n == 0) continue;
      entries.push_back({std::string(m.name) + "\n" + arn, &m, {}, n});
    }
  if (scope != "AWS")
    for (auto& p : store.policies()) {
      if (!p.path.starts_with(prefix)) continue;
      std::int64_t n = store.attachment_count(p.arn);
      if (only_attached && n == 0) continue;
      std::string key = p.name + "\n" + p.arn;
      entries.push_back({std::move(key), nullptr, std::move(p), n});
    }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
  std::vector<std::string> keys;
  for (const auto& e : entries) keys.push_back(e.key);
  auto page = page_of(in, keys);
  if (!page) return errors::invalid_input("Invalid Marker.");
  Body b;
  b.w.StartObject();
  b.w.Key("Policies");
  b.w.StartArray();
  for (std::size_t i = page->begin; i < page->end; ++i) {
    const auto& e = entries[i];
    if (e.aws) write_aws_policy(b.w, *e.aws, e.attachments);
    else write_policy(b.w, e.local, e.attachments);
  }
  b.w.EndArray();
  write_page_end(b.w, *page);
  b.w.EndObject();
  return b.done();
}

// A customer managed policy of this account, or the error for its ARN (AWS managed policies
// cannot be changed by an account).
std::variant<PolicyRow, AwsError> own_policy(OpContext& ctx, std::string_view arn) {
  if (!is_iam_arn(arn)) return errors::invalid_arn(arn);
  if (berth::iam::aws_managed_policy(arn))
    return AwsError::client("AccessDenied", "You cannot modify an AWS managed policy.", 403);
  auto p = IamStore(ctx.db, ctx.account).policy(arn);
  if (!p) return errors::no_such_policy(arn);
  return *p;
}

Outcome delete_policy(OpContext& ctx, const json::Value& in) {
  auto found = own_policy(ctx, json::view(in["PolicyArn"]));
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& p = std::get<PolicyRow>(found);
  IamStore store(ctx.db, ctx.account);
  if (store.attachment_count(p.arn) > 0) return errors::delete_conflict("Cannot delete a policy attached to entities.");
  if (store.versions(p.arn).size() > 1)
    return errors::delete_conflict("This policy has more than one version. Before you delete a policy, you must "
                                   "delete the policy's versions. The default version is deleted with the policy.");
  store.delete_policy(p.arn);
  state::TagsStore(ctx.db).remove_all(p.arn);
  return Outcome::ok("{}");
}

Outcome create_policy_version(OpContext& ctx, const json::Value& in) {
  auto found = own_policy(ctx, json::view(in["PolicyArn"]));
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto p = std::get<PolicyRow>(found);
  std::string document(json::view(in["PolicyDocument"]));
  if (auto e = check_policy_document(document)) return *e;
  IamStore store(ctx.db, ctx.account);
  if (store.versions(p.arn).size() >= kMaxVersions)
    return errors::limit_exceeded("A managed policy can have up to 5 versions. Before you create a new version, you "
                                  "must delete an existing version.");
  PolicyVersionRow v{"v" + std::to_string(p.next_version), document, ctx.clock.now_millis()};
  store.add_version(p.arn, v, p.next_version);
  bool set_default = json::get_bool(in, "SetAsDefault").value_or(false);
  if (set_default) p.default_version = v.version_id;
  ++p.next_version;
  p.updated_at = v.created_at;
  store.update_policy(p);
  Body b;
  b.w.StartObject();
  b.w.Key("PolicyVersion");
  write_version(b.w, v, set_default, false);
  b.w.EndObject();
  return b.done();
}

Outcome get_policy_version(OpContext& ctx, const json::Value& in) {
  auto arn = json::view(in["PolicyArn"]);
  auto id = json::view(in["VersionId"]);
  if (!is_iam_arn(arn)) return errors::invalid_arn(arn);
  Body b;
  b.w.StartObject();
  b.w.Key("PolicyVersion");
  if (const auto* m = berth::iam::aws_managed_policy(arn)) {
    if (id != m->default_version) return errors::no_such_version(arn, id);
    write_version(b.w, aws_version(*m), true, true);
  } else {
    IamStore store(ctx.db, ctx.account);
    auto p = store.policy(arn);
    if (!p) return errors::no_such_policy(arn);
    auto v = store.version(arn, id);
    if (!v) return errors::no_such_version(arn, id);
    write_version(b.w, *v, v->version_id == p->default_version, true);
  }
  b.w.EndObject();
  return b.done();
}

Outcome list_policy_versions(OpContext& ctx, const json::Value& in) {
  auto arn = json::view(in["PolicyArn"]);
  if (!is_iam_arn(arn)) return errors::invalid_arn(arn);
  std::vector<PolicyVersionRow> versions;
  std::string default_version;
  if (const auto* m = berth::iam::aws_managed_policy(arn)) {
    versions.push_back(aws_version(*m));
    default_version = m->default_version;
  } else {
    IamStore store(ctx.db, ctx.account);
    auto p = store.policy(arn);
    if (!p) return errors::no_such_policy(arn);
    versions = store.versions(arn);
    default_version = p->default_version;
  }
  // Newest first, as IAM lists them; keys only need to be ordered for the Marker.
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < versions.size(); ++i) keys.push_back(std::to_string(100000 + i));
  auto page = page_of(in, keys);
  if (!page) return errors::invalid_input("Invalid Marker.");
  Body b;
  b.w.StartObject();
  b.w.Key("Versions");
  b.w.StartArray();
  for (std::size_t i = page->begin; i < page->end; ++i)
    write_version(b.w, versions[i], versions[i].version_id == default_version, false);
  b.w.EndArray();
  write_page_end(b.w, *page);
  b.w.EndObject();
  return b.done();
}

Outcome delete_policy_version(OpContext& ctx, const json::Value& in) {
  auto found = own_policy(ctx, json::view(in["PolicyArn"]));
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& p = std::get<PolicyRow>(found);
  auto id = json::view(in["VersionId"]);
  IamStore store(ctx.db, ctx.account);
  if (!store.version(p.arn, id)) return errors::no_such_version(p.arn, id);
  if (id == p.default_version) return errors::delete_conflict("Cannot delete the default version of a policy.");
  store.delete_version(p.arn, id);
  return Outcome::ok("{}");
}

Outcome set_default_policy_version(OpContext& ctx, const json::Value& in) {
  auto found = own_policy(ctx, json::view(in["PolicyArn"]));
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto p = std::get<PolicyRow>(found);
  auto id = json::view(in["VersionId"]);
  IamStore store(ctx.db, ctx.account);
  if (!store.version(p.arn, id)) return errors::no_such_version(p.arn, id);
  p.default_version = std::string(id);
  p.updated_at = ctx.clock.now_millis();
  store.update_policy(p);
  return Outcome::ok("{}");
}
}  // namespace

void register_policies(OperationTable& t) {
  t.add("iam", "CreatePolicy", create_policy, Access::Write);
  t.add("iam", "GetPolicy", get_policy, Access::Read);
  t.add("iam", "ListPolicies", list_policies, Access::Read);
  t.add("iam", "DeletePolicy", delete_policy, Access::Write);
  t.add("iam", "CreatePolicyVersion", create_policy_version, Access::Write);
  t.add("iam", "GetPolicyVersion", get_policy_version, Access::Read);
  t.add("iam", "ListPolicyVersions", list_policy_versions, Access::Read);
  t.add("iam", "DeletePolicyVersion", delete_policy_version, Access::Write);
  t.add("iam", "SetDefaultPolicyVersion", set_default_policy_version, Access::Write);
}

}  // namespace berth::api::iam
