#pragma once
// What the scalable-target and policy handlers share.
#include <optional>

#include "api/context.h"
#include "state/scaling_store.h"

namespace berth::api::autoscaling {
state::TargetKey key_of(const json::Value& in);
// ECS service targets only: ecs, service/CLUSTER/SERVICE, ecs:service:DesiredCount.
std::optional<AwsError> check_ecs_target(const state::TargetKey& k);
// The checks every call on an existing target makes: an ECS service target (check_ecs_target)
// that is registered (ObjectNotFoundException otherwise).
std::optional<AwsError> check_registered(OpContext& ctx, const state::TargetKey& k);
// Deletes the CloudWatch alarms a (target tracking) policy made.
void delete_policy_alarms(OpContext& ctx, const state::ScalingPolicyRow& p);
}  // namespace berth::api::autoscaling
