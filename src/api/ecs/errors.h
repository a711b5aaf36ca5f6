#pragma once
// ECS errors with the codes and messages real ECS answers with.
#include <string>

#include "common/aws_error.h"

namespace berth::api::ecs::errors {

AwsError client(std::string message);             // ClientException
AwsError invalid_parameter(std::string message);  // InvalidParameterException
AwsError cluster_not_found();                     // ClusterNotFoundException "Cluster not found."
AwsError task_definition_not_found();             // ClientException "Unable to describe task definition."
AwsError invalid_arn();                           // InvalidParameterException "The ARN provided is invalid."
AwsError resource_not_found(std::string message); // ResourceNotFoundException
AwsError invalid_max_results(int low, int high);
AwsError invalid_next_token();

}  // namespace berth::api::ecs::errors
