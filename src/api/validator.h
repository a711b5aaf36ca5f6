#pragma once
// Checks a request body against an operation's input shape before any handler sees it.
// A JSON type that cannot be read as the shape's type is a SerializationException (as AWS's
// deserializer reports it); broken constraints (required, enum, length, range, pattern) are
// collected into one ValidationException-style message, worded as AWS words it.
#include <optional>

#include "api/service_model.h"
#include "common/aws_error.h"
#include "common/json.h"

namespace berth::api {

// The error codes a service answers constraint failures with: AWS's generic validator uses
// ValidationException; ECS answers a missing member with ClientException and other broken
// constraints with InvalidParameterException.
struct ValidationCodes {
  std::string missing = "ValidationException";
  std::string invalid = "ValidationException";
  // The query services (IAM, STS, ELBv2) name members in lowerCamel case in their messages
  // ("Value null at 'roleName'"), whatever the model spells (RoleName).
  bool lower_camel_paths = false;
  // ECR words one broken constraint its own way: "Invalid parameter at 'imageTagMutability'
  // failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, ...]'".
  bool ecr_wording = false;
};

std::optional<AwsError> validate(const Shape& shape, const json::Value& body,
                                 const ValidationCodes& codes = {});

}  // namespace berth::api
