#pragma once
// Application Auto Scaling's errors and the texts it words them with.
#include <string>

#include "common/aws_error.h"
#include "state/scaling_store.h"

namespace berth::api::autoscaling::errors {

AwsError validation(std::string message);  // ValidationException
// ObjectNotFoundException "No scalable target registered for service namespace: ..."
AwsError target_not_found(const state::TargetKey& k);
AwsError policy_not_found(const state::TargetKey& k, const std::string& name);
AwsError scheduled_action_not_found(const state::TargetKey& k, const std::string& name);
AwsError invalid_next_token();

}  // namespace berth::api::autoscaling::errors
