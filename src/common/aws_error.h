#pragma once
// The one error type that reaches the AWS wire: every failure a handler reports is an AwsError
// value, turned into bytes only by the protocols (see api/protocols/protocol.h).
#include <string>

namespace berth {

struct AwsError {
  std::string code;     // the __type, e.g. "ClusterNotFoundException"
  std::string message;
  int http_status = 400;

  bool sender_fault() const { return http_status < 500; }

  static AwsError client(std::string code, std::string message, int status = 400) {
    return {std::move(code), std::move(message), status};
  }
  static AwsError server(std::string code, std::string message) {
    return {std::move(code), std::move(message), 500};
  }
  // Errors every awsJson1_1 service shares, produced before a handler runs.
  static AwsError serialization(std::string message);
  static AwsError unknown_operation(std::string_view target);
  static AwsError validation(std::string message);
  static AwsError not_implemented(std::string_view service, std::string_view operation);
  static AwsError internal(std::string_view request_id);
  static AwsError too_large(std::size_t limit);
};

}  // namespace berth
