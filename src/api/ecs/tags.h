#pragma once
#include <optional>
#include <vector>

#include "api/context.h"
#include "state/tags_store.h"

namespace berth::api::ecs {
// The tag rules ECS enforces on any resource: no "aws:" prefix, at most 50 per resource.
std::optional<AwsError> check_tags(const std::vector<state::Tag>& tags);
}
