#pragma once
// Request bodies a client compressed: botocore gzips CloudWatch PutMetricData bodies over
// 10 KiB (`Content-Encoding: gzip`). Decoded once, before routing reads the body.
#include <optional>
#include <string>

#include "api/http_types.h"
#include "common/aws_error.h"

namespace berth::api {

// The body inflated when the request says gzip (or nullopt when it does not); an error for a
// body that is not gzip or inflates past `limit` bytes.
std::optional<AwsError> decode_content_encoding(HttpRequest& req, std::size_t limit = 16u << 20);

}  // namespace berth::api
