#pragma once
// CloudWatch Logs errors with the codes and messages real CloudWatch Logs answers with (as
// recorded from AWS in LocalStack's snapshot tests where such a recording exists).
#include <string>

#include "common/aws_error.h"

namespace berth::api::logs::errors {

AwsError invalid_parameter(std::string message);  // InvalidParameterException
AwsError validation(std::string message);         // ValidationException
AwsError group_not_found();    // ResourceNotFoundException "The specified log group does not exist."
AwsError stream_not_found();   // ResourceNotFoundException "The specified log stream does not exist."
AwsError group_exists();       // ResourceAlreadyExistsException "The specified log group already exists"
AwsError stream_exists();      // ResourceAlreadyExistsException "The specified log stream already exists"
AwsError invalid_next_token(); // InvalidParameterException "The specified nextToken is invalid."
AwsError too_many_tags();      // TooManyTagsException

}  // namespace berth::api::logs::errors
