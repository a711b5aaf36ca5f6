#include "api/iam/shapes.h"

#include <algorithm>

#include "api/iam/errors.h"
#include "api/pagination.h"
#include "iam/policy_evaluator.h"

namespace berth::api::iam {
namespace {
void date(json::Writer& w, const char* key, std::int64_t millis) {
  w.Key(key);
  json::epoch_seconds(w, millis);
}
}  // namespace

std::string url_encode(std::string_view text) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 2);
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0xf]);
    }
  }
  return out;
}

std::string role_arn(std::string_view account, std::string_view path, std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":role" + std::string(path) + std::string(name);
}
std::string policy_arn(std::string_view account, std::string_view path, std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":policy" + std::string(path) + std::string(name);
}
std::string instance_profile_arn(std::string_view account, std::string_view path, std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":instance-profile" + std::string(path) + std::string(name);
}

void write_role(json::Writer& w, state::Connection& c, const state::RoleRow& r, bool with_details) {
  w.StartObject();
  json::kv(w, "Path", r.path);
  json::kv(w, "RoleName", r.name);
  json::kv(w, "RoleId", r.role_id);
  json::kv(w, "Arn", r.arn);
  date(w, "CreateDate", r.created_at);
  json::kv(w, "AssumeRolePolicyDocument", url_encode(r.trust_policy));
  if (r.description) json::kv(w, "Description", *r.description);
  w.Key("MaxSessionDuration");
  w.Int64(r.max_session_duration);
  if (r.permissions_boundary) {
    w.Key("PermissionsBoundary");
    w.StartObject();
    json::kv(w, "PermissionsBoundaryType", "Policy");
    json::kv(w, "PermissionsBoundaryArn", *r.permissions_boundary);
    w.EndObject();
  }
  if (with_details) {
    auto tags = state::TagsStore(c).list(r.arn);
    if (!tags.empty()) {
      w.Key("Tags");
      write_tags(w, tags);
    }
    w.Key("RoleLastUsed");
    w.StartObject();
    w.EndObject();
  }
  w.EndObject();
}

void write_policy(json::Writer& w, const state::PolicyRow& p, std::int64_t attachments) {
  w.StartObject();
  json::kv(w, "PolicyName", p.name);
  json::kv(w, "PolicyId", p.policy_id);
  json::kv(w, "Arn", p.arn);
  json::kv(w, "Path", p.path);
  json::kv(w, "DefaultVersionId", p.default_version);
  w.Key("AttachmentCount");
  w.Int64(attachments);
  w.Key("PermissionsBoundaryUsageCount");
  w.Int(0);
  w.Key("IsAttachable");
  w.Bool(true);
  if (p.description) json::kv(w, "Description", *p.description);
  date(w, "CreateDate", p.created_at);
  date(w, "UpdateDate", p.updated_at);
  w.EndObject();
}

void write_aws_policy(json::Writer& w, const berth::iam::ManagedPolicy& p, std::int64_t attachments) {
  w.StartObject();
  json::kv(w, "PolicyName", p.name);
  json::kv(w, "PolicyId", p.policy_id);
  json::kv(w, "Arn", berth::iam::arn_of(p));
  json::kv(w, "Path", p.path);
  json::kv(w, "DefaultVersionId", p.default_version);
  w.Key("AttachmentCount");
  w.Int64(attachments);
  w.Key("PermissionsBoundaryUsageCount");
  w.Int(0);
  w.Key("IsAttachable");
  w.Bool(p.attachable);
  json::kv(w, "Description", p.description);
  date(w, "CreateDate", p.created_at);
  date(w, "UpdateDate", p.updated_at);
  w.EndObject();
}

void write_instance_profile(json::Writer& w, state::Connection& c, const state::InstanceProfileRow& p) {
  w.StartObject();
  json::kv(w, "Path", p.path);
  json::kv(w, "InstanceProfileName", p.name);
  json::kv(w, "InstanceProfileId", p.profile_id);
  json::kv(w, "Arn", p.arn);
  date(w, "CreateDate", p.created_at);
  w.Key("Roles");
  w.StartArray();
  for (const auto& r : state::IamStore(c, "").profile_roles(p.profile_id)) write_role(w, c, r, false);
  w.EndArray();
  auto tags = state::TagsStore(c).list(p.arn);
  if (!tags.empty()) {
    w.Key("Tags");
    write_tags(w, tags);
  }
  w.EndObject();
}

std::vector<state::Tag> tags_of(const json::Value& input) {
  std::vector<state::Tag> out;
  const json::Value* tags = json::member(input, "Tags");
  if (!tags || !tags->IsArray()) return out;
  for (const auto& t : tags->GetArray())
    out.emplace_back(std::string(json::get_string(t, "Key").value_or("")),
                     std::string(json::get_string(t, "Value").value_or("")));
  return out;
}

void write_tags(json::Writer& w, const std::vector<state::Tag>& tags) {
  w.StartArray();
  for (const auto& [k, v] : tags) {
    w.StartObject();
    json::kv(w, "Key", k);
    json::kv(w, "Value", v);
    w.EndObject();
  }
  w.EndArray();
}

std::optional<Page> page_of(const json::Value& input, const std::vector<std::string>& keys) {
  Page p;
  if (auto marker = json::get_string(input, "Marker")) {
    auto after = pagination::decode(*marker);
    if (!after) return std::nullopt;
    p.begin = static_cast<std::size_t>(std::upper_bound(keys.begin(), keys.end(), *after) - keys.begin());
  }
  std::size_t max = static_cast<std::size_t>(json::get_int(input, "MaxItems").value_or(100));
  p.end = std::min(keys.size(), p.begin + max);
  p.truncated = p.end < keys.size();
  if (p.truncated) p.marker = pagination::encode(keys[p.end - 1]);
  return p;
}

void write_page_end(json::Writer& w, const Page& p) {
  w.Key("IsTruncated");
  w.Bool(p.truncated);
  if (p.truncated) json::kv(w, "Marker", p.marker);
}

std::optional<AwsError> check_policy_document(std::string_view document) {
  if (auto err = berth::iam::policy_syntax_error(document)) return errors::malformed_policy(*err);
  return std::nullopt;
}

std::optional<AwsError> check_path(std::string_view path) {
  if (path == "/" || (path.size() >= 2 && path.front() == '/' && path.back() == '/' &&
                      path.find("//") == std::string_view::npos))
    return std::nullopt;
  return errors::invalid_input("The specified value for path is invalid. It must begin and end with / and contain "
                               "only alphanumeric characters and/or / characters.");
}

}  // namespace berth::api::iam
