// RegisterScalableTarget, DeregisterScalableTarget, DescribeScalableTargets,
// DescribeScalingActivities, and tags on scalable targets.
#include "api/autoscaling/errors.h"
#include "api/autoscaling/listing.h"
#include "api/autoscaling/registration.h"
#include "api/autoscaling/targets.h"
#include "api/pagination.h"
#include "api/services.h"
#include "common/ids.h"
#include "scaling/capacity_bounds.h"
#include "state/metrics_store.h"
#include "state/scaling_store.h"
#include "state/tags_store.h"

namespace berth::api::autoscaling {

state::TargetKey key_of(const json::Value& in) {
  return {std::string(json::get_string(in, "ServiceNamespace").value_or("")),
          std::string(json::get_string(in, "ResourceId").value_or("")),
          std::string(json::get_string(in, "ScalableDimension").value_or(""))};
}

std::optional<AwsError> check_ecs_target(const state::TargetKey& k) {
  if (k.service_namespace != "ecs")
    return errors::validation("berth scales ECS services only; service namespace " + k.service_namespace + " is not supported.");
  if (k.scalable_dimension != "ecs:service:DesiredCount")
    return errors::validation("Unsupported scalable dimension '" + k.scalable_dimension + "' for service namespace 'ecs'.");
  auto first = k.resource_id.find('/');
  auto second = first == std::string::npos ? first : k.resource_id.find('/', first + 1);
  if (!k.resource_id.starts_with("service/") || second == std::string::npos || second == first + 1 ||
      second + 1 == k.resource_id.size() || k.resource_id.find('/', second + 1) != std::string::npos)
    return errors::validation("Unsupported service namespace, resource type or scalable dimension");
  return std::nullopt;
}

std::optional<AwsError> check_registered(OpContext& ctx, const state::TargetKey& k) {
  if (auto e = check_ecs_target(k)) return e;
  if (!state::ScalingStore(ctx.db, ctx.scope()).target(k)) return errors::target_not_found(k);
  return std::nullopt;
}

void delete_policy_alarms(OpContext& ctx, const state::ScalingPolicyRow& p) {
  rapidjson::Document alarms;
  alarms.Parse(p.alarms.c_str());
  state::MetricsStore metrics_store(ctx.db, ctx.scope());
  if (alarms.IsArray())
    for (const auto& a : alarms.GetArray()) metrics_store.delete_alarm(json::view(a["AlarmName"]));
}

namespace {

Outcome register_scalable_target(OpContext& ctx, const json::Value& in) {
  auto k = key_of(in);
  if (auto e = check_ecs_target(k)) return *e;
  state::ScalingStore store(ctx.db, ctx.scope());
  auto existing = store.target(k);
  auto min = json::get_int(in, "MinCapacity"), max = json::get_int(in, "MaxCapacity");
  if (!existing && (!min || !max))
    return errors::validation("Minimum and maximum capacity are required when registering a new scalable target.");
  state::ScalableTargetRow row;
  if (existing) row = *existing;
  else {
    row.key = k;
    row.arn = "arn:aws:application-autoscaling:" + ctx.region + ":" + ctx.account + ":scalable-target/" + ids::hex32().substr(0, 28);
    row.created = ctx.clock.now_millis();
    row.role_arn = "arn:aws:iam::" + ctx.account +
                   ":role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService";
  }
  if (min) row.min_capacity = *min;
  if (max) row.max_capacity = *max;
  if (row.min_capacity > row.max_capacity)
    return errors::validation("Minimum capacity cannot be greater than maximum capacity");
  if (auto r = json::get_string(in, "RoleARN")) row.role_arn = std::string(*r);
  if (const auto* s = json::member(in, "SuspendedState")) row.suspended = json::dump(*s);
  store.put_target(row);
  // As Application Auto Scaling does at every registration: a desired count outside the bounds
  // is moved into them, recorded as an activity; the scheduler looks once this call commits.
  if (const auto* capacity = ctx.services.service_capacity)
    if (scaling::enforce_bounds(ctx.db, ctx.scope(), *capacity, store, k, row.min_capacity, row.max_capacity,
                                ctx.clock.now_millis()))
      ctx.after_commit.push_back([capacity, scope = ctx.scope(), resource = k.resource_id](state::Database&) {
        if (capacity->wake) capacity->wake(scope, resource);
      });
  if (const auto* tags = json::member(in, "Tags"); tags && tags->IsObject()) {
    std::vector<state::Tag> list;
    for (auto it = tags->MemberBegin(); it != tags->MemberEnd(); ++it)
      list.emplace_back(it->name.GetString(), json::view(it->value));
    state::TagsStore(ctx.db).put(row.arn, list);
  }
  Body b;
  b.w.StartObject();
  json::kv(b.w, "ScalableTargetARN", row.arn);
  b.w.EndObject();
  return b.done();
}

Outcome deregister_scalable_target(OpContext& ctx, const json::Value& in) {
  auto k = key_of(in);
  state::ScalingStore store(ctx.db, ctx.scope());
  auto target = store.target(k);
  if (!target)
    return AwsError::client("ObjectNotFoundException",
                            "No scalable target found for service namespace: " + k.service_namespace +
                                ", resource ID: " + k.resource_id + ", scalable dimension: " + k.scalable_dimension);
  for (const auto& p : store.policies(k.service_namespace, k.resource_id, k.scalable_dimension, "", 1000))
    delete_policy_alarms(ctx, p);
  store.delete_target(k);
  state::TagsStore(ctx.db).remove_all(target->arn);
  return Outcome::ok("{}");
}

void write_target(json::Writer& w, const state::ScalableTargetRow& t) {
  w.StartObject();
  json::kv(w, "ServiceNamespace", t.key.service_namespace);
  json::kv(w, "ResourceId", t.key.resource_id);
  json::kv(w, "ScalableDimension", t.key.scalable_dimension);
  w.Key("MinCapacity");
  w.Int64(t.min_capacity);
  w.Key("MaxCapacity");
  w.Int64(t.max_capacity);
  json::kv(w, "RoleARN", t.role_arn);
  w.Key("CreationTime");
  json::epoch_seconds(w, t.created);
  rapidjson::Document s;
  s.Parse(t.suspended.c_str());
  w.Key("SuspendedState");
  w.StartObject();
  for (const char* m : {"DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended"}) {
    w.Key(m);
    w.Bool(json::get_bool(s, m).value_or(false));
  }
  w.EndObject();
  json::kv(w, "ScalableTargetARN", t.arn);
  w.EndObject();
}

Outcome describe_scalable_targets(OpContext& ctx, const json::Value& in) {
  auto after = cursor_of(in);
  if (auto* e = std::get_if<AwsError>(&after)) return *e;
  state::ScalingStore store(ctx.db, ctx.scope());
  auto page = page_by_names(store.targets(json::view(in["ServiceNamespace"]), json::get_string(in, "ScalableDimension"),
                                          std::get<std::string>(after), 10000),
                            names_of(in, "ResourceIds"), static_cast<int>(json::get_int(in, "MaxResults").value_or(50)),
                            [](const state::ScalableTargetRow& t) { return t.key.resource_id; });
  Body b;
  b.w.StartObject();
  b.w.Key("ScalableTargets");
  b.w.StartArray();
  for (const auto& t : page.rows) write_target(b.w, t);
  b.w.EndArray();
  if (page.more)
    json::kv(b.w, "NextToken",
             pagination::encode(page.rows.back().key.resource_id + " " + page.rows.back().key.scalable_dimension));
  b.w.EndObject();
  return b.done();
}

Outcome describe_scaling_activities(OpContext& ctx, const json::Value& in) {
  int limit = static_cast<int>(json::get_int(in, "MaxResults").value_or(50));
  std::int64_t before = 0;
  if (auto t = json::get_string(in, "NextToken")) {
    auto c = pagination::decode(*t);
    if (!c) return errors::invalid_next_token();
    before = std::strtoll(c->c_str(), nullptr, 10);
  }
  state::ScalingStore store(ctx.db, ctx.scope());
  auto rows = store.activities(json::view(in["ServiceNamespace"]), json::get_string(in, "ResourceId"),
                               json::get_string(in, "ScalableDimension"), before, limit + 1);
  bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.resize(limit);
  Body b;
  b.w.StartObject();
  b.w.Key("ScalingActivities");
  b.w.StartArray();
  for (const auto& a : rows) {
    b.w.StartObject();
    json::kv(b.w, "ActivityId", a.activity_id);
    json::kv(b.w, "ServiceNamespace", a.key.service_namespace);
    json::kv(b.w, "ResourceId", a.key.resource_id);
    json::kv(b.w, "ScalableDimension", a.key.scalable_dimension);
    json::kv(b.w, "Description", a.description);
    json::kv(b.w, "Cause", a.cause);
    b.w.Key("StartTime");
    json::epoch_seconds(b.w, a.start_time);
    if (a.end_time) {
      b.w.Key("EndTime");
      json::epoch_seconds(b.w, *a.end_time);
    }
    json::kv(b.w, "StatusCode", a.status_code);
    json::kv(b.w, "StatusMessage", a.status_message);
    b.w.EndObject();
  }
  b.w.EndArray();
  if (more) json::kv(b.w, "NextToken", pagination::encode(std::to_string(rows.back().seq)));
  b.w.EndObject();
  return b.done();
}

// Tags by scalable target ARN (the only taggable Application Auto Scaling resource).
std::optional<AwsError> check_tagged(OpContext& ctx, std::string_view arn) {
  if (state::ScalingStore(ctx.db, ctx.scope()).target_arn_exists(arn)) return std::nullopt;
  return AwsError::client("ResourceNotFoundException", "No scalable target found for resource " + std::string(arn));
}

Outcome tag_resource(OpContext& ctx, const json::Value& in) {
  auto arn = json::view(in["ResourceARN"]);
  if (auto e = check_tagged(ctx, arn)) return *e;
  std::vector<state::Tag> list;
  for (auto it = in["Tags"].MemberBegin(); it != in["Tags"].MemberEnd(); ++it)
    list.emplace_back(it->name.GetString(), json::view(it->value));
  state::TagsStore ts(ctx.db);
  ts.put(arn, list);
  if (ts.count(arn) > 50) return AwsError::client("TooManyTagsException", "A resource can have at most 50 tags.");
  return Outcome::ok("{}");
}

Outcome untag_resource(OpContext& ctx, const json::Value& in) {
  auto arn = json::view(in["ResourceARN"]);
  if (auto e = check_tagged(ctx, arn)) return *e;
  std::vector<std::string> keys;
  for (const auto& k : in["TagKeys"].GetArray()) keys.emplace_back(json::view(k));
  state::TagsStore(ctx.db).remove(arn, keys);
  return Outcome::ok("{}");
}

Outcome list_tags_for_resource(OpContext& ctx, const json::Value& in) {
  auto arn = json::view(in["ResourceARN"]);
  if (auto e = check_tagged(ctx, arn)) return *e;
  Body b;
  b.w.StartObject();
  b.w.Key("Tags");
  b.w.StartObject();
  for (const auto& [k, v] : state::TagsStore(ctx.db).list(arn)) json::kv(b.w, k.c_str(), v);
  b.w.EndObject();
  b.w.EndObject();
  return b.done();
}

}  // namespace

void register_targets(OperationTable& t) {
  t.add("application-autoscaling", "RegisterScalableTarget", register_scalable_target, Access::Write);
  t.add("application-autoscaling", "DeregisterScalableTarget", deregister_scalable_target, Access::Write);
  t.add("application-autoscaling", "DescribeScalableTargets", describe_scalable_targets, Access::Read);
  t.add("application-autoscaling", "DescribeScalingActivities", describe_scaling_activities, Access::Read);
  t.add("application-autoscaling", "TagResource", tag_resource, Access::Write);
  t.add("application-autoscaling", "UntagResource", untag_resource, Access::Write);
  t.add("application-autoscaling", "ListTagsForResource", list_tags_for_resource, Access::Read);
}

}  // namespace berth::api::autoscaling
