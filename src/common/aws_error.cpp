#include "common/aws_error.h"

namespace berth {

AwsError AwsError::serialization(std::string message) {
  return client("SerializationException", std::move(message));
}

AwsError AwsError::unknown_operation(std::string_view target) {
  return client("UnknownOperationException",
                target.empty() ? "Missing X-Amz-Target header"
                               : "Unknown operation " + std::string(target));
}

AwsError AwsError::validation(std::string message) {
  return client("ValidationException", std::move(message));
}

AwsError AwsError::not_implemented(std::string_view service, std::string_view operation) {
  return {"NotImplemented",
          "The " + std::string(operation) + " operation of " + std::string(service) +
              " is not implemented by berth yet",
          501};
}

AwsError AwsError::internal(std::string_view request_id) {
  return server("InternalFailure",
                "The request processing has failed because of an unknown error (request " +
                    std::string(request_id) + ")");
}

AwsError AwsError::too_large(std::size_t limit) {
  return client("RequestEntityTooLargeException",
                "Request body exceeds the maximum size of " + std::to_string(limit) + " bytes",
                413);
}

}  // namespace berth
