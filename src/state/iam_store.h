#pragma once
// IAM's rows for one account (IAM is global: no region): roles with their inline policies and
// attachments, customer managed policies with their versions, instance profiles. AWS managed
// policies are not rows (iam/managed_policies.h); attachments name any policy by ARN.
// StsCredentialStore keeps who each minted access key is, across accounts.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"

namespace berth::state {

struct RoleRow {
  std::string role_id;
  std::string name;
  std::string path;
  std::string arn;
  std::int64_t created_at = 0;
  std::string trust_policy;
  std::optional<std::string> description;
  std::int64_t max_session_duration = 3600;
  std::optional<std::string> permissions_boundary;
};

struct PolicyRow {
  std::string arn;
  std::string name;
  std::string path;
  std::string policy_id;
  std::optional<std::string> description;
  std::string default_version;
  std::int64_t next_version = 1;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct PolicyVersionRow {
  std::string version_id;
  std::string document;
  std::int64_t created_at = 0;
};

struct InstanceProfileRow {
  std::string profile_id;
  std::string name;
  std::string path;
  std::string arn;
  std::int64_t created_at = 0;
};

class IamStore {
 public:
  IamStore(Connection& c, std::string account) : c_(c), account_(std::move(account)) {}

  // Roles. create_role is false when the name is taken (in any case).
  bool create_role(const RoleRow& r);
  std::optional<RoleRow> role(std::string_view name);
  std::optional<RoleRow> role_by_arn(std::string_view arn);
  std::vector<RoleRow> roles();  // by name
  void update_role(const RoleRow& r);
  void delete_role(std::string_view role_id);

  // Inline role policies, by name.
  void put_role_policy(std::string_view role_id, std::string_view name, std::string_view document);
  std::optional<std::string> role_policy(std::string_view role_id, std::string_view name);
  std::vector<std::string> role_policy_names(std::string_view role_id);
  std::vector<std::string> role_policy_documents(std::string_view role_id);
  bool delete_role_policy(std::string_view role_id, std::string_view name);

  // Managed policies attached to a role, by ARN (idempotent attach).
  void attach(std::string_view role_id, std::string_view policy_arn);
  bool detach(std::string_view role_id, std::string_view policy_arn);
  std::vector<std::string> attached(std::string_view role_id);
  std::int64_t attachment_count(std::string_view policy_arn);
  std::vector<std::string> attached_anywhere();  // distinct ARNs attached to some role

  // Customer managed policies. create_policy is false when the name is taken.
  bool create_policy(const PolicyRow& p, const PolicyVersionRow& first);
  std::optional<PolicyRow> policy(std::string_view arn);
  std::vector<PolicyRow> policies();  // by name
  void update_policy(const PolicyRow& p);
  void delete_policy(std::string_view arn);
  std::vector<PolicyVersionRow> versions(std::string_view arn);  // newest first
  std::optional<PolicyVersionRow> version(std::string_view arn, std::string_view version_id);
  void add_version(std::string_view arn, const PolicyVersionRow& v, std::int64_t seq);
  void delete_version(std::string_view arn, std::string_view version_id);

  // Instance profiles and the role each holds.
  bool create_instance_profile(const InstanceProfileRow& p);
  std::optional<InstanceProfileRow> instance_profile(std::string_view name);
  std::vector<InstanceProfileRow> instance_profiles();
  void delete_instance_profile(std::string_view profile_id);
  void add_profile_role(std::string_view profile_id, std::string_view role_id);
  bool remove_profile_role(std::string_view profile_id, std::string_view role_id);
  std::vector<RoleRow> profile_roles(std::string_view profile_id);
  std::vector<InstanceProfileRow> profiles_of_role(std::string_view role_id);

 private:
  Connection& c_;
  std::string account_;
};

struct CredentialRow {
  std::string access_key_id;
  std::string account;
  std::string arn;      // caller ARN
  std::string user_id;
  std::optional<std::string> role_arn;
  std::optional<std::string> task_arn;
  std::int64_t expires_at = 0;
};

class StsCredentialStore {
 public:
  explicit StsCredentialStore(Connection& c) : c_(c) {}
  // Inserts or refreshes (a task's key is minted again with a later expiry).
  void put(const CredentialRow& r);
  std::optional<CredentialRow> get(std::string_view access_key_id);
  // Drops keys that expired before `now` (housekeeping).
  void remove_expired(std::int64_t now);

 private:
  Connection& c_;
};

}  // namespace berth::state
