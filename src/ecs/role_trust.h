#pragma once
// Whether ECS could assume the roles a task is launched with. Under --enforce-iam a role berth's
// IAM has must trust ecs-tasks.amazonaws.com with sts:AssumeRole (ECS names the launching account
// and cluster as aws:SourceAccount and aws:SourceArn, for confused-deputy conditions). A role
// berth lacks is not refused here: berth runs the task and logs it. task_factory makes this check
// for RunTask (a ClientException) and the service scheduler (a failed launch) alike.
#include <optional>
#include <string_view>

#include "common/aws_error.h"
#include "common/json.h"
#include "state/db.h"

namespace berth::ecs {

// The error for the first role of `task_definition` (taskRoleArn, then executionRoleArn; RunTask's
// `overrides` replace them) that does not trust ECS, or nullopt. `account` launches the task.
std::optional<AwsError> untrusted_task_role(state::Connection& db, std::string_view account,
                                            const json::Value& task_definition, const json::Value* overrides,
                                            std::string_view cluster_arn);

}  // namespace berth::ecs
