#pragma once
// How services are named in requests and written in answers.
#include <optional>
#include <string>
#include <string_view>

#include "api/context.h"
#include "state/ecs_service_store.h"

namespace berth::api::ecs {

// The ARN of a service named by "NAME", "arn:...:service/CLUSTER/NAME" or the old
// "arn:...:service/NAME" (in `cluster`); nullopt for an ARN of another kind, account or region.
std::optional<std::string> service_arn_of(const OpContext& ctx, std::string_view cluster, std::string_view identifier);

// A Service object as ECS answers it: the stored configuration, counts from the tasks, the
// deployments (PRIMARY first) and the events (newest first); tags when asked.
void write_service(OpContext& ctx, json::Writer& w, const state::ServiceRow& s, bool with_tags);

}  // namespace berth::api::ecs
