#include "api/autoscaling/errors.h"

namespace berth::api::autoscaling::errors {
namespace {
std::string where(const state::TargetKey& k) {
  return "service namespace: " + k.service_namespace + ", resource ID: " + k.resource_id +
         ", scalable dimension: " + k.scalable_dimension;
}
}  // namespace

AwsError validation(std::string m) { return AwsError::client("ValidationException", std::move(m)); }
AwsError target_not_found(const state::TargetKey& k) {
  return AwsError::client("ObjectNotFoundException", "No scalable target registered for " + where(k));
}
AwsError policy_not_found(const state::TargetKey& k, const std::string& name) {
  return AwsError::client("ObjectNotFoundException", "No scaling policy found for " + where(k) + ", policy name: " + name);
}
AwsError scheduled_action_not_found(const state::TargetKey& k, const std::string& name) {
  return AwsError::client("ObjectNotFoundException",
                          "No scheduled action found for " + where(k) + ", scheduled action name: " + name);
}
AwsError invalid_next_token() { return AwsError::client("InvalidNextTokenException", "Invalid token"); }

}  // namespace berth::api::autoscaling::errors
