#pragma once
// STS errors with the codes, statuses and messages STS answers with (query protocol codes).
#include <string>
#include <string_view>

#include "common/aws_error.h"

namespace berth::api::sts::errors {

// 403 AccessDenied "User: CALLER is not authorized to perform: sts:AssumeRole on resource: ROLE"
AwsError not_authorized_to_assume(std::string_view caller, std::string_view role_arn);
AwsError validation(std::string message);  // 400 ValidationError

}  // namespace berth::api::sts::errors
