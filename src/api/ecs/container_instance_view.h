#pragma once
// The ContainerInstance object as ECS answers it, and how requests name an instance.
#include <optional>
#include <string>
#include <string_view>

#include "api/context.h"
#include "state/ecs_container_instance_store.h"

namespace berth::api::ecs {

// "ID" (32 hex) within the cluster, or a container-instance ARN of the caller's account and
// region; nullopt for an ARN of another kind.
std::optional<std::string> container_instance_arn(const OpContext& ctx, std::string_view cluster, std::string_view id);

// registeredResources, remainingResources (what its tasks do not hold), task counts, attributes.
void write_container_instance(OpContext& ctx, json::Writer& w, const state::ContainerInstanceRow& row, bool with_tags,
                              bool with_health);

}  // namespace berth::api::ecs
