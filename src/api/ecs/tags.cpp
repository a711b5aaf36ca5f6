// TagResource, UntagResource, ListTagsForResource on every taggable ECS resource.
#include "api/ecs/tags.h"

#include <set>

#include "api/ecs/errors.h"
#include "api/ecs/identifiers.h"
#include "api/ecs/shapes.h"
#include "api/services.h"
#include "ecs/task_factory.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_service_store.h"
#include "state/ecs_task_definition_store.h"
#include "state/ecs_task_store.h"

namespace berth::api::ecs {
namespace {

// The error for an ARN that names no existing ECS resource of this account and region.
std::optional<AwsError> check_resource(OpContext& ctx, std::string_view text) {
  auto arn = Arn::parse(text);
  if (!arn || arn->service != "ecs" || arn->account != ctx.account || arn->region != ctx.region)
    return errors::invalid_arn();
  std::string_view type = arn->resource_type();
  if (type == "cluster") {
    auto row = state::ClusterStore(ctx.db, ctx.scope()).get(arn->resource_id());
    if (!row || row->status != "ACTIVE") return errors::cluster_not_found();
    return std::nullopt;
  }
  if (type == "task-definition") {
    auto ref = task_definition_ref(ctx, text);
    if (!ref || !ref->revision) return errors::invalid_arn();
    if (!state::TaskDefinitionStore(ctx.db, ctx.scope()).get(ref->family, *ref->revision))
      return errors::task_definition_not_found();
    return std::nullopt;
  }
  if (type == "capacity-provider")
    return errors::invalid_parameter("The capacity providers FARGATE and FARGATE_SPOT cannot be tagged.");
  if (type == "task") {
    if (!state::TaskStore(ctx.db).get(text)) return errors::resource_not_found("The specified resource could not be found.");
    return std::nullopt;
  }
  if (type == "service") {
    // Long ARNs only (service/CLUSTER/NAME): berth names every service that way.
    auto row = state::ServiceStore(ctx.db).get(text);
    if (!row || row->status == "INACTIVE") return errors::resource_not_found("The specified resource could not be found.");
    return std::nullopt;
  }
  static const std::set<std::string_view> other = {"container-instance", "task-set"};
  if (other.count(type)) return errors::resource_not_found("The specified resource could not be found.");
  return errors::invalid_arn();
}

Outcome tag_resource(OpContext& ctx, const json::Value& in) {
  std::string_view arn = json::view(in["resourceArn"]);
  if (auto e = check_resource(ctx, arn)) return *e;
  auto tags = tags_of(in);
  state::TagsStore store(ctx.db);
  if (auto e = check_tags(tags)) return *e;
  store.put(arn, tags);
  if (store.count(arn) > 50) return errors::invalid_parameter("A resource can have at most 50 tags.");
  return Outcome::ok("{}");
}

Outcome untag_resource(OpContext& ctx, const json::Value& in) {
  std::string_view arn = json::view(in["resourceArn"]);
  if (auto e = check_resource(ctx, arn)) return *e;
  std::vector<std::string> keys;
  for (const auto& k : in["tagKeys"].GetArray()) keys.emplace_back(json::view(k));
  state::TagsStore(ctx.db).remove(arn, keys);
  return Outcome::ok("{}");
}

Outcome list_tags_for_resource(OpContext& ctx, const json::Value& in) {
  std::string_view arn = json::view(in["resourceArn"]);
  if (auto e = check_resource(ctx, arn)) return *e;
  Body b;
  b.w.StartObject();
  b.w.Key("tags");
  write_tags(b.w, state::TagsStore(ctx.db).list(arn));
  b.w.EndObject();
  return b.done();
}
}  // namespace

std::optional<AwsError> check_tags(const std::vector<state::Tag>& tags) { return berth::ecs::check_tags(tags); }

void register_tags(OperationTable& t) {
  t.add("ecs", "TagResource", tag_resource, Access::Write);
  t.add("ecs", "UntagResource", untag_resource, Access::Write);
  t.add("ecs", "ListTagsForResource", list_tags_for_resource, Access::Read);
}

}  // namespace berth::api::ecs
