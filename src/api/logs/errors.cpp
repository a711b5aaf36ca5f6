#include "api/logs/errors.h"

namespace berth::api::logs::errors {

AwsError invalid_parameter(std::string message) {
  return AwsError::client("InvalidParameterException", std::move(message));
}
AwsError validation(std::string message) { return AwsError::client("ValidationException", std::move(message)); }
AwsError group_not_found() {
  return AwsError::client("ResourceNotFoundException", "The specified log group does not exist.");
}
AwsError stream_not_found() {
  return AwsError::client("ResourceNotFoundException", "The specified log stream does not exist.");
}
// AWS ends these two without a period (recorded 2026-02).
AwsError group_exists() {
  return AwsError::client("ResourceAlreadyExistsException", "The specified log group already exists");
}
AwsError stream_exists() {
  return AwsError::client("ResourceAlreadyExistsException", "The specified log stream already exists");
}
AwsError invalid_next_token() { return invalid_parameter("The specified nextToken is invalid."); }
AwsError too_many_tags() {
  return AwsError::client("TooManyTagsException", "A resource can have no more than 50 tags.");
}

}  // namespace berth::api::logs::errors
