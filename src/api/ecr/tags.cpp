// TagResource, UntagResource, ListTagsForResource. ECR tags repositories only, named by
// arn:aws:ecr:REGION:ACCOUNT:repository/NAME.
#include "api/ecr/errors.h"
#include "api/services.h"
#include "state/ecr_store.h"
#include "state/tags_store.h"

namespace berth::api::ecr {
namespace {
constexpr std::size_t kMaxTags = 50;

// The repository an ARN names, or the error ECR answers for it.
std::variant<state::RepositoryRow, AwsError> repository_of(OpContext& ctx, std::string_view text) {
  auto arn = Arn::parse(text);
  if (!arn || arn->service != "ecr" || !arn->resource.starts_with("repository/") || arn->resource_id().empty())
    return errors::invalid_parameter("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'");
  std::string_view name = arn->resource_id();
  if (arn->account != ctx.account || arn->region != ctx.region)
    return errors::repository_not_found(name, arn->account);
  auto repo = state::EcrStore(ctx.db, ctx.scope()).repository(name);
  if (!repo) return errors::repository_not_found(name, arn->account);
  return std::move(*repo);
}

Outcome tag_resource(OpContext& ctx, const json::Value& in) {
  auto found = repository_of(ctx, json::view(in["resourceArn"]));
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  std::vector<state::Tag> tags;
  for (const auto& t : in["tags"].GetArray()) {
    std::string key(json::get_string(t, "Key").value_or(""));
    if (key.starts_with("aws:"))
      return errors::invalid_tag_parameter("Tag keys cannot start with the reserved prefix 'aws:'.");
    if (key.empty()) return errors::invalid_tag_parameter("Tag keys must not be empty.");
    tags.emplace_back(std::move(key), std::string(json::get_string(t, "Value").value_or("")));
  }
  state::TagsStore store(ctx.db);
  store.put(repo.arn, tags);
  // Counted after the merge: overwriting existing keys does not add to the total. An error
  // rolls the whole call back.
  if (store.count(repo.arn) > kMaxTags) return errors::too_many_tags("Tags size limit of 50 is exceeded.");
  return Outcome::ok("{}");
}

Outcome untag_resource(OpContext& ctx, const json::Value& in) {
  auto found = repository_of(ctx, json::view(in["resourceArn"]));
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  std::vector<std::string> keys;
  for (const auto& k : in["tagKeys"].GetArray()) {
    keys.emplace_back(json::view(k));
    if (keys.back().starts_with("aws:"))
      return errors::invalid_tag_parameter("Tag keys cannot start with the reserved prefix 'aws:'.");
  }
  state::TagsStore(ctx.db).remove(repo.arn, keys);
  return Outcome::ok("{}");
}

Outcome list_tags_for_resource(OpContext& ctx, const json::Value& in) {
  auto found = repository_of(ctx, json::view(in["resourceArn"]));
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& repo = std::get<state::RepositoryRow>(found);
  Body b;
  b.w.StartObject();
  b.w.Key("tags");
  b.w.StartArray();
  for (const auto& [k, v] : state::TagsStore(ctx.db).list(repo.arn)) {
    b.w.StartObject();
    json::kv(b.w, "Key", k);
    json::kv(b.w, "Value", v);
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_tags(OperationTable& t) {
  t.add("ecr", "TagResource", tag_resource, Access::Write);
  t.add("ecr", "UntagResource", untag_resource, Access::Write);
  t.add("ecr", "ListTagsForResource", list_tags_for_resource, Access::Read);
}

}  // namespace berth::api::ecr
