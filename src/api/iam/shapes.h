#pragma once
// How IAM writes its resources (Role, Policy, PolicyVersion, InstanceProfile), its policy
// documents (URL-encoded, as IAM sends them: botocore decodes them) and its Marker paging.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "iam/managed_policies.h"
#include "state/iam_store.h"
#include "state/tags_store.h"

namespace berth::api::iam {

// A policy document as IAM returns it: percent-encoded JSON text.
std::string url_encode(std::string_view text);

// "arn:aws:iam::ACCOUNT:role/PATH/NAME" with PATH "/" or "/a/b/".
std::string role_arn(std::string_view account, std::string_view path, std::string_view name);
std::string policy_arn(std::string_view account, std::string_view path, std::string_view name);
std::string instance_profile_arn(std::string_view account, std::string_view path, std::string_view name);

// The role's shape; `with_details`: GetRole's members (tags, last used) besides ListRoles' own.
void write_role(json::Writer& w, state::Connection& c, const state::RoleRow& r, bool with_details);

// A customer managed policy, or an AWS managed one (with this account's attachment count).
void write_policy(json::Writer& w, const state::PolicyRow& p, std::int64_t attachments);
void write_aws_policy(json::Writer& w, const berth::iam::ManagedPolicy& p, std::int64_t attachments);
void write_instance_profile(json::Writer& w, state::Connection& c, const state::InstanceProfileRow& p);

// Tags from a request's Tags list ([{Key, Value}]).
std::vector<state::Tag> tags_of(const json::Value& input);
void write_tags(json::Writer& w, const std::vector<state::Tag>& tags);

// A page of `keys` (sorted) after the request's Marker, at most MaxItems (default 100):
// the indexes to write, and whether more remain. nullopt: a Marker berth did not issue.
struct Page {
  std::size_t begin = 0, end = 0;
  bool truncated = false;
  std::string marker;  // for the next call, when truncated
};
std::optional<Page> page_of(const json::Value& input, const std::vector<std::string>& keys);
// Writes IsTruncated and, when truncated, Marker.
void write_page_end(json::Writer& w, const Page& p);

// A policy document's MalformedPolicyDocument error, if any.
std::optional<AwsError> check_policy_document(std::string_view document);
// IAM's path rule: "/" or "/.../"; nullopt when valid.
std::optional<AwsError> check_path(std::string_view path);

}  // namespace berth::api::iam
