#include "state/iam_store.h"

namespace berth::state {
namespace {
constexpr const char* kRoleCols =
    "role_id, name, path, arn, created_at, trust_policy, description, max_session_duration, permissions_boundary";

RoleRow role_of(const Query& q) {
  return {q.str(0), q.str(1), q.str(2), q.str(3), q.int64(4), q.str(5), q.opt_str(6), q.int64(7), q.opt_str(8)};
}

constexpr const char* kPolicyCols =
    "arn, name, path, policy_id, description, default_version, next_version, created_at, updated_at";

PolicyRow policy_of(const Query& q) {
  return {q.str(0), q.str(1), q.str(2), q.str(3), q.opt_str(4), q.str(5), q.int64(6), q.int64(7), q.int64(8)};
}

InstanceProfileRow profile_of(const Query& q) { return {q.str(0), q.str(1), q.str(2), q.str(3), q.int64(4)}; }

std::string sql(std::string_view a, std::string_view b, std::string_view c = "") {
  return std::string(a) + std::string(b) + std::string(c);
}
}  // namespace

bool IamStore::create_role(const RoleRow& r) {
  c_.query(sql("INSERT OR IGNORE INTO iam_roles (account, ", kRoleCols, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
           account_, r.role_id, r.name, r.path, r.arn, r.created_at, r.trust_policy, r.description,
           r.max_session_duration, r.permissions_boundary)
      .run();
  return c_.changes() == 1;
}

std::optional<RoleRow> IamStore::role(std::string_view name) {
  auto q = c_.query(sql("SELECT ", kRoleCols, " FROM iam_roles WHERE account = ? AND name = ?"), account_, name);
  if (!q.step()) return std::nullopt;
  return role_of(q);
}

std::optional<RoleRow> IamStore::role_by_arn(std::string_view arn) {
  auto q = c_.query(sql("SELECT ", kRoleCols, " FROM iam_roles WHERE account = ? AND arn = ?"), account_, arn);
  if (!q.step()) return std::nullopt;
  return role_of(q);
}

std::vector<RoleRow> IamStore::roles() {
  std::vector<RoleRow> out;
  auto q = c_.query(sql("SELECT ", kRoleCols, " FROM iam_roles WHERE account = ? ORDER BY name"), account_);
  while (q.step()) out.push_back(role_of(q));
  return out;
}

void IamStore::update_role(const RoleRow& r) {
  c_.query(
        "UPDATE iam_roles SET trust_policy = ?, description = ?, max_session_duration = ?, permissions_boundary = ? "
        "WHERE role_id = ?",
        r.trust_policy, r.description, r.max_session_duration, r.permissions_boundary, r.role_id)
      .run();
}

void IamStore::delete_role(std::string_view role_id) {
  c_.query("DELETE FROM iam_instance_profile_roles WHERE role_id = ?", role_id).run();
  c_.query("DELETE FROM iam_roles WHERE role_id = ?", role_id).run();
}

void IamStore::put_role_policy(std::string_view role_id, std::string_view name, std::string_view document) {
  c_.query(
        "INSERT INTO iam_role_policies (role_id, name, document) VALUES (?, ?, ?) "
        "ON CONFLICT (role_id, name) DO UPDATE SET document = excluded.document",
        role_id, name, document)
      .run();
}

std::optional<std::string> IamStore::role_policy(std::string_view role_id, std::string_view name) {
  auto q = c_.query("SELECT document FROM iam_role_policies WHERE role_id = ? AND name = ?", role_id, name);
  if (!q.step()) return std::nullopt;
  return q.str(0);
}

std::vector<std::string> IamStore::role_policy_names(std::string_view role_id) {
  std::vector<std::string> out;
  auto q = c_.query("SELECT name FROM iam_role_policies WHERE role_id = ? ORDER BY name", role_id);
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::vector<std::string> IamStore::role_policy_documents(std::string_view role_id) {
  std::vector<std::string> out;
  auto q = c_.query("SELECT document FROM iam_role_policies WHERE role_id = ?", role_id);
  while (q.step()) out.push_back(q.str(0));
  return out;
}

bool IamStore::delete_role_policy(std::string_view role_id, std::string_view name) {
  c_.query("DELETE FROM iam_role_policies WHERE role_id = ? AND name = ?", role_id, name).run();
  return c_.changes() == 1;
}

void IamStore::attach(std::string_view role_id, std::string_view policy_arn) {
  c_.query("INSERT OR IGNORE INTO iam_role_attachments (role_id, policy_arn, account) VALUES (?, ?, ?)", role_id,
           policy_arn, account_)
      .run();
}

bool IamStore::detach(std::string_view role_id, std::string_view policy_arn) {
  c_.query("DELETE FROM iam_role_attachments WHERE role_id = ? AND policy_arn = ?", role_id, policy_arn).run();
  return c_.changes() == 1;
}

std::vector<std::string> IamStore::attached(std::string_view role_id) {
  std::vector<std::string> out;
  auto q = c_.query("SELECT policy_arn FROM iam_role_attachments WHERE role_id = ? ORDER BY policy_arn", role_id);
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::int64_t IamStore::attachment_count(std::string_view policy_arn) {
  auto q = c_.query("SELECT count(*) FROM iam_role_attachments WHERE account = ? AND policy_arn = ?", account_,
                    policy_arn);
  q.step();
  return q.int64(0);
}

std::vector<std::string> IamStore::attached_anywhere() {
  std::vector<std::string> out;
  auto q = c_.query("SELECT DISTINCT policy_arn FROM iam_role_attachments WHERE account = ?", account_);
  while (q.step()) out.push_back(q.str(0));
  return out;
}

bool IamStore::create_policy(const PolicyRow& p, const PolicyVersionRow& first) {
  c_.query(sql("INSERT OR IGNORE INTO iam_policies (account, ", kPolicyCols, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
           account_, p.arn, p.name, p.path, p.policy_id, p.description, p.default_version, p.next_version,
           p.created_at, p.updated_at)
      .run();
  if (c_.changes() != 1) return false;
  add_version(p.arn, first, 1);
  return true;
}

std::optional<PolicyRow> IamStore::policy(std::string_view arn) {
  auto q = c_.query(sql("SELECT ", kPolicyCols, " FROM iam_policies WHERE account = ? AND arn = ?"), account_, arn);
  if (!q.step()) return std::nullopt;
  return policy_of(q);
}

std::vector<PolicyRow> IamStore::policies() {
  std::vector<PolicyRow> out;
  auto q = c_.query(sql("SELECT ", kPolicyCols, " FROM iam_policies WHERE account = ? ORDER BY name"), account_);
  while (q.step()) out.push_back(policy_of(q));
  return out;
}

void IamStore::update_policy(const PolicyRow& p) {
  c_.query("UPDATE iam_policies SET default_version = ?, next_version = ?, updated_at = ? WHERE arn = ?",
           p.default_version, p.next_version, p.updated_at, p.arn)
      .run();
}

void IamStore::delete_policy(std::string_view arn) {
  c_.query("DELETE FROM iam_policies WHERE account = ? AND arn = ?", account_, arn).run();
}

std::vector<PolicyVersionRow> IamStore::versions(std::string_view arn) {
  std::vector<PolicyVersionRow> out;
  auto q = c_.query(
      "SELECT version_id, document, created_at FROM iam_policy_versions WHERE policy_arn = ? ORDER BY seq DESC", arn);
  while (q.step()) out.push_back({q.str(0), q.str(1), q.int64(2)});
  return out;
}

std::optional<PolicyVersionRow> IamStore::version(std::string_view arn, std::string_view version_id) {
  auto q = c_.query(
      "SELECT version_id, document, created_at FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?", arn,
      version_id);
  if (!q.step()) return std::nullopt;
  return PolicyVersionRow{q.str(0), q.str(1), q.int64(2)};
}

void IamStore::add_version(std::string_view arn, const PolicyVersionRow& v, std::int64_t seq) {
  c_.query("INSERT INTO iam_policy_versions (policy_arn, version_id, seq, document, created_at) VALUES (?, ?, ?, ?, ?)",
           arn, v.version_id, seq, v.document, v.created_at)
      .run();
}

void IamStore::delete_version(std::string_view arn, std::string_view version_id) {
  c_.query("DELETE FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?", arn, version_id).run();
}

bool IamStore::create_instance_profile(const InstanceProfileRow& p) {
  c_.query(
        "INSERT OR IGNORE INTO iam_instance_profiles (account, profile_id, name, path, arn, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        account_, p.profile_id, p.name, p.path, p.arn, p.created_at)
      .run();
  return c_.changes() == 1;
}

std::optional<InstanceProfileRow> IamStore::instance_profile(std::string_view name) {
  auto q = c_.query(
      "SELECT profile_id, name, path, arn, created_at FROM iam_instance_profiles WHERE account = ? AND name = ?",
      account_, name);
  if (!q.step()) return std::nullopt;
  return profile_of(q);
}

std::vector<InstanceProfileRow> IamStore::instance_profiles() {
  std::vector<InstanceProfileRow> out;
  auto q = c_.query(
      "SELECT profile_id, name, path, arn, created_at FROM iam_instance_profiles WHERE account = ? ORDER BY name",
      account_);
  while (q.step()) out.push_back(profile_of(q));
  return out;
}

void IamStore::delete_instance_profile(std::string_view profile_id) {
  c_.query("DELETE FROM iam_instance_profiles WHERE profile_id = ?", profile_id).run();
}

void IamStore::add_profile_role(std::string_view profile_id, std::string_view role_id) {
  c_.query("INSERT OR IGNORE INTO iam_instance_profile_roles (profile_id, role_id) VALUES (?, ?)", profile_id, role_id)
      .run();
}

bool IamStore::remove_profile_role(std::string_view profile_id, std::string_view role_id) {
  c_.query("DELETE FROM iam_instance_profile_roles WHERE profile_id = ? AND role_id = ?", profile_id, role_id).run();
  return c_.changes() == 1;
}

std::vector<RoleRow> IamStore::profile_roles(std::string_view profile_id) {
  std::vector<RoleRow> out;
  auto q = c_.query(sql("SELECT ", "r.role_id, r.name, r.path, r.arn, r.created_at, r.trust_policy, r.description, "
                                   "r.max_session_duration, r.permissions_boundary",
                        " FROM iam_roles r JOIN iam_instance_profile_roles p ON p.role_id = r.role_id "
                        "WHERE p.profile_id = ? ORDER BY r.name"),
                    profile_id);
  while (q.step()) out.push_back(role_of(q));
  return out;
}

std::vector<InstanceProfileRow> IamStore::profiles_of_role(std::string_view role_id) {
  std::vector<InstanceProfileRow> out;
  auto q = c_.query(
      "SELECT i.profile_id, i.name, i.path, i.arn, i.created_at FROM iam_instance_profiles i "
      "JOIN iam_instance_profile_roles p ON p.profile_id = i.profile_id WHERE p.role_id = ? ORDER BY i.name",
      role_id);
  while (q.step()) out.push_back(profile_of(q));
  return out;
}

void StsCredentialStore::put(const CredentialRow& r) {
  c_.query(
        "INSERT INTO sts_credentials (access_key_id, account, arn, user_id, role_arn, task_arn, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (access_key_id) DO UPDATE SET expires_at = excluded.expires_at",
        r.access_key_id, r.account, r.arn, r.user_id, r.role_arn, r.task_arn, r.expires_at)
      .run();
}

std::optional<CredentialRow> StsCredentialStore::get(std::string_view access_key_id) {
  auto q = c_.query(
      "SELECT access_key_id, account, arn, user_id, role_arn, task_arn, expires_at FROM sts_credentials "
      "WHERE access_key_id = ?",
      access_key_id);
  if (!q.step()) return std::nullopt;
  return CredentialRow{q.str(0), q.str(1), q.str(2), q.str(3), q.opt_str(4), q.opt_str(5), q.int64(6)};
}

void StsCredentialStore::remove_expired(std::int64_t now) {
  c_.query("DELETE FROM sts_credentials WHERE expires_at < ?", now).run();
}

}  // namespace berth::state
