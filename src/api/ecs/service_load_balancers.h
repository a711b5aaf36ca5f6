#pragma once
// CreateService's and UpdateService's checks of loadBalancers against the ELBv2 state and the
// task definition, with ECS's texts (../shared/research/services.md A1, A7). Checked against
// errors users quote from AWS: the associated-load-balancer text (terraform issues), "Unable to
// assume role and validate the specified targetGroupArn..." (amazon-ecs-cli#21), the target type
// text for awsvpc and bridge, "The container X does not exist in the task definition."
// (amazon-ecs-agent#1276), "The container X did not have a container port P defined."
// (pulumi-awsx#1172), "Container Name can not be blank." (amazon-ecs-cli#359), Classic's
// "The load balancer NAME does not exist." (amazon-ecs-agent#647). Two are berth's wording, said
// where they are raised.
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
