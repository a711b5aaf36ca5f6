#pragma once
// IAM errors with the codes, HTTP statuses and messages IAM answers with. The codes are the
// wire codes of the query protocol (NoSuchEntity, not the model's NoSuchEntityException).
#include <string>
#include <string_view>

#include "common/aws_error.h"

namespace berth::api::iam::errors {

AwsError no_such_role(std::string_view name);            // 404 "The role with name X cannot be found."
AwsError no_such_role_policy(std::string_view role, std::string_view policy);
AwsError no_such_policy(std::string_view arn);           // 404 "Policy ARN was not found."
AwsError not_attachable(std::string_view arn);           // 404 "Policy ARN does not exist or is not attachable."
AwsError not_attached(std::string_view arn);             // 404 "Policy ARN was not found." (detach)
AwsError no_such_version(std::string_view arn, std::string_view version);
AwsError no_such_instance_profile(std::string_view name);
AwsError role_exists(std::string_view name);             // 409 "Role with name X already exists."
AwsError policy_exists(std::string_view name);
AwsError instance_profile_exists(std::string_view name);
AwsError delete_conflict(std::string message);           // 409 DeleteConflict
AwsError malformed_policy(std::string message);          // 400 MalformedPolicyDocument
AwsError invalid_input(std::string message);             // 400 InvalidInput
AwsError limit_exceeded(std::string message);            // 409 LimitExceeded
AwsError policy_not_attachable(std::string message);     // 400 PolicyNotAttachable
AwsError unmodifiable(std::string_view role);            // 400 UnmodifiableEntity (service-linked roles)
AwsError invalid_arn(std::string_view arn);              // 400 InvalidInput "ARN X is not valid."

}  // namespace berth::api::iam::errors
