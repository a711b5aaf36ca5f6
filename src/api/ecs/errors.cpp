#include "api/ecs/errors.h"

namespace berth::api::ecs::errors {

AwsError client(std::string message) { return AwsError::client("ClientException", std::move(message)); }
AwsError invalid_parameter(std::string message) {
  return AwsError::client("InvalidParameterException", std::move(message));
}
AwsError cluster_not_found() { return AwsError::client("ClusterNotFoundException", "Cluster not found."); }
AwsError task_definition_not_found() { return client("Unable to describe task definition."); }
AwsError invalid_arn() { return invalid_parameter("The ARN provided is invalid."); }
AwsError resource_not_found(std::string message) {
  return AwsError::client("ResourceNotFoundException", std::move(message));
}
AwsError invalid_max_results(int low, int high) {
  return invalid_parameter("maxResults must be between " + std::to_string(low) + " and " + std::to_string(high) + ".");
}
AwsError invalid_next_token() { return invalid_parameter("Invalid nextToken."); }

}  // namespace berth::api::ecs::errors
