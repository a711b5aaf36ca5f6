#include "api/sts/errors.h"

namespace berth::api::sts::errors {

AwsError not_authorized_to_assume(std::string_view caller, std::string_view role_arn) {
  return AwsError::client("AccessDenied",
                          "User: " + std::string(caller) + " is not authorized to perform: sts:AssumeRole on resource: " +
                              std::string(role_arn),
                          403);
}

AwsError validation(std::string message) { return AwsError::client("ValidationError", std::move(message), 400); }

}  // namespace berth::api::sts::errors
