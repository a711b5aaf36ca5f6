// PutScalingPolicy (target tracking, with its two CloudWatch alarms; step scaling, acted on by
// alarms the user makes), DescribeScalingPolicies, DeleteScalingPolicy.
#include "api/autoscaling/errors.h"
#include "api/autoscaling/listing.h"
#include "api/autoscaling/registration.h"
#include "api/autoscaling/targets.h"
#include "api/pagination.h"
#include "api/services.h"
#include "common/ids.h"
#include "scaling/capacity.h"
#include "scaling/target_tracking.h"
#include "state/metrics_store.h"
#include "state/scaling_store.h"

namespace berth::api::autoscaling {
namespace {

std::string alarm_arn(OpContext& ctx, const std::string& name) {
  return "arn:aws:cloudwatch:" + ctx.region + ":" + ctx.account + ":alarm:" + name;
}

Outcome put_scaling_policy(OpContext& ctx, const json::Value& in) {
  auto k = key_of(in);
  if (auto e = check_registered(ctx, k)) return *e;
  std::string name(json::view(in["PolicyName"]));
  std::string type(json::get_string(in, "PolicyType").value_or("StepScaling"));
  state::ScalingStore store(ctx.db, ctx.scope());
  const char* config_member = type == "TargetTrackingScaling" ? "TargetTrackingScalingPolicyConfiguration"
                              : type == "StepScaling"         ? "StepScalingPolicyConfiguration"
                                                              : nullptr;
  if (!config_member) return errors::validation("Unsupported policy type " + type + " for service namespace ecs.");
  const auto* config = json::member(in, config_member);
  if (!config) return errors::validation(std::string(config_member) + " is required for a policy of type " + type + ".");

  auto existing = store.policy(k, name);
  state::ScalingPolicyRow row;
  std::string uuid = existing ? existing->arn.substr(existing->arn.find("scalingPolicy:") + 14, 36) : ids::uuid_v4();
  row.arn = "arn:aws:autoscaling:" + ctx.region + ":" + ctx.account + ":scalingPolicy:" + uuid + ":resource/" +
            k.service_namespace + "/" + k.resource_id + ":policyName/" + name;
  row.name = name;
  row.key = k;
  row.policy_type = type;
  row.config = json::dump(*config);
  row.created = existing ? existing->created : ctx.clock.now_millis();
  if (existing) delete_policy_alarms(ctx, *existing);

  rapidjson::StringBuffer alarms_buf;
  json::Writer aw(alarms_buf);
  aw.StartArray();
  if (type == "TargetTrackingScaling") {
    auto made = scaling::target_tracking_alarms(row.arn, k.resource_id, uuid, *config, ctx.clock.now_millis(),
                                                scaling::scaled_seconds(60, ctx.config.scaling_time_scale));
    if (auto* e = std::get_if<std::string>(&made)) return errors::validation(*e);
    state::MetricsStore metrics_store(ctx.db, ctx.scope());
    for (const auto& a : std::get<std::vector<state::MetricAlarmRow>>(made)) {
      metrics_store.put_alarm(a);
      aw.StartObject();
      json::kv(aw, "AlarmName", a.name);
      json::kv(aw, "AlarmARN", alarm_arn(ctx, a.name));
      aw.EndObject();
    }
  }
  aw.EndArray();
  row.alarms = std::string(alarms_buf.GetString(), alarms_buf.GetSize());
  store.put_policy(row);

  Body b;
  b.w.StartObject();
  json::kv(b.w, "PolicyARN", row.arn);
  b.w.Key("Alarms");
  json::raw(b.w, row.alarms);
  b.w.EndObject();
  return b.done();
}

Outcome describe_scaling_policies(OpContext& ctx, const json::Value& in) {
  auto after = cursor_of(in);
  if (auto* e = std::get_if<AwsError>(&after)) return *e;
  state::ScalingStore store(ctx.db, ctx.scope());
  auto page = page_by_names(store.policies(json::view(in["ServiceNamespace"]), json::get_string(in, "ResourceId"),
                                           json::get_string(in, "ScalableDimension"), std::get<std::string>(after), 10000),
                            names_of(in, "PolicyNames"), static_cast<int>(json::get_int(in, "MaxResults").value_or(50)),
                            [](const state::ScalingPolicyRow& p) { return p.name; });
  Body b;
  b.w.StartObject();
  b.w.Key("ScalingPolicies");
  b.w.StartArray();
  for (const auto& p : page.rows) {
    b.w.StartObject();
    json::kv(b.w, "PolicyARN", p.arn);
    json::kv(b.w, "PolicyName", p.name);
    json::kv(b.w, "ServiceNamespace", p.key.service_namespace);
    json::kv(b.w, "ResourceId", p.key.resource_id);
    json::kv(b.w, "ScalableDimension", p.key.scalable_dimension);
    json::kv(b.w, "PolicyType", p.policy_type);
    b.w.Key(p.policy_type == "TargetTrackingScaling" ? "TargetTrackingScalingPolicyConfiguration"
                                                     : "StepScalingPolicyConfiguration");
    json::raw(b.w, p.config);
    b.w.Key("Alarms");
    json::raw(b.w, p.alarms);
    b.w.Key("CreationTime");
    json::epoch_seconds(b.w, p.created);
    b.w.EndObject();
  }
  b.w.EndArray();
  if (page.more) json::kv(b.w, "NextToken", pagination::encode(page.rows.back().arn));
  b.w.EndObject();
  return b.done();
}

Outcome delete_scaling_policy(OpContext& ctx, const json::Value& in) {
  auto k = key_of(in);
  std::string name(json::view(in["PolicyName"]));
  state::ScalingStore store(ctx.db, ctx.scope());
  auto p = store.policy(k, name);
  if (!p) return errors::policy_not_found(k, name);
  delete_policy_alarms(ctx, *p);
  store.delete_policy(p->arn);
  return Outcome::ok("{}");
}

}  // namespace

void register_policies(OperationTable& t) {
  t.add("application-autoscaling", "PutScalingPolicy", put_scaling_policy, Access::Write);
  t.add("application-autoscaling", "DescribeScalingPolicies", describe_scaling_policies, Access::Read);
  t.add("application-autoscaling", "DeleteScalingPolicy", delete_scaling_policy, Access::Write);
}

}  // namespace berth::api::autoscaling
