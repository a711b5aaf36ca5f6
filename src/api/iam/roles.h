#pragma once
// What other services ask of IAM's roles.
#include <cstdint>
#include <string_view>

#include "state/db.h"
#include "state/iam_store.h"

namespace berth::api::iam {

// ECS's service-linked role, AWSServiceRoleForECS under /aws-service-role/ecs.amazonaws.com/,
// created on first use as ECS does with the first cluster; returns the (existing) role.
state::RoleRow ensure_service_linked_role(state::Connection& c, std::string_view account, std::int64_t now);

// Logs, once per role ARN for the life of the process, that a task names a role berth's IAM
// lacks: berth still runs the task (it is permissive by default), as the user may not have
// created their roles locally.
void warn_if_missing(state::Connection& c, std::string_view role_arn, std::string_view field);

}  // namespace berth::api::iam
