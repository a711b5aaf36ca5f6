#include "api/cloudwatch/errors.h"

namespace berth::api::cloudwatch::errors {

AwsError invalid_value(std::string m) { return AwsError::client("InvalidParameterValueException", std::move(m)); }
AwsError missing(std::string m) { return AwsError::client("MissingRequiredParameterException", std::move(m)); }
AwsError invalid_combination(std::string m) {
  return AwsError::client("InvalidParameterCombinationException", std::move(m));
}
AwsError validation(std::string m) { return AwsError::client("ValidationError", std::move(m)); }
AwsError alarm_not_found(const std::string& name) {
  return AwsError::client("ResourceNotFound", "Alarm " + name + " does not exist.", 404);
}
AwsError resource_not_found(const std::string& arn) {
  return AwsError::client("ResourceNotFoundException", "Resource " + arn + " does not exist.", 404);
}
AwsError invalid_next_token() { return AwsError::client("InvalidNextToken", "Invalid nextToken"); }
AwsError invalid_format(std::string m) { return AwsError::client("InvalidFormatFault", std::move(m)); }

}  // namespace berth::api::cloudwatch::errors
