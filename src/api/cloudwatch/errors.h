#pragma once
// CloudWatch's errors. Handlers name them by the model's exception shapes; the protocols send
// the query codes (InvalidParameterValue, MissingParameter, ...) where the wire wants them.
#include <string>

#include "common/aws_error.h"

namespace berth::api::cloudwatch::errors {

AwsError invalid_value(std::string message);        // InvalidParameterValue
AwsError missing(std::string message);              // MissingParameter
AwsError invalid_combination(std::string message);  // InvalidParameterCombination
AwsError validation(std::string message);           // ValidationError (metric math, alarm rules)
AwsError alarm_not_found(const std::string& name);  // ResourceNotFound
AwsError resource_not_found(const std::string& arn);  // ResourceNotFoundException (tags)
AwsError invalid_next_token();                      // InvalidNextToken
AwsError invalid_format(std::string message);       // InvalidFormat

}  // namespace berth::api::cloudwatch::errors
