#pragma once
// awsJson1_1 responses: the only place an AwsError becomes bytes.
#include "api/http_types.h"
#include "common/aws_error.h"

namespace berth::api::aws_json {

HttpResponse success(std::string body, std::string_view request_id);
HttpResponse error(const AwsError& e, std::string_view request_id);

}  // namespace berth::api::aws_json
