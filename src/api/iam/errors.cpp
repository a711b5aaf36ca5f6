#include "api/iam/errors.h"

namespace berth::api::iam::errors {
namespace {
std::string s(std::string_view v) { return std::string(v); }
}  // namespace

AwsError no_such_role(std::string_view name) {
  return AwsError::client("NoSuchEntity", "The role with name " + s(name) + " cannot be found.", 404);
}
AwsError no_such_role_policy(std::string_view role, std::string_view policy) {
  return AwsError::client("NoSuchEntity",
                          "The role policy with name " + s(policy) + " cannot be found.", 404);
}
AwsError no_such_policy(std::string_view arn) {
  return AwsError::client("NoSuchEntity", "Policy " + s(arn) + " was not found.", 404);
}
AwsError not_attachable(std::string_view arn) {
  return AwsError::client("NoSuchEntity", "Policy " + s(arn) + " does not exist or is not attachable.", 404);
}
AwsError not_attached(std::string_view arn) {
  return AwsError::client("NoSuchEntity", "Policy " + s(arn) + " was not found.", 404);
}
AwsError no_such_version(std::string_view arn, std::string_view version) {
  return AwsError::client("NoSuchEntity", "Policy " + s(arn) + " version " + s(version) + " does not exist.", 404);
}
AwsError no_such_instance_profile(std::string_view name) {
  return AwsError::client("NoSuchEntity", "Instance Profile " + s(name) + " cannot be found.", 404);
}
AwsError role_exists(std::string_view name) {
  return AwsError::client("EntityAlreadyExists", "Role with name " + s(name) + " already exists.", 409);
}
AwsError policy_exists(std::string_view name) {
  return AwsError::client("EntityAlreadyExists",
                          "A policy called " + s(name) + " already exists. Duplicate names are not allowed.", 409);
}
AwsError instance_profile_exists(std::string_view name) {
  return AwsError::client("EntityAlreadyExists", "Instance Profile " + s(name) + " already exists.", 409);
}
AwsError delete_conflict(std::string message) { return AwsError::client("DeleteConflict", std::move(message), 409); }
AwsError malformed_policy(std::string message) {
  return AwsError::client("MalformedPolicyDocument", std::move(message), 400);
}
AwsError invalid_input(std::string message) { return AwsError::client("InvalidInput", std::move(message), 400); }
AwsError limit_exceeded(std::string message) { return AwsError::client("LimitExceeded", std::move(message), 409); }
AwsError policy_not_attachable(std::string message) {
  return AwsError::client("PolicyNotAttachable", std::move(message), 400);
}
AwsError unmodifiable(std::string_view role) {
  return AwsError::client("UnmodifiableEntity",
                          "Cannot perform the operation on the protected role '" + s(role) +
                              "' - this role is only modifiable by AWS",
                          400);
}
AwsError invalid_arn(std::string_view arn) { return invalid_input("ARN " + s(arn) + " is not valid."); }

}  // namespace berth::api::iam::errors
