#pragma once
// Whether ECS could assume the roles a task is launched with: under --enforce-iam a role berth's
// IAM has must trust ecs-tasks.amazonaws.com with sts:AssumeRole, or RunTask answers ECS's
// ClientException. A role berth lacks is not refused here (berth runs the task and logs it).
#include <optional>

#include "api/context.h"

namespace berth::api::ecs {

// The error for the first role of `task_definition` (taskRoleArn, executionRoleArn; `overrides`
// of RunTask replace them) that does not trust ECS, or nullopt.
std::optional<AwsError> untrusted_task_role(OpContext& ctx, const json::Value& task_definition,
                                            const json::Value* overrides, std::string_view cluster_arn);

}  // namespace berth::api::ecs
