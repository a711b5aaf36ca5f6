// TagResource, UntagResource, ListTagsForResource (by log group ARN, without ":*") and the older
// TagLogGroup, UntagLogGroup, ListTagsLogGroup (by name). Both sets share one tag list.
#include "api/logs/tags.h"

#include "api/logs/errors.h"
#include "api/logs/identifiers.h"
#include "api/services.h"
#include "state/logs_store.h"

namespace berth::api::logs {
namespace {
constexpr std::size_t kMaxTags = 50;

// The ARN under which a group's tags are stored, when the group exists.
std::variant<std::string, AwsError> group_arn_by_name(OpContext& ctx, std::string_view name) {
  if (!state::LogsStore(ctx.db, ctx.scope()).group(name)) return errors::group_not_found();
  return arns::log_group(ctx.region, ctx.account, name);
}

std::variant<std::string, AwsError> group_arn_by_arn(OpContext& ctx, std::string_view arn) {
  auto parsed = Arn::parse(arn);
  if (!parsed || parsed->service != "logs")
    return errors::invalid_parameter("Invalid resource ARN: " + std::string(arn));
  if (parsed->resource_type() != "log-group" || parsed->resource_id().find(":log-stream:") != std::string_view::npos)
    return errors::invalid_parameter("Tagging is not supported for resource " + std::string(arn));
  auto name = group_name_of_arn(ctx, arn);
  if (!name) return errors::group_not_found();
  return group_arn_by_name(ctx, *name);
}

Outcome add_tags(OpContext& ctx, const std::string& arn, const json::Value& in, const char* member) {
  auto tags = tags_of(in, member);
  if (auto e = check_tags(tags)) return *e;
  state::TagsStore store(ctx.db);
  store.put(arn, tags);
  if (store.count(arn) > kMaxTags) return errors::too_many_tags();  // rolls the call back
  return Outcome::ok("{}");
}

Outcome remove_tags(OpContext& ctx, const std::string& arn, const json::Value& keys) {
  std::vector<std::string> names;
  for (const auto& k : keys.GetArray()) names.emplace_back(json::view(k));
  state::TagsStore(ctx.db).remove(arn, names);
  return Outcome::ok("{}");
}

Outcome list_tags(OpContext& ctx, const std::string& arn) {
  Body b;
  b.w.StartObject();
  b.w.Key("tags");
  b.w.StartObject();
  for (const auto& [k, v] : state::TagsStore(ctx.db).list(arn)) json::kv(b.w, k.c_str(), v);
  b.w.EndObject();
  b.w.EndObject();
  return b.done();
}

// Runs f with the stored-tags ARN a request names, or answers the lookup's error.
template <class F>
Outcome with_arn(std::variant<std::string, AwsError> found, F f) {
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  return f(std::get<std::string>(found));
}

Outcome tag_resource(OpContext& ctx, const json::Value& in) {
  return with_arn(group_arn_by_arn(ctx, json::view(in["resourceArn"])),
                  [&](const std::string& arn) { return add_tags(ctx, arn, in, "tags"); });
}
Outcome untag_resource(OpContext& ctx, const json::Value& in) {
  return with_arn(group_arn_by_arn(ctx, json::view(in["resourceArn"])),
                  [&](const std::string& arn) { return remove_tags(ctx, arn, in["tagKeys"]); });
}
Outcome list_tags_for_resource(OpContext& ctx, const json::Value& in) {
  return with_arn(group_arn_by_arn(ctx, json::view(in["resourceArn"])),
                  [&](const std::string& arn) { return list_tags(ctx, arn); });
}
Outcome tag_log_group(OpContext& ctx, const json::Value& in) {
  return with_arn(group_arn_by_name(ctx, json::view(in["logGroupName"])),
                  [&](const std::string& arn) { return add_tags(ctx, arn, in, "tags"); });
}
Outcome untag_log_group(OpContext& ctx, const json::Value& in) {
  return with_arn(group_arn_by_name(ctx, json::view(in["logGroupName"])),
                  [&](const std::string& arn) { return remove_tags(ctx, arn, in["tags"]); });
}
Outcome list_tags_log_group(OpContext& ctx, const json::Value& in) {
  return with_arn(group_arn_by_name(ctx, json::view(in["logGroupName"])),
                  [&](const std::string& arn) { return list_tags(ctx, arn); });
}
}  // namespace

std::vector<state::Tag> tags_of(const json::Value& input, const char* member) {
  std::vector<state::Tag> out;
  if (const json::Value* m = json::member(input, member); m && m->IsObject())
    for (const auto& t : m->GetObject())
      if (t.value.IsString()) out.emplace_back(json::view(t.name), json::view(t.value));
  return out;
}

std::optional<AwsError> check_tags(const std::vector<state::Tag>& tags) {
  for (const auto& [k, v] : tags)
    if (k.starts_with("aws:"))
      return errors::invalid_parameter("Tag keys cannot start with the reserved prefix 'aws:'.");
  if (tags.size() > kMaxTags) return errors::too_many_tags();
  return std::nullopt;
}

void register_tags(OperationTable& t) {
  t.add("logs", "TagResource", tag_resource, Access::Write);
  t.add("logs", "UntagResource", untag_resource, Access::Write);
  t.add("logs", "ListTagsForResource", list_tags_for_resource, Access::Read);
  t.add("logs", "TagLogGroup", tag_log_group, Access::Write);
  t.add("logs", "UntagLogGroup", untag_log_group, Access::Write);
  t.add("logs", "ListTagsLogGroup", list_tags_log_group, Access::Read);
}

}  // namespace berth::api::logs
