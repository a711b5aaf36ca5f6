#pragma once
// CreateService's and UpdateService's checks of loadBalancers against the ELBv2 state and the
// task definition, with ECS's texts (../shared/research/services.md A1, A7).
#include <optional>

#include "api/context.h"
#include "common/aws_error.h"
#include "common/json.h"
#include "state/ecs_task_definition_store.h"

namespace berth::api::ecs {

// Each entry's target group exists in the caller's account and region, some listener or rule
// forwards to it, its target type fits the definition's network mode (ip for awsvpc, instance
// for bridge and host), and containerName/containerPort name a port mapping of the definition.
std::optional<AwsError> check_load_balancers(OpContext& ctx, const json::Value& load_balancers,
                                             const state::TaskDefinitionRow& td);

}  // namespace berth::api::ecs
